/// The matching structure, compiled once when the router is built: a trie of path segments stored
/// in flat buffers (nodes, dynamic edges, rule facts, and one open-addressing hash table for every
/// static edge).
///
/// Matching follows Werkzeug's `StateMachineMatcher`: at each node the static edge for the segment
/// is tried first, then the dynamic edges in weight order, backtracking on failure. The cost grows
/// with the number of segments (and the dynamic edges tried at each), not with the number of rules.
///
/// `@unchecked Sendable`: the buffers hold plain data, are written once in `init` (from arrays), never
/// written again, and freed in `deinit`; concurrent reads of immutable memory are safe. Raw buffers
/// instead of arrays keep matching free of reference counting.
final class RouteTrie: @unchecked Sendable {
    struct Node: Sendable {
        var ruleStart: Int32 = 0
        var ruleCount: Int32 = 0
        var edgeStart: Int32 = 0
        var edgeCount: Int32 = 0
        /// The child reached by an empty segment (a trailing `/`), or -1.
        var emptyChild: Int32 = -1
    }

    /// A dynamic edge: plain data, so reading one costs no reference counting.
    struct Edge: Sendable {
        /// How to match when the edge is one built-in converter and nothing else (the common case).
        var fast: FastMatch
        /// The pieces, in ``RouteTrie/patterns``, when `fast` is `.none`.
        var pattern: Int32
        var isFinal: Bool
        var isSuffixed: Bool
        var variableCount: Int32
        var target: Int32
    }

    /// The pieces of a dynamic edge that needs more than a built-in converter.
    final class Pattern: Sendable {
        let pieces: [MatchPiece]
        init(_ pieces: [MatchPiece]) { self.pieces = pieces }
    }

    enum MatchPiece: Sendable {
        case literal([UInt8])
        case converter(any RouteConverter)
    }

    /// The rule facts matching needs, by rule index: plain data.
    struct RuleInfo: Sendable {
        /// One bit per method name of ``RouteTrie/methodNames`` the rule answers.
        var methodMask: UInt64
        /// The rule has no method list: every method.
        var anyMethod: Bool
        var websocket: Bool
        var strictSlashes: Bool
    }

    let nodes: UnsafeMutableBufferPointer<Node>
    let edges: UnsafeMutableBufferPointer<Edge>
    let patterns: [Pattern]
    let ruleRefs: UnsafeMutableBufferPointer<Int32>
    let statics: StaticTable
    let rules: UnsafeMutableBufferPointer<RuleInfo>
    /// The method names rules list, in bit order (at most 64).
    let methodNames: [Method]
    let maxVariables: Int

    init(nodes: [Node], edges: [Edge], patterns: [Pattern], ruleRefs: [Int32], statics: StaticTable,
         rules: [RuleInfo], methodNames: [Method], maxVariables: Int) {
        self.nodes = freeze(nodes)
        self.edges = freeze(edges)
        self.patterns = patterns
        self.ruleRefs = freeze(ruleRefs)
        self.statics = statics
        self.rules = freeze(rules)
        self.methodNames = methodNames
        self.maxVariables = maxVariables
    }

    deinit {
        nodes.deallocate()
        edges.deallocate()
        ruleRefs.deallocate()
        rules.deallocate()
        statics.deallocate()
    }

    /// The bit of `method` in rule masks; 0 when no rule lists it.
    func methodBit(_ method: Method) -> UInt64 {
        for (index, name) in methodNames.enumerated() where name == method { return 1 << UInt64(index) }
        return 0
    }
}

/// A heap copy of `array` (at least one element of capacity), freed by its owner.
func freeze<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
    _ = buffer.initialize(from: array)
    return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
}

/// A captured variable: a byte range of the domain (`inDomain`) or of the path.
struct Capture {
    var start: Int32
    var end: Int32
    var inDomain: Bool
}

/// What matching found, before values are converted.
enum TrieOutcome {
    case found(rule: Int32)
    case none
    case slashRequired
}

/// What a failed match saw, for 405 and the WebSocket 400.
struct MatchTrace {
    var mismatchedRules: [Int32] = []
    var websocketMismatch = false
}

/// One match in progress: the inputs as bytes and a capture buffer.
struct TrieMatcher: ~Copyable {
    let trie: RouteTrie
    let domain: UnsafeBufferPointer<UInt8>
    let path: UnsafeBufferPointer<UInt8>
    let methodBit: UInt64
    let websocket: Bool
    let captures: UnsafeMutableBufferPointer<Capture>
    var trace = MatchTrace()

    /// Matches the domain part, then the path parts. `hasParts` false: the path is empty (no parts).
    mutating func run(hasParts: Bool) -> TrieOutcome {
        let root = trie.nodes[0]
        let start: Int = hasParts ? 0 : -1
        if domain.isEmpty {
            if root.emptyChild >= 0 {
                let rv = matchPath(root.emptyChild, start, 0)
                if case .none = rv {} else { return rv }
            }
        } else if let child = trie.statics.lookup(parent: 0, domain, 0, domain.count), child >= 0 {
            let rv = matchPath(child, start, 0)
            if case .none = rv {} else { return rv }
        }
        for e in Int(root.edgeStart)..<Int(root.edgeStart + root.edgeCount) {
            let edge = trie.edges[e]
            if matchEdge(edge, domain, 0, domain.count, captureBase: 0, inDomain: true) {
                let rv = matchPath(edge.target, start, Int(edge.variableCount))
                if case .none = rv {} else { return rv }
            }
        }
        return .none
    }

    /// Werkzeug's `_match`. `pos`: the byte where the next part starts; -1: no parts left.
    private mutating func matchPath(_ nodeIndex: Int32, _ pos: Int, _ captureCount: Int) -> TrieOutcome {
        let node = trie.nodes[Int(nodeIndex)]
        let n = path.count
        if pos < 0 {
            if let rule = acceptRule(node, allowStrict: true) { return .found(rule: rule) }
            if node.emptyChild >= 0 {
                let child = trie.nodes[Int(node.emptyChild)]
                for r in Int(child.ruleStart)..<Int(child.ruleStart + child.ruleCount) {
                    let ruleIndex = trie.ruleRefs[r]
                    let rule = trie.rules[Int(ruleIndex)]
                    if rule.websocket == websocket && (rule.anyMethod || rule.methodMask & methodBit != 0) {
                        return rule.strictSlashes ? .slashRequired : .found(rule: ruleIndex)
                    }
                }
            }
            return .none
        }
        var end = pos
        while end < n && path[end] != UInt8(ascii: "/") { end += 1 }
        let next = end < n ? end + 1 : -1

        if end == pos {
            if node.emptyChild >= 0 {
                let rv = matchPath(node.emptyChild, next, captureCount)
                if case .none = rv {} else { return rv }
            }
        } else if let child = trie.statics.lookup(parent: nodeIndex, path, pos, end), child >= 0 {
            let rv = matchPath(child, next, captureCount)
            if case .none = rv {} else { return rv }
        }

        for e in Int(node.edgeStart)..<Int(node.edgeStart + node.edgeCount) {
            let edge = trie.edges[e]
            if edge.isFinal {
                var targetEnd = n
                var remaining = -1
                if edge.isSuffixed && n > pos && path[n - 1] == UInt8(ascii: "/") {
                    targetEnd = n - 1
                    remaining = n
                    if targetEnd > pos && path[targetEnd - 1] == UInt8(ascii: "/") { continue }
                }
                if matchEdge(edge, path, pos, targetEnd, captureBase: captureCount, inDomain: false) {
                    let rv = matchPath(edge.target, remaining, captureCount + Int(edge.variableCount))
                    if case .none = rv {} else { return rv }
                }
            } else if matchEdge(edge, path, pos, end, captureBase: captureCount, inDomain: false) {
                let rv = matchPath(edge.target, next, captureCount + Int(edge.variableCount))
                if case .none = rv {} else { return rv }
            }
        }

        // Only an empty part (a trailing slash) is left: rules without strict slashes match here.
        if pos == n, let rule = acceptRule(node, allowStrict: false) { return .found(rule: rule) }
        return .none
    }

    /// The first rule of `node` whose method and WebSocket flag fit, noting the ones that do not.
    private mutating func acceptRule(_ node: RouteTrie.Node, allowStrict: Bool) -> Int32? {
        for r in Int(node.ruleStart)..<Int(node.ruleStart + node.ruleCount) {
            let ruleIndex = trie.ruleRefs[r]
            let rule = trie.rules[Int(ruleIndex)]
            if !allowStrict && rule.strictSlashes { continue }
            if !rule.anyMethod && rule.methodMask & methodBit == 0 {
                trace.mismatchedRules.append(ruleIndex)
            } else if rule.websocket != websocket {
                trace.websocketMismatch = true
            } else {
                return ruleIndex
            }
        }
        return nil
    }

    /// Whether `text[start..<end]` matches the edge entirely, recording the variables' ranges.
    private func matchEdge(_ edge: RouteTrie.Edge, _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                           captureBase: Int, inDomain: Bool) -> Bool {
        if case .none = edge.fast {
            return matchPieces(trie.patterns[Int(edge.pattern)].pieces, 0, text, start, end, captureBase, inDomain)
        }
        guard edge.fast.matches(UnsafeBufferPointer(rebasing: text[start..<end])) else { return false }
        captures[captureBase] = Capture(start: Int32(start), end: Int32(end), inDomain: inDomain)
        return true
    }

    /// Backtracking over the pieces of a mixed part (`<name>.html`, `<path:p>/edit`).
    private func matchPieces(_ pieces: [RouteTrie.MatchPiece], _ index: Int, _ text: UnsafeBufferPointer<UInt8>,
                             _ start: Int, _ end: Int, _ capture: Int, _ inDomain: Bool) -> Bool {
        if index == pieces.count { return start == end }
        switch pieces[index] {
        case .literal(let bytes):
            guard end - start >= bytes.count else { return false }
            for (offset, byte) in bytes.enumerated() where text[start + offset] != byte { return false }
            return matchPieces(pieces, index + 1, text, start + bytes.count, end, capture, inDomain)
        case .converter(let converter):
            func attempt(_ stop: Int) -> Bool {
                if index + 1 < pieces.count, case .literal(let next) = pieces[index + 1] {
                    guard end - stop >= next.count, next.isEmpty || next[0] == text[stop] else { return false }
                }
                guard converter.matches(utf8: UnsafeBufferPointer(rebasing: text[start..<stop])),
                      matchPieces(pieces, index + 1, text, stop, end, capture + 1, inDomain) else { return false }
                captures[capture] = Capture(start: Int32(start), end: Int32(stop), inDomain: inDomain)
                return true
            }
            if index + 1 == pieces.count { return attempt(end) }
            if converter.prefersShortestMatch {
                for stop in start...end where attempt(stop) { return true }
            } else {
                for stop in stride(from: end, through: start, by: -1) where attempt(stop) { return true }
            }
            return false
        }
    }
}

/// Every static edge of the trie in one open-addressing table keyed by (parent node, segment bytes).
/// Its buffers are owned (and freed) by the ``RouteTrie``, whose `@unchecked Sendable` covers them.
struct StaticTable {
    private struct Entry {
        var hash: UInt64
        var parent: Int32
        var child: Int32
        var keyStart: Int32
        var keyLength: Int32
    }
    private let slots: UnsafeMutableBufferPointer<Int32>
    private let entries: UnsafeMutableBufferPointer<Entry>
    private let keys: UnsafeMutableBufferPointer<UInt8>
    private let mask: Int

    init(_ edges: [(parent: Int32, key: [UInt8], child: Int32)]) {
        var capacity = 8
        while capacity < edges.count * 2 { capacity <<= 1 }
        var slots = Array(repeating: Int32(-1), count: capacity)
        var entries: [Entry] = []
        var keys: [UInt8] = []
        mask = capacity - 1
        for edge in edges {
            let h = edge.key.withUnsafeBufferPointer { StaticTable.hash(edge.parent, $0, 0, $0.count) }
            entries.append(Entry(hash: h, parent: edge.parent, child: edge.child, keyStart: Int32(keys.count),
                                 keyLength: Int32(edge.key.count)))
            keys += edge.key
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entries.count - 1)
        }
        self.slots = freeze(slots)
        self.entries = freeze(entries)
        self.keys = freeze(keys)
    }

    /// Frees the buffers (called once, by the owning trie's `deinit`).
    func deallocate() {
        slots.deallocate()
        entries.deallocate()
        keys.deallocate()
    }

    @inline(__always)
    static func hash(_ parent: Int32, _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(UInt32(bitPattern: parent)) &* 0x9E37_79B9_7F4A_7C15
        for i in start..<end { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The child of `parent` for `bytes[start..<end]`, or nil.
    func lookup(parent: Int32, _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int32? {
        if entries.isEmpty { return nil }
        let h = StaticTable.hash(parent, bytes, start, end)
        var slot = Int(truncatingIfNeeded: h) & mask
        let length = end - start
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            let entry = entries[Int(index)]
            if entry.hash == h && entry.parent == parent && Int(entry.keyLength) == length {
                let base = Int(entry.keyStart)
                var i = 0
                while i < length && keys[base + i] == bytes[start + i] { i += 1 }
                if i == length { return entry.child }
            }
            slot = (slot + 1) & mask
        }
    }
}

/// The built-in converters' matching as plain data, so the common edge (one converter filling a
/// segment) is matched with a switch instead of an existential call.
enum FastMatch: Sendable {
    case none
    case int(signed: Bool)
    case float(signed: Bool)
    case string(min: Int, max: Int)
    case path
    case uuid

    @inline(__always)
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .none: false
        case .int(let signed): IntConverter(signed: signed).matches(utf8: text)
        case .float(let signed): FloatConverter(signed: signed).matches(utf8: text)
        case .string(let min, let max): StringConverter(minLength: min, maxLength: max).matches(utf8: text)
        case .path: PathConverter().matches(utf8: text)
        case .uuid: UUIDConverter().matches(utf8: text)
        }
    }

    /// The fast form of `converter`, or `.none` for custom and `any` converters.
    static func of(_ converter: any RouteConverter) -> FastMatch {
        switch converter {
        case let c as IntConverter: .int(signed: c.signed)
        case let c as FloatConverter: .float(signed: c.signed)
        case let c as StringConverter: .string(min: c.minLength, max: c.maxLength ?? .max)
        case is PathConverter: .path
        case is UUIDConverter: .uuid
        default: .none
        }
    }
}
