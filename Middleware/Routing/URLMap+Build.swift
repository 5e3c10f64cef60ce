/// A URL could not be built: the endpoint does not exist, a value is missing, or a converter refused
/// a value. The message suggests the closest endpoint or the missing values, like Werkzeug's `BuildError`.
public struct URLBuildError: Error, Sendable, CustomStringConvertible {
    /// The endpoint asked for.
    public let endpoint: String
    /// The names of the values given, sorted.
    public let valueNames: [String]
    /// The closest endpoint, when the asked one does not exist.
    public let suggestion: String?
    /// The whole message.
    public let description: String
}

extension URLMap {
    /// Builds the URL of `endpoint` (Werkzeug's `MapAdapter.build`). Values fill the rule's variables
    /// through their converters; values the rule does not use are appended as the query string
    /// (`?q=a+b`, an array gives one pair per element); nil values are dropped. The URL is relative
    /// to the host (with the script name) unless `external` is set or the rule lives on another
    /// host or subdomain; WebSocket rules always build absolute `ws`/`wss` URLs.
    public func build(_ endpoint: String, _ values: [(String, any Sendable)] = [], method: Method? = nil,
                      external: Bool = false, scheme: String? = nil,
                      context binding: Binding) throws(URLBuildError) -> String {
        try build(endpoint, values, method: method, external: external, scheme: scheme, appendUnknown: true,
                  context: binding)
    }

    func build(_ endpoint: String, _ values: [(String, any Sendable)], method: Method?, external: Bool,
               scheme: String? = nil, appendUnknown: Bool, context binding: Binding) throws(URLBuildError) -> String {
        var routeValues: [(String, RouteValue)] = []
        var lists: [(String, [RouteValue])]?   // only when a value is an array
        routeValues.reserveCapacity(values.count)
        for (name, value) in values {
            // The common types first: they need no protocol-conformance lookups.
            if let item = URLMap.plainValue(value) {
                routeValues.append((name, item))
                continue
            }
            guard let unwrapped = URLMap.unwrapOptional(value) else { continue }
            if let list = unwrapped as? [any Sendable] {
                let items = list.compactMap(URLMap.unwrapOptional).map(RouteValue.init)
                if items.isEmpty { continue }
                lists = (lists ?? []) + [(name, items)]
                routeValues.append((name, items.count == 1 ? items[0] : .custom(items.map(\.description))))
            } else {
                routeValues.append((name, RouteValue(unwrapped)))
            }
        }
        let expanded = lists.map { lists in
            routeValues.map { pair in (pair.0, lists.first { $0.0 == pair.0 }?.1 ?? [pair.1]) }
        }
        var converterFailure: String?
        func attempt(_ method: Method?) -> (domain: String, path: String, websocket: Bool)? {
            var firstMatch: (String, String, Bool)?
            for index in rulesByEndpoint[endpoint] ?? [] {
                let rule = rules[index]
                guard suitable(rule, routeValues, method: method) else { continue }
                do {
                    let built = try buildRule(rule, routeValues, appendUnknown: appendUnknown, expanded: expanded)
                    if !options.hostMatching || built.domain == binding.serverName {
                        return (built.domain, built.path, rule.websocket)
                    }
                    if firstMatch == nil { firstMatch = (built.domain, built.path, rule.websocket) }
                } catch {
                    converterFailure = converterFailure ?? "\(error)"
                }
            }
            return firstMatch
        }
        guard let (domainPart, path, websocket) = (method == nil ? attempt(.get) : nil) ?? attempt(method) else {
            throw buildError(endpoint, routeValues.map(\.0), method: method, converterFailure: converterFailure)
        }
        let sameDomain = options.hostMatching ? host(for: domainPart, binding) == binding.serverName
            : domainPart == (binding.subdomain ?? "")
        if !external && !websocket && sameDomain {
            if binding.scriptName.isEmpty && path.hasPrefix("/") { return path }
            let relativePath = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
            return URLMap.quotedScript(binding.scriptName) + "/" + relativePath
        }
        let host = self.host(for: domainPart, binding)
        var urlScheme = scheme ?? binding.scheme
        let secure = urlScheme == "https" || urlScheme == "wss"
        if websocket {
            urlScheme = secure ? "wss" : "ws"
        } else {
            urlScheme = secure ? "https" : "http"
        }
        let script = URLMap.quotedScript(binding.scriptName)
        let relativePath = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        return "\(urlScheme)://\(host)\(script)/\(relativePath)"
    }

    /// Werkzeug's `Rule.suitable_for`: the method fits, every argument is given or defaulted, and
    /// given values equal the defaults they name.
    func suitable(_ rule: CompiledRule, _ values: [(String, RouteValue)], method: Method?) -> Bool {
        if let method, let methods = rule.methods, !methods.contains(method) { return false }
        for argument in rule.arguments where rule.defaultValue(argument) == nil {
            if !values.contains(where: { $0.0 == argument }) { return false }
        }
        for d in rule.defaults {
            if let given = values.first(where: { $0.0 == d.name }), given.1 != d.value { return false }
        }
        return true
    }

    /// The domain and path (with the query of unknown values) of `rule` for `values`.
    func buildRule(_ rule: CompiledRule, _ values: [(String, RouteValue)], appendUnknown: Bool,
                   expanded: [(String, [RouteValue])]? = nil) throws -> (domain: String, path: String) {
        func render(_ trace: [ParsedRule.BuildStep]) throws -> String {
            var out = ""
            for step in trace {
                switch step {
                case .text(let text): out += text
                case .variable(let index):
                    let (name, converter) = rule.parsed.variables[index]
                    guard let value = rule.defaultValue(name) ?? values.first(where: { $0.0 == name })?.1 else {
                        throw ConverterArgumentError("missing value '\(name)'")
                    }
                    out += try converter.toURL(value)
                }
            }
            return out
        }
        var path = try render(rule.parsed.pathTrace)
        if appendUnknown {
            let pairs = expanded ?? values.map { ($0.0, [$0.1]) }
            var query: [String] = []
            for (name, items) in pairs where !rule.arguments.contains(name) {
                for item in items {
                    query.append(URLMap.quoteQuery(name) + "=" + URLMap.quoteQuery(item.description))
                }
            }
            if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        }
        return (try render(rule.parsed.domainTrace), path)
    }

    /// Python's `quote_plus` with Werkzeug's safe set for query strings.
    static func quoteQuery(_ text: String) -> String {
        PercentEncoding.encode(text, safe: "!$'()*,/:;?@", spaceAsPlus: true)
    }

    /// `value` as a ``RouteValue`` when it is one of the common scalar types, else nil.
    @inline(__always)
    static func plainValue(_ value: any Sendable) -> RouteValue? {
        switch value {
        case let v as Int: .int(v)
        case let v as String: .string(v)
        case let v as RouteValue: v
        default: nil
        }
    }

    static func unwrapOptional(_ value: any Sendable) -> (any Sendable)? {
        if let optional = value as? any OptionalValue, optional.isNone { return nil }
        return value
    }

    private func buildError(_ endpoint: String, _ names: [String], method: Method?,
                            converterFailure: String?) -> URLBuildError {
        let sortedNames = names.sorted()
        var message = "Could not build url for endpoint '\(endpoint)'"
        if let method { message += " ('\(method)')" }
        if !sortedNames.isEmpty { message += " with values \(URLMap.pythonList(sortedNames))" }
        message += "."
        if let converterFailure, rulesByEndpoint[endpoint] != nil {
            message += " A converter refused a value: \(converterFailure)."
        }
        // Werkzeug's `closest_rule`: endpoint similarity first, then values and method fit.
        var best: (score: Double, rule: CompiledRule)?
        for rule in rules {
            guard let name = rule.endpoint else { continue }
            let score = 0.98 * URLMap.similarity(name, endpoint)
                + (Set(names).isSubset(of: rule.arguments) ? 0.01 : 0)
                + ((method.map { rule.methods?.contains($0) ?? false } ?? false) ? 0.01 : 0)
            if best == nil || score > best!.score { best = (score, rule) }
        }
        var suggestion: String?
        if let rule = best?.rule, let name = rule.endpoint {
            if name == endpoint {
                if let method, let methods = rule.methods, !methods.contains(method) {
                    message += " Did you mean to use methods \(URLMap.pythonList(methods.map(\.rawValue).sorted()))?"
                }
                let missing = rule.arguments.subtracting(names).sorted()
                if !missing.isEmpty { message += " Did you forget to specify values \(URLMap.pythonList(missing))?" }
            } else {
                suggestion = name
                message += " Did you mean '\(name)' instead?"
            }
        } else if rules.allSatisfy({ $0.endpoint == nil }) {
            message += " No rule has a name; give routes a name: to build URLs for them."
        }
        return URLBuildError(endpoint: endpoint, valueNames: sortedNames, suggestion: suggestion, description: message)
    }

    /// `['a', 'b']`, as Python prints a list of strings.
    static func pythonList(_ items: [String]) -> String { "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]" }

    /// 1 − (Levenshtein distance / longer length): 1 for equal strings, 0 for nothing in common.
    static func similarity(_ a: String, _ b: String) -> Double {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty && y.isEmpty { return 1 }
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return 1 - Double(previous[y.count]) / Double(max(x.count, y.count))
    }
}

/// Lets build values be optionals (nil values are dropped, as Werkzeug drops `None`).
protocol OptionalValue {
    var isNone: Bool { get }
}

extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
}
