/// The inspector behind the Debugger page's expression box: a path (`error.underlying.code`,
/// `request.headers["Accept"]`, `session["cart"][0]`) looked up in the captured values with
/// `Mirror`, answered as a tree with limits on depth, children and string length. Nothing is
/// evaluated: the grammar is names, `.member`, `[integer]` and `["string"]`.
public struct Inspector {
    /// One step of a path.
    public enum Step: Sendable, Equatable {
        /// `.name` (or the root name).
        case member(String)
        /// `[3]`: the n-th child.
        case index(Int)
        /// `["Accept"]`: a header, a dictionary key, a form or query field.
        case key(String)
    }

    /// Limits on what is parsed and what is answered.
    public struct Limits: Sendable {
        /// Longest expression accepted (characters).
        public var expressionLength = 512
        /// Most steps in a path.
        public var steps = 32
        /// How deep the answered tree goes below the value.
        public var depth = 4
        /// Most children listed per node (the rest are counted).
        public var children = 64
        /// Longest string shown (characters; longer ones are cut with `…`).
        public var stringLength = 2_000
        /// Most nodes in one answer.
        public var nodes = 2_000

        /// The default limits.
        public init() {}
    }

    /// Why an expression has no answer (shown to the user as is).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, and where.
        public let description: String
    }

    /// The named values an expression starts from.
    public let roots: [(name: String, value: Any)]
    /// The limits.
    public let limits: Limits

    /// An inspector over `roots`.
    public init(roots: [(name: String, value: Any)], limits: Limits = Limits()) {
        self.roots = roots
        self.limits = limits
    }

    /// Parses `expression` into steps.
    public func parse(_ expression: String) throws(Failure) -> [Step] {
        guard expression.count <= limits.expressionLength else {
            throw Failure(description: "The expression is longer than \(limits.expressionLength) characters.")
        }
        var scanner = PathScanner(Array(expression.unicodeScalars))
        let steps = try scanner.steps()
        guard steps.count <= limits.steps else { throw Failure(description: "The path has more than \(limits.steps) steps.") }
        return steps
    }

    /// The value at `expression`, as a tree.
    public func inspect(_ expression: String) throws(Failure) -> JSON {
        let steps = try parse(expression)
        guard case .member(let rootName)? = steps.first else { throw Failure(description: "A path starts with a name.") }
        guard let root = roots.first(where: { $0.name == rootName }) else {
            throw Failure(description: "Unknown name '\(rootName)'. Known: \(roots.map(\.name).joined(separator: ", ")).")
        }
        var value: Any = root.value
        var path = rootName
        for step in steps.dropFirst() {
            guard let next = Inspector.child(of: value, at: step) else {
                throw Failure(description: "\(path) has no \(Inspector.describe(step)).")
            }
            value = next
            path += Inspector.describe(step, inPath: true)
        }
        var budget = limits.nodes
        return tree(label: path, value: value, depth: 0, budget: &budget)
    }

    // MARK: - Navigation

    static func child(of value: Any, at step: Step) -> Any? {
        let value = unwrapped(value)
        switch step {
        case .member(let name):
            return Mirror(reflecting: value).allChildren.first { $0.label == name }?.value
        case .key(let key):
            if let headers = value as? Headers { return headers.combinedValue(for: key) }
            if let fields = value as? MultiDict { return fields.contains(key) ? fields.values(for: key) : nil }
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .dictionary {
                for pair in mirror.children {
                    let parts = Array(Mirror(reflecting: pair.value).children)
                    guard parts.count == 2 else { continue }
                    if "\(unwrapped(parts[0].value))" == key { return parts[1].value }
                }
                return nil
            }
            return mirror.allChildren.first { $0.label == key }?.value
        case .index(let index):
            let mirror = Mirror(reflecting: value)
            guard index >= 0 else { return nil }
            return mirror.children.dropFirst(index).first?.value
        }
    }

    /// Optionals are looked through: `Optional.some(x)` is `x`.
    static func unwrapped(_ value: Any) -> Any {
        var current = value
        for _ in 0..<8 {
            let mirror = Mirror(reflecting: current)
            guard mirror.displayStyle == .optional, let inner = mirror.children.first?.value else { return current }
            current = inner
        }
        return current
    }

    static func describe(_ step: Step, inPath: Bool = false) -> String {
        switch step {
        case .member(let name): inPath ? ".\(name)" : "member '\(name)'"
        case .index(let index): inPath ? "[\(index)]" : "element [\(index)]"
        case .key(let key): inPath ? "[\"\(key)\"]" : "entry [\"\(key)\"]"
        }
    }

    // MARK: - The answer

    private func tree(label: String?, value: Any, depth: Int, budget: inout Int) -> JSON {
        budget -= 1
        let value = Inspector.unwrapped(value)
        let mirror = Mirror(reflecting: value)
        var node: [String: JSON] = ["type": .string(String(reflecting: type(of: value))), "summary": .string(summary(value, mirror))]
        if let label { node["label"] = .string(label) }
        let isLeaf = value is String || value is Substring || mirror.displayStyle == .enum && mirror.children.isEmpty
        guard !isLeaf else { return .object(node) }
        var children: [JSON] = []
        var total = 0
        for (offset, child) in mirror.allChildren.enumerated() {
            total += 1
            guard depth < limits.depth, children.count < limits.children, budget > 0 else { continue }
            children.append(tree(label: child.label ?? "[\(offset)]", value: child.value, depth: depth + 1, budget: &budget))
        }
        if !children.isEmpty { node["children"] = .array(children) }
        if total > children.count { node["truncated"] = .int(total - children.count) }
        return .object(node)
    }

    private func summary(_ value: Any, _ mirror: Mirror) -> String {
        let text: String
        switch value {
        case let string as String: text = "\"\(string)\""
        case let error as any Error where !(mirror.displayStyle == .struct || mirror.displayStyle == .class): text = "\(error)"
        default:
            switch mirror.displayStyle {
            case .collection?, .set?, .dictionary?: text = "\(mirror.children.count) elements"
            case .struct?, .class?, .tuple?: text = mirror.children.isEmpty ? "\(value)" : ""
            default: text = "\(value)"
            }
        }
        return text.count > limits.stringLength ? String(text.prefix(limits.stringLength)) + "…" : text
    }
}

extension Mirror {
    /// The children of this mirror and of its superclass mirrors.
    var allChildren: [Mirror.Child] {
        var result = Array(children)
        var parent = superclassMirror
        var depth = 0
        while let mirror = parent, depth < 16 {
            result += mirror.children
            parent = mirror.superclassMirror
            depth += 1
        }
        return result
    }
}

/// The scanner behind ``Inspector/parse(_:)``.
struct PathScanner {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    mutating func steps() throws(Inspector.Failure) -> [Inspector.Step] {
        skipSpaces()
        var steps = [Inspector.Step.member(try name())]
        while true {
            skipSpaces()
            guard position < scalars.count else { return steps }
            switch scalars[position] {
            case ".":
                position += 1
                skipSpaces()
                steps.append(.member(try name()))
            case "[":
                position += 1
                skipSpaces()
                steps.append(try subscriptStep())
                skipSpaces()
                try expect("]")
            default:
                throw fail("unexpected '\(scalars[position])'")
            }
        }
    }

    private mutating func name() throws(Inspector.Failure) -> String {
        let start = position
        while position < scalars.count, scalars[position] == "_" || scalars[position].properties.isAlphabetic
                || (position > start && ("0"..."9").contains(scalars[position])) {
            position += 1
        }
        guard position > start else { throw fail("a name was expected") }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private mutating func subscriptStep() throws(Inspector.Failure) -> Inspector.Step {
        guard position < scalars.count else { throw fail("an index or a string was expected") }
        if scalars[position] == "\"" || scalars[position] == "'" {
            let quote = scalars[position]
            position += 1
            var text = String.UnicodeScalarView()
            while position < scalars.count, scalars[position] != quote {
                if scalars[position] == "\\", position + 1 < scalars.count { position += 1 }
                text.append(scalars[position])
                position += 1
            }
            try expect(quote)
            return .key(String(text))
        }
        let start = position
        if scalars[position] == "-" { position += 1 }
        while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
        guard position - start <= 9, let index = Int(String(String.UnicodeScalarView(scalars[start..<position]))) else {
            throw fail("an index (a small integer) or a quoted string was expected")
        }
        return .index(index)
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws(Inspector.Failure) {
        guard position < scalars.count, scalars[position] == scalar else { throw fail("'\(scalar)' was expected") }
        position += 1
    }

    private mutating func skipSpaces() {
        while position < scalars.count, scalars[position] == " " { position += 1 }
    }

    private func fail(_ message: String) -> Inspector.Failure {
        Inspector.Failure(description: "Syntax error at character \(position + 1): \(message).")
    }
}
