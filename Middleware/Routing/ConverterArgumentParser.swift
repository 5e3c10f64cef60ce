/// Parses converter arguments written in Werkzeug's Python-literal syntax:
/// `length=2`, `fixed_digits=4, signed=True`, `about, help, "foo,bar"`, `min=0.5`, `max=None`.
enum ConverterArgumentParser {
    static func parse(_ text: String) throws(ConverterArgumentError) -> ConverterArguments {
        var result = ConverterArguments()
        let items = try split(text)
        if items.count == 1, items[0].allSatisfy({ $0 == " " || $0 == "\t" }) { return result }
        for rawItem in items {
            let item = rawItem.trimmingWhitespace
            if item.isEmpty { throw ConverterArgumentError("empty argument in '\(text)'") }
            var name: String?
            var valueText = item
            if let eq = item.firstIndex(of: "="), !item[..<eq].contains(where: { $0 == "\"" || $0 == "'" }) {
                let key = item[..<eq].trimmingWhitespace
                guard !key.isEmpty, key.allSatisfy(isWordCharacter) else {
                    throw ConverterArgumentError("'\(key)' is not a valid argument name")
                }
                name = String(key)
                valueText = item[item.index(after: eq)...].trimmingWhitespace
            }
            let value = try literal(valueText)
            if let name {
                result.keyword.append((name, value))
            } else {
                guard result.keyword.isEmpty else {
                    throw ConverterArgumentError("positional argument '\(valueText)' follows a keyword argument")
                }
                result.positional.append(value)
            }
        }
        return result
    }

    /// Splits on commas outside quotes.
    private static func split(_ text: String) throws(ConverterArgumentError) -> [Substring] {
        var items: [Substring] = []
        var start = text.startIndex
        var quote: Character?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "," {
                items.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        if quote != nil { throw ConverterArgumentError("unterminated string in '\(text)'") }
        items.append(text[start...])
        if items.count > 1, items.last!.trimmingWhitespace.isEmpty { items.removeLast() }  // trailing comma
        return items
    }

    /// One Python literal: `True`, `False`, `None`, an int, a float, a quoted string or a bare word.
    private static func literal(_ text: Substring) throws(ConverterArgumentError) -> RouteValue? {
        switch text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return nil
        default: break
        }
        if let int = Int(text) { return .int(int) }
        if text.first?.isNumber == true || text.first == "-" || text.first == "+", let double = Double(text) {
            return .double(double)
        }
        var body = text
        if let first = body.first, "urUR".contains(first), body.count > 1, body.dropFirst().first == "\"" || body.dropFirst().first == "'" {
            body = body.dropFirst()
        }
        if let q = body.first, q == "\"" || q == "'", body.count >= 2, body.last == q {
            return .string(String(body.dropFirst().dropLast()))
        }
        if !text.isEmpty, text.allSatisfy({ isWordCharacter($0) || $0 == "." }) { return .string(String(text)) }
        throw ConverterArgumentError("cannot parse the argument '\(text)' (use True, False, None, numbers, "
                                     + "quoted strings or plain words)")
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }
}

extension StringProtocol {
    var trimmingWhitespace: SubSequence {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}
