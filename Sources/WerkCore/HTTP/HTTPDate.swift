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
    /// Accepted, like Python's `email.utils.parsedate_to_datetime` (which Werkzeug uses):
    /// - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` (the weekday is optional and not checked),
    /// - RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`,
    /// - asctime `Sun Nov  6 08:49:37 1994`,
    /// - seconds may be omitted, full month names are accepted, month names ignore case,
    /// - zones `GMT`, `UT`, `UTC`, `Z`, `±hhmm` and the US zones (`EST`, `PDT`, …); no zone means UTC.
    ///
    /// Two-digit years follow `email.utils`: 69–99 are 19xx, 00–68 are 20xx; three-digit years
    /// add 1900. An impossible day (`31 Feb`) or time (`24:00:00`) gives `nil`.
    public static func parse(_ text: some StringProtocol) -> Int? {
        let s = Substring(text)
        var tokens = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        guard !tokens.isEmpty else { return nil }
        // Drop a leading weekday: anything ending with a comma, or a known day name.
        if tokens[0].hasSuffix(",") || isDayName(tokens[0]) {
            tokens.removeFirst()
        }
        // RFC 850: "06-Nov-94 08:49:37 GMT"
        if let first = tokens.first, first.contains("-") {
            let parts = first.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            tokens.replaceSubrange(0..<1, with: parts)
        }
        guard tokens.count >= 4 else { return nil }
        var dayToken = tokens[0], monthToken = tokens[1], yearToken = tokens[2], timeToken = tokens[3]
        let zoneToken: Substring? = tokens.count > 4 ? tokens[4] : nil
        guard tokens.count <= 5 else { return nil }
        if month(monthToken) == nil {
            // asctime: "Nov 6 08:49:37 1994" (month first, year last)
            swap(&dayToken, &monthToken)
            if !timeToken.contains(":") && yearToken.contains(":") { swap(&yearToken, &timeToken) }
        }
        if dayToken.hasSuffix(",") { dayToken = dayToken.dropLast() }
        if yearToken.hasSuffix(",") { yearToken = yearToken.dropLast() }
        guard let m = month(monthToken), let d = digits(dayToken), var y = digits(yearToken) else { return nil }
        if yearToken.utf8.count < 4 {
            // email.utils: a two- or three-digit year is 19xx/20xx.
            if y < 100 { y += y > 68 ? 1900 : 2000 } else { y += 1900 }
        }
        let hms = timeToken.split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3,
              let hh = digits(hms[0]), let mm = digits(hms[1]) else { return nil }
        let ss = hms.count == 3 ? digits(hms[2]) : 0
        guard let ss, hh < 24, mm < 60, ss < 60 else { return nil }
        guard y >= 1, y <= 9999, d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        var offset = 0
        if let zone = zoneToken {
            guard let o = zoneOffset(zone) else { return nil }
            offset = o
        }
        let days = days(fromCivil: y, m, d)
        return days * 86_400 + hh * 3600 + mm * 60 + ss - offset
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

    private static func digits(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 9, s.utf8.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return Int(s)
    }

    private static func month(_ s: Substring) -> Int? {
        let lower = ASCII.lowercased(s.hasSuffix(".") ? s.dropLast() : s)
        if lower.utf8.count == 3, let i = months.firstIndex(where: { ASCII.equalsIgnoringCase($0, lower) }) {
            return i + 1
        }
        return fullMonths.firstIndex(of: lower).map { $0 + 1 }
    }

    private static func isDayName(_ s: Substring) -> Bool {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        return s.utf8.count >= 3 && names.contains { ASCII.equalsIgnoringCase($0, s.prefix(3)) }
            && s.allSatisfy(\.isLetter)
    }

    private static func zoneOffset(_ zone: Substring) -> Int? {
        let u = zone.utf8
        if let sign = u.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let rest = zone.dropFirst()
            guard rest.utf8.count == 4, let v = digits(rest) else { return nil }
            let seconds = (v / 100) * 3600 + (v % 100) * 60
            return sign == UInt8(ascii: "-") ? -seconds : seconds
        }
        switch ASCII.lowercased(zone) {
        case "gmt", "ut", "utc", "z": return 0
        case "ast": return -4 * 3600
        case "adt": return -3 * 3600
        case "est": return -5 * 3600
        case "edt": return -4 * 3600
        case "cst": return -6 * 3600
        case "cdt": return -5 * 3600
        case "mst": return -7 * 3600
        case "mdt": return -6 * 3600
        case "pst": return -8 * 3600
        case "pdt": return -7 * 3600
        default: return nil
        }
    }
}
