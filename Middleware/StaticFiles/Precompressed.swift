/// What the negotiation of a precompressed sibling decided.
enum PrecompressedChoice {
    /// Send the file itself.
    case identity
    /// Send the sibling at `path` (`status`) with `Content-Encoding: coding`.
    case variant(ContentCoding, path: String, status: FileStatus)
    /// The client refuses identity (`identity;q=0` or `*;q=0`) and no acceptable sibling exists.
    case notAcceptable
}

extension FileServing {
    /// Chooses between `path` and its siblings (`path.br`, `path.zst`, `path.gz`) by the qualities in
    /// `accept` (RFC 9110 §12.5.3): a coding is acceptable when listed with q > 0 or matched by `*`
    /// with q > 0; identity is acceptable unless `identity;q=0`, or `*;q=0` without an identity item.
    /// The highest quality wins; at equal quality a sibling wins over identity, and siblings keep
    /// the order of `offered`. Without an Accept-Encoding header the file itself is sent.
    static func choosePrecompressed(path: String, accept: String?, offered: [ContentCoding]) -> PrecompressedChoice {
        guard let accept else { return .identity }
        let qualities = EncodingQualities(parsing: accept)
        // Identity is acceptable when not listed, but ranks below every listed coding (browsers
        // send `gzip, br` meaning "compressed, please"); listed (or matched by `*`), its quality counts.
        let identity = qualities.quality(of: "identity", default: 0.001)
        var ranked: [(coding: ContentCoding, q: Double, order: Int)] = []
        for (order, coding) in offered.enumerated() {
            let q = qualities.quality(of: coding.rawValue, default: 0)
            if q > 0 && q >= identity { ranked.append((coding, q, order)) }
        }
        ranked.sort { $0.q != $1.q ? $0.q > $1.q : $0.order < $1.order }
        for candidate in ranked {
            let sibling = path + candidate.coding.fileExtension
            if let status = FileStatus.of(sibling), status.kind == FileStatus.Kind.regular {
                return .variant(candidate.coding, path: sibling, status: status)
            }
        }
        if identity > 0 { return .identity }
        // Identity refused: any acceptable sibling, even one ranked below where identity would be.
        for coding in offered where qualities.quality(of: coding.rawValue, default: 0) > 0 {
            let sibling = path + coding.fileExtension
            if let status = FileStatus.of(sibling), status.kind == FileStatus.Kind.regular {
                return .variant(coding, path: sibling, status: status)
            }
        }
        return .notAcceptable
    }
}

/// The codings and qualities of an Accept-Encoding header (at most 32 items are read).
struct EncodingQualities {
    private var items: [(coding: Substring, q: Double)] = []

    init(parsing header: String) {
        for element in header.split(separator: ",").prefix(32) {
            let parts = element.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = ASCII.trimmingWhitespace(first)
            guard !coding.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let p = ASCII.trimmingWhitespace(parameter)
                guard p.count >= 2, ASCII.equalsIgnoringCase(p.prefix(2), "q=") else { continue }
                q = Double(String(p.dropFirst(2))).map { min(max($0, 0), 1) } ?? 0
            }
            items.append((coding, q))
        }
    }

    /// The quality of `coding`: its own item, else `*`, else `fallback`.
    func quality(of coding: String, default fallback: Double) -> Double {
        var star: Double? = nil
        for item in items {
            if ASCII.equalsIgnoringCase(item.coding, coding) { return item.q }
            if item.coding == "*" { star = item.q }
        }
        if let star {
            // `*` does not make identity unacceptable on its own unless it says q=0.
            return star
        }
        // Legacy "x-gzip" stands for gzip (RFC 9110 §8.4.1.3).
        if coding == "gzip", let x = items.first(where: { ASCII.equalsIgnoringCase($0.coding, "x-gzip") }) { return x.q }
        return fallback
    }
}
