import WerkCore
extension FlaskTaggedJSON.Value: CustomStringConvertible, CustomDebugStringConvertible {
    /// The value as Python would print it on the Flask side (`repr`): `{'cart': ['apple'], 'n': 1}`,
    /// `(1, 2)`, `b'\x00ab'`, `UUID('…')`, `Markup('<b>')`, and a date as
    /// `datetime(2023-11-14 22:13:20 UTC)`. Object keys are sorted, so the text is stable.
    public var description: String {
        switch self {
        case .null: "None"
        case .bool(let value): value ? "True" : "False"
        case .int(let value): String(value)
        case .double(let value): value.isFinite ? String(value) : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
        case .string(let value): Self.quoted(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let values):
            "(" + values.map(\.description).joined(separator: ", ") + (values.count == 1 ? ",)" : ")")
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { Self.quoted($0.key) + ": " + $0.value.description }
                .joined(separator: ", ") + "}"
        case .bytes(let bytes): "b" + Self.quoted(bytes: bytes)
        case .dateTime(let seconds): "datetime(\(Self.utcText(seconds)))"
        case .uuid(let text): "UUID(\(Self.quoted(text)))"
        case .markup(let text): "Markup(\(Self.quoted(text)))"
        }
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A Python string literal in single quotes, with control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + Self.hex(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }

    /// A Python bytes literal's body: printable ASCII as is, everything else as `\xNN`.
    static func quoted(bytes: [UInt8]) -> String {
        var out = "'"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "'"): out += "\\'"
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + hex(byte)
            }
        }
        return out + "'"
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }

    /// `YYYY-MM-DD hh:mm:ss UTC` for seconds since 1970 (proleptic Gregorian, as Python's datetime).
    static func utcText(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) UTC"
    }
}
