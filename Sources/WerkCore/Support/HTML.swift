/// HTML escaping, as MarkupSafe's `escape` does it (`&`, `<`, `>`, `"` and `'`).
public enum HTML {
    /// The text with `& < > " '` replaced by entities, safe inside elements and quoted attributes.
    public static func escape(_ text: some StringProtocol) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else {
            return String(text)
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
