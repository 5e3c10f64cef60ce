/// A successful match: the rule, its endpoint name and the converted values.
public struct RouteMatch: Sendable {
    /// The compiled rule that matched.
    let compiled: URLMap.CompiledRule
    /// The values: rule variables converted, then defaults.
    public let parameters: RouteParameters
    /// The index of the rule in the map.
    let ruleIndex: Int
    /// The endpoint name, if the rule has one.
    public var endpoint: String? { compiled.endpoint }
    /// The rule string (group prefixes included).
    public var rule: String { compiled.rule }
}

/// What matching a request against a ``URLMap`` gives.
public enum RouteMatchResult: Sendable {
    /// A rule matched.
    case matched(RouteMatch)
    /// The canonical URL is elsewhere: answer 308 with this absolute `Location`.
    case redirect(String)
    /// Rules match the path but not the method: 405 with these methods in `Allow` (sorted).
    case methodNotAllowed([Method])
    /// Only rules of the other kind (WebSocket vs HTTP) match: 400.
    case websocketMismatch
    /// No rule matches.
    case notFound
}

extension URLMap {
    /// Where a request is matched and URLs are built: Werkzeug's `MapAdapter` state.
    public struct Binding: Sendable {
        /// The server name URLs use (the configured one, or the request's host), lower-case.
        public var serverName: String
        /// The request's subdomain (nil with host matching).
        public var subdomain: String?
        /// `http`, `https`, or `ws`/`wss` for a WebSocket upgrade.
        public var scheme: String
        /// The decoded mount prefix (see ``Request/scriptName``).
        public var scriptName: String
        /// Whether the request is a WebSocket upgrade.
        public var websocket: Bool

        /// A binding.
        public init(serverName: String, subdomain: String? = "", scheme: String = "http", scriptName: String = "",
                    websocket: Bool = false) {
            self.serverName = serverName
            self.subdomain = subdomain
            self.scheme = scheme
            self.scriptName = scriptName
            self.websocket = websocket
        }
    }

    /// The binding for `request`: its host (or the configured server name), the subdomain, the
    /// scheme (`ws`/`wss` for an upgrade), and its script name.
    public func binding(for request: Request) -> Binding {
        let websocket = request.isWebSocketUpgrade
        var scheme = request.scheme
        if websocket { scheme = request.isSecure ? "wss" : "ws" }
        let host = ASCII.lowercased(request.host)
        var serverName = host
        var subdomain: String? = options.hostMatching ? nil : ""
        if let configured = options.serverName {
            serverName = URLMap.stripDefaultPort(ASCII.lowercased(configured), scheme: scheme)
            if !options.hostMatching {
                let current = host.split(separator: ".", omittingEmptySubsequences: false)
                let real = serverName.split(separator: ".", omittingEmptySubsequences: false)
                if current.count >= real.count && Array(current.suffix(real.count)) == real {
                    subdomain = current.dropLast(real.count).filter { !$0.isEmpty }.joined(separator: ".")
                } else {
                    subdomain = "<invalid>"
                }
            }
        }
        return Binding(serverName: serverName, subdomain: subdomain, scheme: scheme,
                       scriptName: request.scriptName, websocket: websocket)
    }

    static func stripDefaultPort(_ host: String, scheme: String) -> String {
        if (scheme == "http" || scheme == "ws") && host.hasSuffix(":80") { return String(host.dropLast(3)) }
        if (scheme == "https" || scheme == "wss") && host.hasSuffix(":443") { return String(host.dropLast(4)) }
        return host
    }

    /// Whether matching needs the host at all (host matching or a configured server name).
    var matchesDomain: Bool { options.hostMatching || options.serverName != nil }

    /// Matches a decoded path as Werkzeug's `MapAdapter.match` does. `queryString` (raw) is kept on
    /// redirects.
    public func match(_ pathInfo: String, method: Method = .get, binding: Binding,
                      queryString: String = "") -> RouteMatchResult {
        let domain = options.hostMatching ? binding.serverName : (binding.subdomain ?? "")
        var trace = MatchTrace()
        var path = pathInfo
        let first = matchOnce(&path, domain: domain, method: method, websocket: binding.websocket, trace: &trace)
        switch first {
        case .some(.slashRequired):
            let canonical = pathInfo.isEmpty ? "/" : "/" + path.trimmingLeadingSlashes + "/"
            return .redirect(redirectURL(canonical, binding, queryString))
        case .some(.found(let match)):
            return finish(match, method: method, binding: binding, queryString: queryString)
        case .some(.rejected):
            return failure(trace)
        case nil:
            break
        }
        if options.mergeSlashes && pathInfo.hasRepeatedSlash {
            var merged = pathInfo.mergingSlashes
            switch matchOnce(&merged, domain: domain, method: method, websocket: binding.websocket, trace: &trace) {
            case .some(.slashRequired):
                return .redirect(redirectURL("/" + merged.trimmingLeadingSlashes + "/", binding, queryString))
            case .some(.found(let match)) where rules[match.ruleIndex].mergeSlashes:
                return .redirect(redirectURL("/" + merged.trimmingLeadingSlashes, binding, queryString))
            default:
                break
            }
        }
        return failure(trace)
    }

    /// 405 when rules matched the path with other methods (Werkzeug's `have_match_for`), else 400 for
    /// a WebSocket mismatch, else 404.
    private func failure(_ trace: MatchTrace) -> RouteMatchResult {
        var methods = Set<Method>()
        for index in trace.mismatchedRules { methods.formUnion(rules[Int(index)].methods ?? []) }
        if !methods.isEmpty { return .methodNotAllowed(methods.sorted { $0.rawValue < $1.rawValue }) }
        return trace.websocketMismatch ? .websocketMismatch : .notFound
    }

    private enum Once {
        case found(RouteMatch)
        case slashRequired
        /// A rule matched but a converter rejected the value: 404 without trying the merged path.
        case rejected
    }

    /// One pass over the trie, converting the values of the rule found.
    private func matchOnce(_ path: inout String, domain: String, method: Method, websocket: Bool,
                           trace: inout MatchTrace) -> Once? {
        var domain = domain
        let hasParts = !path.isEmpty
        return domain.withUTF8 { domainBytes in
            path.withUTF8 { pathBytes in
                var start = 0
                while start < pathBytes.count && pathBytes[start] == UInt8(ascii: "/") { start += 1 }
                let rest = UnsafeBufferPointer(rebasing: pathBytes[start...])
                return withUnsafeTemporaryAllocation(of: Capture.self, capacity: max(1, trie.maxVariables)) { captures in
                    var matcher = TrieMatcher(trie: trie, domain: domainBytes, path: rest,
                                              methodBit: trie.methodBit(method), websocket: websocket,
                                              captures: captures)
                    let outcome = matcher.run(hasParts: hasParts)
                    if matcher.trace.websocketMismatch { trace.websocketMismatch = true }
                    if !matcher.trace.mismatchedRules.isEmpty { trace.mismatchedRules += matcher.trace.mismatchedRules }
                    switch outcome {
                    case .none: return nil
                    case .slashRequired: return .slashRequired
                    case .found(let ruleIndex):
                        let rule = rules[Int(ruleIndex)]
                        if rule.slots.count == 1 && rule.defaults.isEmpty {
                            let capture = captures[0]
                            let bytes = UnsafeBufferPointer(rebasing: (capture.inDomain ? domainBytes : rest)[
                                Int(capture.start)..<Int(capture.end)])
                            guard let value = try? rule.slots[0].convert(bytes) else { return .rejected }
                            return .found(RouteMatch(compiled: rule, parameters: RouteParameters(name: rule.slots[0].name,
                                                                                                 value: value),
                                                     ruleIndex: Int(ruleIndex)))
                        }
                        var pairs: [(name: String, value: RouteValue)] = []
                        pairs.reserveCapacity(rule.slots.count + rule.defaults.count)
                        for (i, slot) in rule.slots.enumerated() {
                            let capture = captures[i]
                            let bytes = UnsafeBufferPointer(rebasing: (capture.inDomain ? domainBytes : rest)[
                                Int(capture.start)..<Int(capture.end)])
                            guard let value = try? slot.convert(bytes) else { return .rejected }
                            pairs.append((slot.name, value))
                        }
                        for d in rule.defaults {
                            if let existing = pairs.firstIndex(where: { $0.name == d.name }) {
                                pairs[existing].value = d.value
                            } else {
                                pairs.append(d)
                            }
                        }
                        return .found(RouteMatch(compiled: rule, parameters: RouteParameters(pairs),
                                                 ruleIndex: Int(ruleIndex)))
                    }
                }
            }
        }
    }

    /// Redirects for defaults (`redirect_defaults`) and `redirectTo`, or the match itself.
    private func finish(_ match: RouteMatch, method: Method, binding: Binding, queryString: String) -> RouteMatchResult {
        let rule = match.compiled
        if !hasRedirects[match.ruleIndex] { return .matched(match) }
        if rule.alias, let endpoint = rule.endpoint {
            // Werkzeug's `make_alias_redirect_url`: the canonical URL, external, without unknown values.
            let values = match.parameters.pairs.map { ($0.name, $0.value as any Sendable) }
            if var url = try? build(endpoint, values, method: method, external: true, appendUnknown: false,
                                    context: binding) {
                if !queryString.isEmpty { url += "?" + queryString }
                return .redirect(url)
            }
            return .notFound
        }
        if options.redirectDefaults {
            for index in defaultRedirectCandidates[match.ruleIndex] {
                let other = rules[index]
                var values = match.parameters.pairs
                guard suitable(other, values.map { ($0.name, $0.value) }, method: method) else { continue }
                for d in other.defaults {
                    if let i = values.firstIndex(where: { $0.name == d.name }) { values[i].value = d.value } else { values.append(d) }
                }
                if let built = try? buildRule(other, values.map { ($0.name, $0.value) }, appendUnknown: true) {
                    return .redirect(redirectURL(built.path, binding, queryString, domainPart: built.domain))
                }
            }
        }
        if let target = rule.redirectTo {
            var location: String
            switch target {
            case .template(let template):
                location = URLMap.fillPlaceholders(template, rule: rule, values: match.parameters)
            case .function(let function):
                location = (try? function(match.parameters)) ?? "/"
            }
            let netloc = (binding.subdomain ?? "").isEmpty ? binding.serverName
                : "\(binding.subdomain!).\(binding.serverName)"
            let base = "\(binding.scheme)://\(netloc)" + URLMap.quotedScript(binding.scriptName) + "/"
            if location.contains("://") {
            } else if location.hasPrefix("//") {
                location = binding.scheme + ":" + location
            } else if location.hasPrefix("/") {
                location = "\(binding.scheme)://\(netloc)" + location
            } else {
                location = base + location
            }
            return .redirect(location)
        }
        return .matched(match)
    }

    /// `<name>` in `template` replaced by the rule's converter output for the matched value.
    static func fillPlaceholders(_ template: String, rule: CompiledRule, values: RouteParameters) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if let value = values.routeValue(name) {
                let converter = rule.parsed.variables.first { $0.name == name }?.converter
                out += (try? converter?.toURL(value)) ?? value.description
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Werkzeug's `make_redirect_url`: scheme, host, script name, the quoted path and the query.
    func redirectURL(_ path: String, _ binding: Binding, _ queryString: String, domainPart: String? = nil) -> String {
        let quoted = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let encoded = PercentEncoding.encode(quoted, safe: PercentEncoding.pathSafe + "%")
        var url = "\(binding.scheme)://\(host(for: domainPart, binding))" + URLMap.quotedScript(binding.scriptName)
            + "/" + encoded
        if !queryString.isEmpty { url += "?" + queryString }
        return url
    }

    /// Werkzeug's `get_host`.
    func host(for domainPart: String?, _ binding: Binding) -> String {
        if options.hostMatching { return domainPart ?? binding.serverName }
        let subdomain = domainPart ?? binding.subdomain ?? ""
        return subdomain.isEmpty ? binding.serverName : "\(subdomain).\(binding.serverName)"
    }

    /// The script name percent-encoded, without a trailing `/` (empty at the root).
    static func quotedScript(_ scriptName: String) -> String {
        if scriptName.isEmpty { return "" }
        var script = Substring(scriptName)
        while script.hasSuffix("/") { script = script.dropLast() }
        while script.hasPrefix("/") { script = script.dropFirst() }
        return script.isEmpty ? "" : "/" + PercentEncoding.encode(script, safe: PercentEncoding.pathSafe)
    }
}

extension String {
    /// Whether the string contains `//` (a byte scan; `contains("//")` is a generic search).
    var hasRepeatedSlash: Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/") { return true }
            previous = byte
        }
        return false
    }

    var trimmingLeadingSlashes: Substring {
        var s = Substring(self)
        while s.hasPrefix("/") { s = s.dropFirst() }
        return s
    }
}

extension Request {
    /// Whether this is a WebSocket upgrade: a `ws`/`wss` scheme, or `Connection: upgrade` with
    /// `Upgrade: websocket`.
    public var isWebSocketUpgrade: Bool {
        if scheme == "ws" || scheme == "wss" { return true }
        // Most requests have no Upgrade field: compare name lengths before any case-insensitive compare.
        var upgrade: String?
        for field in headers where field.name.utf8.count == 7 && ASCII.equalsIgnoringCase(field.name, "Upgrade") {
            upgrade = field.value
            break
        }
        guard let upgrade, ASCII.equalsIgnoringCase(upgrade.trimmingWhitespace, "websocket"),
              let connection = headers.combinedValue(for: "Connection") else { return false }
        return connection.split(separator: ",").contains { ASCII.equalsIgnoringCase($0.trimmingWhitespace, "upgrade") }
    }
}
