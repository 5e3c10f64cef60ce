extension HTTPProxy {
    /// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction.
    static let hopByHop = ["Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
                           "TE", "Trailer", "Transfer-Encoding", "Upgrade"]

    /// Sends `request` to `target` and streams the answer back; 502 or 504 when the upstream fails.
    func forward(_ request: Request, prefix: String, to target: Target) async throws -> Response {
        var outgoing = ClientRequest(request.method, endpoint: target.endpoint, target: upstreamTarget(request, prefix, target),
                                     headers: upstreamHeaders(request, target))
        if request.contentLength.map({ $0 > 0 }) ?? request.headers.contains("Transfer-Encoding") {
            outgoing.body = .stream(try request.body.stream(), length: request.contentLength)
        }
        let answer: ClientResponse
        switch await Self.send(outgoing, with: client) {
        case .success(let response): answer = response
        case .failure(let error): throw Self.gatewayError(error, target)
        }
        var headers = answer.headers
        Self.removeHopByHop(&headers)
        // The upstream body is passed on as it arrives; a failure midway throws from the stream, and the
        // server then aborts the client's connection instead of ending a short body as if complete.
        return Response(status: answer.status, headers: headers, body: .stream(answer.body, length: answer.contentLength))
    }

    /// The upstream's base path, then the request's raw path below its mount point (and below the
    /// prefix with `removePrefix`), then the raw query: the client's escapes reach the upstream as sent.
    func upstreamTarget(_ request: Request, _ prefix: String, _ target: Target) -> String {
        var raw = Substring(request.target)
        if !raw.hasPrefix("/"), let scheme = raw.firstRange(of: "://") {   // absolute-form: keep only the path
            raw = raw[scheme.upperBound...]
            raw = raw[(raw.firstIndex { $0 == "/" || $0 == "?" } ?? raw.endIndex)...]
        }
        if let hash = raw.firstIndex(of: "#") { raw = raw[..<hash] }
        let question = raw.firstIndex(of: "?") ?? raw.endIndex
        // The prefix matched the decoded path; on the raw path, drop as many segments as it (and the
        // mount point) has.
        var segments = request.scriptName.split(separator: "/").count
        if target.removePrefix { segments += prefix.split(separator: "/").count }
        var path = raw[..<question]
        for _ in 0..<segments where path.hasPrefix("/") { path = path.dropFirst().drop { $0 != "/" } }
        return target.basePath + "/" + path.drop { $0 == "/" } + raw[question...]
    }

    func upstreamHeaders(_ request: Request, _ target: Target) -> Headers {
        var headers = request.headers
        Self.removeHopByHop(&headers)
        headers.remove("Content-Length")
        let clientHost = request.headers["Host"]
        switch target.host {
        case .upstream: headers.remove("Host")
        case .keep: break
        case .custom(let host): headers.set("Host", host)
        }
        switch target.forwarding {
        case .xForwarded:
            if let address = request.remoteAddress {
                let chain = request.headers.combinedValue(for: "X-Forwarded-For")
                headers.set("X-Forwarded-For", chain.map { "\($0), \(address)" } ?? address)
            }
            headers.set("X-Forwarded-Proto", request.scheme)
            if let clientHost { headers.set("X-Forwarded-Host", clientHost) }
        case .forwarded:
            var element: [String] = []
            if let address = request.remoteAddress {
                element.append(address.contains(":") ? "for=\"[\(address)]\"" : "for=\(address)")
            }
            element.append("proto=\(request.scheme)")
            if let clientHost, !clientHost.isEmpty { element.append("host=" + HeaderValues.quote(clientHost)) }
            let existing = request.headers.combinedValue(for: "Forwarded")
            headers.set("Forwarded", (existing.map { $0 + ", " } ?? "") + element.joined(separator: ";"))
        case .none:
            break
        }
        for field in target.headers { headers.set(field.name, field.value) }
        return headers
    }

    /// Removes the hop-by-hop headers and every header the Connection header names.
    static func removeHopByHop(_ headers: inout Headers) {
        for value in headers.values(for: "Connection") {
            for name in value.split(separator: ",") {
                let trimmed = ASCII.trimmingWhitespace(name)
                if !trimmed.isEmpty { headers.remove(String(trimmed)) }
            }
        }
        for name in hopByHop { headers.remove(name) }
    }

    /// The client's answer as a value (a `do`/`catch` on the typed error here crashed the 6.3.1 compiler).
    static func send(_ request: ClientRequest, with client: HTTPClient) async -> Result<ClientResponse, HTTPClientError> {
        do throws(HTTPClientError) { return .success(try await client.send(request)) } catch { return .failure(error) }
    }

    /// 504 for a timeout, 502 for anything else the upstream did.
    static func gatewayError(_ error: HTTPClientError, _ target: Target) -> HTTPError {
        if case .timeout = error.kind {
            return HTTPError(.gatewayTimeout, "The upstream \(target.endpoint) did not answer in time: \(error.message)")
        }
        return HTTPError(.badGateway, "The upstream \(target.endpoint) could not be used: \(error.message)")
    }
}
