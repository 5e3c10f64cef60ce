/// HTTP dates (RFC 9110 §5.6.7) as Unix epoch seconds, like Werkzeug's `http_date` and
/// `parse_date`.
///
/// ```swift
/// HTTPDate.format(0)                                   // "Thu, 01 Jan 1970 00:00:00 GMT"
/// HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")      // 784111777
/// HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT")     // 784111777
/// HTTPDate.parse("Sun Nov  6 08:49:37 1994")           // 784111777
/// ```
///
/// The conversion is pure calendar arithmetic (proleptic Gregorian, UTC); no libc time functions
/// and no locale are involved.
public enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let fullMonths = ["january", "february", "march", "april", "may", "june", "july", "august",
                                     "september", "october", "november", "december"]

    /// Formats epoch seconds as an IMF-fixdate, e.g. `Tue, 14 Nov 2023 22:13:20 GMT`.
    /// Negative values (before 1970) are supported.
    public static func format(_ epochSeconds: Int) -> String {
        let days = floorDiv(epochSeconds, 86_400)
        let secs = epochSeconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let weekday = weekdays[((days % 7) + 7) % 7]
        var out = ""
        out.reserveCapacity(29)
        out += weekday
        out += ", "
        append2(&out, d)
        out += " "
        out += months[m - 1]
        out += " "
        if y >= 0 && y < 1000 { out += String(repeating: "0", count: y < 10 ? 3 : y < 100 ? 2 : 1) }
        out += String(y)
        out += " "
        append2(&out, secs / 3600)
        out += ":"
        append2(&out, secs / 60 % 60)
        out += ":"
        append2(&out, secs % 60)
        out += " GMT"
        return out
    }

    /// Parses an HTTP date and returns epoch seconds, or `nil` when the text is not a date.
    ///
    /// This follows Python's `email.utils.parsedate_to_datetime` step by step, since that is what
    /// Werkzeug's `parse_date` uses, so the same strings are accepted:
    /// - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` (the weekday is optional and not checked),
    /// - RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`,
    /// - asctime `Sun Nov  6 08:49:37 1994`,
    /// - seconds may be omitted, full month names are accepted, case is ignored, tokens after the
    ///   fifth are ignored,
    /// - zones `GMT`, `UT`, `UTC`, `Z`, `±hhmm` and the US zones (`EST`, `PDT`, …); a missing or
    ///   unknown zone means UTC.
    ///
    /// Years below 100 follow `email.utils`: 69–99 are 19xx, 0–68 are 20xx. An impossible date
    /// (`31 Feb`) or time (`24:00:00`), or a year outside 1…9999, gives `nil`.
    public static func parse(_ text: some StringProtocol) -> Int? {
        var data = Substring(text).split(whereSeparator: { $0.isASCII && $0.isWhitespace })
        guard !data.isEmpty else { return nil }
        if data[0].hasSuffix(",") || isDayName(data[0]) {
            data.removeFirst()
        } else if let comma = data[0].lastIndex(of: ",") {
            data[0] = data[0][data[0].index(after: comma)...]
        }
        if data.count == 3 {
            // RFC 850: "06-Nov-94 08:49:37 GMT"
            let stuff = data[0].split(separator: "-", omittingEmptySubsequences: false)
            if stuff.count == 3 { data.replaceSubrange(0..<1, with: stuff) }
        }
        if data.count == 4 {
            // A zone glued to the time: "08:49:37+0100".
            let t = data[3]
            if let i = t.firstIndex(of: "+") ?? t.firstIndex(of: "-"), i != t.startIndex {
                data.replaceSubrange(3..<4, with: [t[..<i], t[i...]])
            } else {
                data.append("")
            }
        }
        guard data.count >= 5 else { return nil }
        var dd = data[0], mm = data[1], yy = data[2], tm = data[3], tz = data[4]
        guard !dd.isEmpty, !mm.isEmpty, !yy.isEmpty else { return nil }
        var month = monthIndex(mm)
        if month == nil {
            swap(&dd, &mm)
            month = monthIndex(mm)
        }
        guard let month else { return nil }
        if dd.hasSuffix(",") { dd = dd.dropLast() }
        if let colon = yy.firstIndex(of: ":"), colon != yy.startIndex { swap(&yy, &tm) }
        if yy.hasSuffix(",") {
            yy = yy.dropLast()
            if yy.isEmpty { return nil }
        }
        if let first = yy.first, !first.isNumber { swap(&yy, &tz) }
        if tm.hasSuffix(",") { tm = tm.dropLast() }
        var parts = tm.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, tm.contains(".") { parts = tm.split(separator: ".", omittingEmptySubsequences: false) }
        guard parts.count == 2 || parts.count == 3 else { return nil }
        guard var year = pythonInt(yy), let day = pythonInt(dd), let hour = pythonInt(parts[0]),
              let minute = pythonInt(parts[1]), let second = parts.count == 3 ? pythonInt(parts[2]) : 0 else { return nil }
        if year < 100 { year += year > 68 ? 1900 : 2000 }
        guard year >= 1, year <= 9999, day >= 1, day <= daysIn(month: month, year: year),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        var offset = 0
        if let zone = zoneOffset(tz) {
            offset = zone
            guard abs(offset) < 86_400 else { return nil }
        }
        return days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    // MARK: - Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days)

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func append2(_ out: inout String, _ n: Int) {
        if n < 10 { out += "0" }
        out += String(n)
    }

    /// Python's `int()` for ASCII text: an optional sign and digits (at most 18).
    private static func pythonInt(_ s: Substring) -> Int? {
        var u = s.utf8[...]
        var negative = false
        if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); u = u.dropFirst() }
        guard !u.isEmpty, u.count <= 18, u.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        var v = 0
        for c in u { v = v * 10 + Int(c - 48) }
        return negative ? -v : v
    }

    private static func monthIndex(_ s: Substring) -> Int? {
        let lower = ASCII.lowercased(s)
        if let i = months.firstIndex(where: { ASCII.equalsIgnoringCase($0, lower) }) { return i + 1 }
        return fullMonths.firstIndex(of: lower).map { $0 + 1 }
    }

    private static func isDayName(_ s: Substring) -> Bool {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains { ASCII.equalsIgnoringCase($0, s) }
    }

    /// The zone offset in seconds east of UTC, or `nil` for UTC-with-unknown-origin (no zone, an
    /// unknown name, `-0000`), like `email.utils`.
    private static func zoneOffset(_ zone: Substring) -> Int? {
        let v: Int
        switch ASCII.lowercased(zone) {
        case "gmt", "ut", "utc", "z": v = 0
        case "ast": v = -400
        case "adt": v = -300
        case "est": v = -500
        case "edt": v = -400
        case "cst": v = -600
        case "cdt": v = -500
        case "mst": v = -700
        case "mdt": v = -600
        case "pst": v = -800
        case "pdt": v = -700
        default:
            guard let n = pythonInt(zone) else { return nil }
            v = n
        }
        let sign = v < 0 ? -1 : 1
        let a = abs(v)
        return sign * ((a / 100) * 3600 + (a % 100) * 60)
    }
}
