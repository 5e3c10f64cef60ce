/// A rule that cannot be compiled: says which rule, where, and why.
///
/// ```
/// Invalid route rule '/users/<int:>' at position 13: expected '<name>', '<converter:name>' or
/// '<converter(arguments):name>', where names start with a letter or '_' and use letters, digits and '_'.
///   /users/<int:>
///               ^
/// ```
public struct RouteDefinitionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The rule (or host/subdomain pattern) as written.
    public let rule: String
    /// The 1-based character position of the problem in ``rule``.
    public let position: Int
    /// What is wrong and, where it helps, what to do.
    public let reason: String

    /// An error about `rule` at character `position` (1-based).
    public init(rule: String, position: Int, reason: String) {
        self.rule = rule
        self.position = position
        self.reason = reason
    }

    /// The message, with the rule and a caret under the position.
    public var description: String {
        "Invalid route rule '\(rule)' at position \(position): \(reason)\n  \(rule)\n  "
            + String(repeating: " ", count: max(0, position - 1)) + "^"
    }
}

/// One piece of a dynamic part: literal text or a converter variable.
enum RulePiece: Sendable {
    case literal([UInt8])
    case variable(index: Int)
}

/// Werkzeug's `Weighting`: more static pieces first, longer static pieces first, more converters
/// first, then lower converter weights first.
struct PartWeight: Comparable, Sendable {
    var staticCount: Int
    var staticLengths: [Int]
    var argumentCount: Int
    var argumentWeights: [Int]

    static func < (a: PartWeight, b: PartWeight) -> Bool {
        if a.staticCount != b.staticCount { return a.staticCount > b.staticCount }
        if a.staticLengths != b.staticLengths { return a.staticLengths.lexicographicallyPrecedes(b.staticLengths, by: >) }
        if a.argumentCount != b.argumentCount { return a.argumentCount > b.argumentCount }
        return a.argumentWeights.lexicographicallyPrecedes(b.argumentWeights)
    }
}

/// One step of the trie: a whole path segment (static or dynamic), or, after a converter that spans
/// `/`, the rest of the path ("final").
struct RulePart: Sendable {
    var isStatic: Bool
    /// The segment text when static.
    var literal: [UInt8]
    /// The pieces when dynamic (adjacent literals merged).
    var pieces: [RulePiece]
    var isFinal: Bool
    /// A final part whose rule ends in `/`: the slash is optional when matching, then redirected to.
    var isSuffixed: Bool
    var weight: PartWeight
    /// Parts with the same key accept the same text and share a trie edge.
    var key: String
}

/// A rule compiled into parts, variables and the recipe to build URLs.
struct ParsedRule: Sendable {
    /// Variable names and converters in rule order (domain first).
    var variables: [(name: String, converter: any RouteConverter)] = []
    var domainParts: [RulePart] = []
    var pathParts: [RulePart] = []
    /// Build recipe: static text (already URL-quoted) or a variable index, for the domain and path.
    var domainTrace: [BuildStep] = []
    var pathTrace: [BuildStep] = []

    enum BuildStep: Sendable {
        case text(String)
        case variable(Int)
    }
}

/// Parses Werkzeug rule syntax.
struct RuleParser {
    let converters: [String: RouteConverterFactory]

    private enum Token {
        case slash
        case text(String)
        case variable(name: String, converter: String, arguments: String?, position: Int, argumentsPosition: Int)
    }

    /// Parses `rule` (a path when `isPath`, else a host or subdomain pattern) into `parsed`.
    func parse(_ rule: String, isPath: Bool, into parsed: inout ParsedRule) throws(RouteDefinitionError) {
        let chars = Array(rule.unicodeScalars)
        func fail(_ at: Int, _ reason: String) -> RouteDefinitionError {
            RouteDefinitionError(rule: rule, position: at + 1, reason: reason)
        }
        if isPath && chars.first != "/" {
            throw fail(0, "a rule must start with '/' (write '/\(rule)').")
        }
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            if chars[i] == "/" {
                if !isPath { throw fail(i, "a host or subdomain pattern cannot contain '/'.") }
                tokens.append(.slash); i += 1; continue
            }
            if chars[i] != "<" {
                var j = i
                while j < chars.count, chars[j] != "<", chars[j] != "/" { j += 1 }
                tokens.append(.text(String(String.UnicodeScalarView(chars[i..<j]))))
                i = j; continue
            }
            tokens.append(try parseVariable(chars, at: i, rule: rule, next: &i))
        }

        // Group tokens into parts the way Werkzeug's `_parse_rule` does.
        var parts: [RulePart] = []
        var trace: [ParsedRule.BuildStep] = []
        var pieces: [RulePiece] = []
        var isStatic = true, isFinal = false
        var staticLengths: [Int] = [], argumentWeights: [Int] = []
        var keyText = ""

        func appendLiteral(_ bytes: [UInt8]) {
            if case .literal(let previous)? = pieces.last {
                pieces[pieces.count - 1] = .literal(previous + bytes)
            } else {
                pieces.append(.literal(bytes))
            }
        }
        func makePart(suffixed: Bool) -> RulePart {
            let weight = PartWeight(staticCount: staticLengths.count, staticLengths: staticLengths,
                                    argumentCount: argumentWeights.count, argumentWeights: argumentWeights)
            var literal: [UInt8] = []
            if isStatic { for case .literal(let bytes) in pieces { literal += bytes } }
            let key = (isStatic ? "s:" : isFinal ? (suffixed ? "F+:" : "F:") : "d:") + keyText
            return RulePart(isStatic: isStatic, literal: literal, pieces: pieces, isFinal: isFinal,
                            isSuffixed: suffixed, weight: weight, key: key)
        }
        func reset() {
            pieces = []; isStatic = true; isFinal = false; staticLengths = []; argumentWeights = []; keyText = ""
        }

        for token in tokens {
            switch token {
            case .text(let text):
                staticLengths.append(text.unicodeScalars.count)
                appendLiteral(Array(text.utf8))
                keyText += text.replacingAngleBrackets
                trace.append(.text(PercentEncoding.encode(text, safe: PercentEncoding.pathSafe)))
            case .variable(let name, let converterName, let arguments, let position, let argumentsPosition):
                if parsed.variables.contains(where: { $0.name == name }) {
                    throw fail(position, "the variable '\(name)' is used twice; give each variable its own name.")
                }
                guard let factory = converters[converterName] else {
                    let known = converters.keys.sorted().joined(separator: ", ")
                    throw fail(position + 1, "unknown converter '\(converterName)' (known: \(known)); register "
                               + "custom ones with Router(converters:).")
                }
                let converter: any RouteConverter
                do {
                    let args = try ConverterArgumentParser.parse(arguments ?? "")
                    converter = try factory(args)
                } catch let error as ConverterArgumentError {
                    throw fail(argumentsPosition, "bad arguments for '\(converterName)': \(error.description).")
                } catch {
                    throw fail(argumentsPosition, "bad arguments for '\(converterName)': \(error).")
                }
                isStatic = false
                if !converter.isPartIsolating { isFinal = true }
                let index = parsed.variables.count
                parsed.variables.append((name, converter))
                pieces.append(.variable(index: index))
                argumentWeights.append(converter.weight)
                keyText += "<\(converter.identity)>"
                trace.append(.variable(index))
            case .slash:
                trace.append(.text("/"))
                if isFinal {
                    appendLiteral([UInt8(ascii: "/")])
                    keyText += "/"
                } else {
                    parts.append(makePart(suffixed: false))
                    reset()
                }
            }
        }
        var suffixed = false
        if isFinal, case .literal(let bytes)? = pieces.last, bytes.last == UInt8(ascii: "/") {
            suffixed = true
            pieces[pieces.count - 1] = .literal(Array(bytes.dropLast()))
            if case .literal(let rest)? = pieces.last, rest.isEmpty { pieces.removeLast() }
        }
        parts.append(makePart(suffixed: suffixed))
        if suffixed {
            parts.append(RulePart(isStatic: true, literal: [], pieces: [], isFinal: false, isSuffixed: false,
                                  weight: parts[parts.count - 1].weight, key: "s:"))
        }
        if isPath {
            parts.removeFirst()  // the empty text before the leading '/', common to every rule
            parsed.pathParts = parts
            parsed.pathTrace = trace
        } else {
            parsed.domainParts = parts
            parsed.domainTrace = trace
        }
    }

    /// `<name>`, `<converter:name>` or `<converter(arguments):name>` starting at `start`.
    private func parseVariable(_ chars: [Unicode.Scalar], at start: Int, rule: String,
                               next: inout Int) throws(RouteDefinitionError) -> Token {
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isIdentifier(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || (c.value >= 48 && c.value <= 57) }
        func identifier(at index: Int) -> Int? {  // end index of an identifier starting at index
            guard index < chars.count, isIdentifierStart(chars[index]) else { return nil }
            var j = index + 1
            while j < chars.count, isIdentifier(chars[j]) { j += 1 }
            return j
        }
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(chars[range])) }
        let syntax = "expected '<name>', '<converter:name>' or '<converter(arguments):name>', where names start "
            + "with a letter or '_' and use letters, digits and '_'."
        guard let firstEnd = identifier(at: start + 1) else {
            throw RouteDefinitionError(rule: rule, position: start + 2, reason: syntax)
        }
        // `<name>`
        if firstEnd < chars.count, chars[firstEnd] == ">" {
            next = firstEnd + 1
            return .variable(name: text((start + 1)..<firstEnd), converter: "default", arguments: nil,
                             position: start, argumentsPosition: start)
        }
        // `<converter:name>`
        if firstEnd < chars.count, chars[firstEnd] == ":" {
            guard let nameEnd = identifier(at: firstEnd + 1), nameEnd < chars.count, chars[nameEnd] == ">" else {
                throw RouteDefinitionError(rule: rule, position: firstEnd + 2, reason: syntax)
            }
            next = nameEnd + 1
            return .variable(name: text((firstEnd + 1)..<nameEnd), converter: text((start + 1)..<firstEnd),
                             arguments: nil, position: start, argumentsPosition: firstEnd)
        }
        // `<converter(arguments):name>`: the arguments end at the first `)` followed by `:name>`.
        if firstEnd < chars.count, chars[firstEnd] == "(" {
            var close = firstEnd + 1
            while close < chars.count {
                if chars[close] == ")", close + 1 < chars.count, chars[close + 1] == ":",
                   let nameEnd = identifier(at: close + 2), nameEnd < chars.count, chars[nameEnd] == ">" {
                    next = nameEnd + 1
                    return .variable(name: text((close + 2)..<nameEnd), converter: text((start + 1)..<firstEnd),
                                     arguments: text((firstEnd + 1)..<close), position: start,
                                     argumentsPosition: firstEnd + 1)
                }
                close += 1
            }
            throw RouteDefinitionError(rule: rule, position: firstEnd + 1,
                                       reason: "the converter arguments are not closed by '):name>'.")
        }
        if firstEnd >= chars.count {
            throw RouteDefinitionError(rule: rule, position: start + 1, reason: "'<' is not closed by '>'.")
        }
        throw RouteDefinitionError(rule: rule, position: firstEnd + 1, reason: syntax)
    }
}

extension String {
    fileprivate var replacingAngleBrackets: String {
        String(unicodeScalars.map { $0 == "<" ? "\u{1}" : $0 }.map(Character.init))
    }
}
