/// The compiled rules of a ``Router``: the matching trie and the per-endpoint build index (Werkzeug's
/// `Map`). Immutable once built; reachable from a routed request as `request.urlMap`.
public final class URLMap: Sendable {
    /// Map-wide settings (Werkzeug's `Map` arguments).
    public struct Options: Sendable {
        /// `/branch` redirects (308) to the rule `/branch/`; false: both spellings match.
        public var strictSlashes = true
        /// `//a///b` redirects (308) to `/a/b`.
        public var mergeSlashes = true
        /// A URL spelling out a default value redirects to the rule that omits it.
        public var redirectDefaults = true
        /// Rules match the whole host (`Route(host: "<user>.example.com")`) instead of a subdomain.
        public var hostMatching = false
        /// The configured server name; with it, the part of the host before it is the subdomain
        /// (a host outside it matches nothing). Nil: the request's host, and no subdomain.
        public var serverName: String?
        /// The subdomain of rules that do not set one.
        public var defaultSubdomain = ""
        /// Settings with Werkzeug's defaults.
        public init() {}
    }

    /// One compiled rule (a class: matching passes it around without copying its fields).
    final class CompiledRule: Sendable {
        let rule: String
        let endpoint: String?
        let methods: [Method]?
        let websocket: Bool
        let strictSlashes: Bool
        let mergeSlashes: Bool
        let buildOnly: Bool
        let alias: Bool
        let defaults: [(name: String, value: RouteValue)]
        let arguments: Set<String>
        let parsed: ParsedRule
        let handler: Handler?
        let redirectTo: RedirectTarget?
        /// The variables as reference slots, so converting values never copies an existential.
        let slots: [VariableSlot]

        init(rule: String, endpoint: String?, methods: [Method]?, websocket: Bool, strictSlashes: Bool,
             mergeSlashes: Bool, buildOnly: Bool, alias: Bool, defaults: [(name: String, value: RouteValue)],
             arguments: Set<String>, parsed: ParsedRule, handler: Handler?, redirectTo: RedirectTarget?) {
            self.rule = rule
            self.endpoint = endpoint
            self.methods = methods
            self.websocket = websocket
            self.strictSlashes = strictSlashes
            self.mergeSlashes = mergeSlashes
            self.buildOnly = buildOnly
            self.alias = alias
            self.defaults = defaults
            self.arguments = arguments
            self.parsed = parsed
            self.handler = handler
            self.redirectTo = redirectTo
            self.slots = parsed.variables.map { VariableSlot(name: $0.name, converter: $0.converter) }
        }

        func defaultValue(_ name: String) -> RouteValue? {
            for pair in defaults where pair.name == name { return pair.value }
            return nil
        }
    }

    /// The settings.
    public let options: Options
    let rules: [CompiledRule]
    let trie: RouteTrie
    /// Rule indices per endpoint, in build order (rules with more arguments first).
    let rulesByEndpoint: [String: [Int]]
    /// Every malformed rule, with its position (empty when all compiled).
    public let errors: [RouteDefinitionError]
    /// Per rule: the rules of the same endpoint, earlier in build order, with defaults and the same
    /// arguments: the candidates for a `redirect_defaults` redirect (usually none).
    let defaultRedirectCandidates: [[Int]]
    /// Per rule: whether a match may redirect (a `redirectTo`, or a defaults candidate).
    let hasRedirects: [Bool]

    /// Compiles routes. Malformed rules are left out and listed in ``errors``.
    public init(_ elements: [RouteElement], options: Options = Options(),
                converters: [String: RouteConverterFactory] = [:]) {
        self.options = options
        let parser = RuleParser(converters: RouteConverters.builtIn.merging(converters) { $1 })
        var flat: [Route] = []
        URLMap.flatten(elements, prefix: "", subdomain: nil, host: nil, namePrefix: "", middleware: [], into: &flat)
        var rules: [CompiledRule] = []
        var errors: [RouteDefinitionError] = []
        for route in flat {
            do {
                rules.append(try URLMap.compile(route, options: options, parser: parser))
            } catch {
                errors.append(error)
            }
        }
        var byEndpoint: [String: [Int]] = [:]
        for (index, rule) in rules.enumerated() {
            if let endpoint = rule.endpoint { byEndpoint[endpoint, default: []].append(index) }
        }
        for (endpoint, indices) in byEndpoint {
            byEndpoint[endpoint] = indices.enumerated().sorted { a, b in
                let ka = (rules[a.element].alias ? 1 : 0, -rules[a.element].arguments.count,
                          -rules[a.element].defaults.count)
                let kb = (rules[b.element].alias ? 1 : 0, -rules[b.element].arguments.count,
                          -rules[b.element].defaults.count)
                return ka != kb ? ka < kb : a.offset < b.offset
            }.map(\.element)
        }
        var candidates = Array(repeating: [Int](), count: rules.count)
        for indices in byEndpoint.values {
            for (position, index) in indices.enumerated() {
                candidates[index] = indices[..<position].filter { other in
                    !rules[other].buildOnly && !rules[other].alias && !rules[other].defaults.isEmpty
                        && rules[other].arguments == rules[index].arguments
                }
            }
        }
        self.hasRedirects = rules.indices.map { index in
            rules[index].redirectTo != nil || rules[index].alias
                || (options.redirectDefaults && !candidates[index].isEmpty)
        }
        self.defaultRedirectCandidates = candidates
        self.rules = rules
        self.rulesByEndpoint = byEndpoint
        self.errors = errors
        self.trie = TrieBuilder.build(rules)
    }

    /// The rules, in declaration order: rule string, endpoint and methods (for tools and debugging).
    public var ruleDescriptions: [String] {
        rules.map { rule in
            let methods = rule.methods.map { " (" + $0.map(\.rawValue).joined(separator: ", ") + ")" } ?? ""
            return "\(rule.rule)\(methods) -> \(rule.endpoint ?? "-")"
        }
    }

    /// The endpoint names, sorted.
    public var endpoints: [String] { rulesByEndpoint.keys.sorted() }

    private static func flatten(_ elements: [RouteElement], prefix: String, subdomain: String?, host: String?,
                                namePrefix: String, middleware: [any Middleware], into flat: inout [Route]) {
        var middleware = middleware
        for element in elements {
            switch element {
            case .middleware(let layer):
                middleware.append(layer)
            case .route(var route):
                route.rule = prefix + route.rule
                route.subdomain = route.subdomain ?? subdomain
                route.host = route.host ?? host
                route.name = route.name.map { namePrefix + $0 }
                if var handler = route.handler {
                    for layer in middleware.reversed() {
                        handler = layer.wrap(handler).withLayers([layer.name] + handler.layers)
                    }
                    route.handler = handler
                }
                flat.append(route)
            case .group(let group):
                flatten(group.elements, prefix: prefix + group.prefix, subdomain: group.subdomain ?? subdomain,
                        host: group.host ?? host, namePrefix: namePrefix + group.namePrefix,
                        middleware: middleware, into: &flat)
            }
        }
    }

    private static func compile(_ route: Route, options: Options,
                                parser: RuleParser) throws(RouteDefinitionError) -> CompiledRule {
        var methods = route.methods
        if var list = methods {
            var seen: Set<Method> = []
            list = list.filter { seen.insert($0).inserted }
            if list.contains(.get) && !list.contains(.head) { list.append(.head) }
            if route.websocket, let bad = list.first(where: { $0 != .get && $0 != .head && $0 != .options }) {
                throw RouteDefinitionError(rule: route.rule, position: 1, reason: "a WebSocket rule can only use "
                                           + "GET, HEAD and OPTIONS, not \(bad).")
            }
            methods = list
        }
        let domain = options.hostMatching ? (route.host ?? "") : (route.subdomain ?? options.defaultSubdomain)
        let mergeSlashes = route.mergeSlashes ?? options.mergeSlashes
        func parse(_ rule: String) throws(RouteDefinitionError) -> ParsedRule {
            var parsed = ParsedRule()
            if domain.isEmpty {
                parsed.domainParts = [RulePart(isStatic: true, literal: [], pieces: [], isFinal: false, isSuffixed: false,
                                               weight: PartWeight(staticCount: 0, staticLengths: [], argumentCount: 0,
                                                                  argumentWeights: []), key: "s:")]
            } else {
                try parser.parse(domain, isPath: false, into: &parsed)
            }
            try parser.parse(rule, isPath: true, into: &parsed)
            return parsed
        }
        var parsed = try parse(route.rule)
        if mergeSlashes && route.rule.contains("//") { parsed = try parse(route.rule.mergingSlashes) }
        for name in route.defaults.keys where name.isEmpty {
            throw RouteDefinitionError(rule: route.rule, position: 1, reason: "a default has an empty name.")
        }
        if route.handler == nil && route.redirectTo == nil && !route.buildOnly && !route.alias {
            throw RouteDefinitionError(rule: route.rule, position: 1, reason: "the rule has no handler; give it one, "
                                       + "a redirectTo, or declare it buildOnly.")
        }
        let defaults = route.defaults.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return CompiledRule(
            rule: route.rule, endpoint: route.name, methods: methods, websocket: route.websocket,
            strictSlashes: route.strictSlashes ?? options.strictSlashes, mergeSlashes: mergeSlashes,
            buildOnly: route.buildOnly, alias: route.alias, defaults: defaults,
            arguments: Set(parsed.variables.map(\.name)).union(route.defaults.keys), parsed: parsed,
            handler: route.handler, redirectTo: route.redirectTo)
    }
}

extension String {
    /// Runs of `/` collapsed to one.
    var mergingSlashes: String {
        var out = ""
        var previousSlash = false
        for c in unicodeScalars {
            if c == "/" && previousSlash { continue }
            previousSlash = c == "/"
            out.unicodeScalars.append(c)
        }
        return out
    }
}

/// One variable of a rule: its name and converter.
final class VariableSlot: Sendable {
    let name: String
    let converter: any RouteConverter
    /// Set for an `int` without arguments, converted without a call through the existential.
    let plainInt: Bool

    init(name: String, converter: any RouteConverter) {
        self.name = name
        self.converter = converter
        if let int = converter as? IntConverter {
            plainInt = int.fixedDigits == 0 && int.min == nil && int.max == nil
        } else {
            plainInt = false
        }
    }

    /// The value for matched bytes; throws when the converter rejects them.
    @inline(__always)
    func convert(_ bytes: UnsafeBufferPointer<UInt8>) throws -> RouteValue {
        if plainInt {
            var value = 0
            var negative = false
            for byte in bytes {
                if byte == UInt8(ascii: "-") { negative = true; continue }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(byte &- 48))
                if o1 || o2 { throw RouteValidationError("integer too large") }
                value = sum
            }
            return .int(negative ? -value : value)
        }
        return try converter.convert(utf8: bytes)
    }
}

/// Builds the flat trie from compiled rules.
enum TrieBuilder {
    private struct Node {
        var statics: [[UInt8]: Int32] = [:]
        var emptyChild: Int32 = -1
        var dynamic: [(key: String, weight: PartWeight, edge: Int)] = []
        var rules: [Int32] = []
    }

    static func build(_ rules: [URLMap.CompiledRule]) -> RouteTrie {
        var nodes = [Node()]
        var edges: [RouteTrie.Edge] = []
        var patterns: [RouteTrie.Pattern] = []
        var ruleInfos: [RouteTrie.RuleInfo] = []
        var methodNames: [Method] = []
        var maxVariables = 0
        for (index, rule) in rules.enumerated() {
            var mask: UInt64 = 0
            for method in rule.methods ?? [] {
                var bit = methodNames.firstIndex(of: method)
                if bit == nil {
                    precondition(methodNames.count < 64, "Router: more than 64 distinct method names in one router.")
                    methodNames.append(method)
                    bit = methodNames.count - 1
                }
                mask |= 1 << UInt64(bit!)
            }
            ruleInfos.append(RouteTrie.RuleInfo(methodMask: mask, anyMethod: rule.methods == nil,
                                                websocket: rule.websocket, strictSlashes: rule.strictSlashes))
            maxVariables = max(maxVariables, rule.parsed.variables.count)
            if rule.buildOnly { continue }
            var state = 0
            for part in rule.parsed.domainParts + rule.parsed.pathParts {
                if part.isStatic {
                    if part.literal.isEmpty {
                        if nodes[state].emptyChild < 0 {
                            nodes.append(Node())
                            nodes[state].emptyChild = Int32(nodes.count - 1)
                        }
                        state = Int(nodes[state].emptyChild)
                    } else if let child = nodes[state].statics[part.literal] {
                        state = Int(child)
                    } else {
                        nodes.append(Node())
                        nodes[state].statics[part.literal] = Int32(nodes.count - 1)
                        state = nodes.count - 1
                    }
                } else if let existing = nodes[state].dynamic.first(where: { $0.key == part.key }) {
                    state = Int(edges[existing.edge].target)
                } else {
                    nodes.append(Node())
                    let pieces: [RouteTrie.MatchPiece] = part.pieces.map { piece in
                        switch piece {
                        case .literal(let bytes): .literal(bytes)
                        case .variable(let i): .converter(rule.parsed.variables[i].converter)
                        }
                    }
                    var fast = FastMatch.none
                    if pieces.count == 1, case .converter(let converter) = pieces[0] { fast = FastMatch.of(converter) }
                    patterns.append(RouteTrie.Pattern(pieces))
                    let variableCount = part.pieces.filter { if case .variable = $0 { true } else { false } }.count
                    edges.append(RouteTrie.Edge(fast: fast, pattern: Int32(patterns.count - 1), isFinal: part.isFinal,
                                                isSuffixed: part.isSuffixed, variableCount: Int32(variableCount),
                                                target: Int32(nodes.count - 1)))
                    nodes[state].dynamic.append((part.key, part.weight, edges.count - 1))
                    state = nodes.count - 1
                }
            }
            nodes[state].rules.append(Int32(index))
        }
        // Flatten: every node's dynamic edges contiguous and sorted by weight (stable).
        var staticEdges: [(parent: Int32, key: [UInt8], child: Int32)] = []
        var flatNodes: [RouteTrie.Node] = [], flatEdges: [RouteTrie.Edge] = [], ruleRefs: [Int32] = []
        for (index, node) in nodes.enumerated() {
            var flatNode = RouteTrie.Node()
            flatNode.ruleStart = Int32(ruleRefs.count)
            flatNode.ruleCount = Int32(node.rules.count)
            ruleRefs += node.rules
            let sorted = node.dynamic.enumerated().sorted { a, b in
                a.element.weight != b.element.weight ? a.element.weight < b.element.weight : a.offset < b.offset
            }
            flatNode.edgeStart = Int32(flatEdges.count)
            flatNode.edgeCount = Int32(sorted.count)
            flatEdges += sorted.map { edges[$0.element.edge] }
            flatNode.emptyChild = node.emptyChild
            for (key, child) in node.statics { staticEdges.append((Int32(index), key, child)) }
            flatNodes.append(flatNode)
        }
        return RouteTrie(nodes: flatNodes, edges: flatEdges, patterns: patterns, ruleRefs: ruleRefs, statics: StaticTable(staticEdges),
                         rules: ruleInfos, methodNames: methodNames, maxVariables: maxVariables)
    }
}
