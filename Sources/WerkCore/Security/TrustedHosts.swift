/// Refuses requests whose Host is not one of the application's hosts, and makes every absolute URL
/// the application builds use a trusted host (Werkzeug's `trusted_hosts`, Django's `ALLOWED_HOSTS`).
///
/// Put it first in the stack. A request whose Host header is missing, malformed or not listed gets
/// 400 Bad Request before any other layer sees it, so password-reset links, redirects and
/// `url(for:external:)` can never point at an attacker's host (Host-header poisoning).
///
/// ```swift
/// let app = Stack {
///     TrustedHosts(["example.com", ".example.org", "localhost"])   // ".x" also matches subdomains
///     Handler { request in "Hello from \(request.host)" }
/// }
/// ```
public struct TrustedHosts: Middleware {
    /// The accepted hosts, compared without the port and case-insensitively. A leading `.` also
    /// accepts every subdomain (`.example.org` accepts `example.org` and `www.example.org`).
    public let hosts: [String]

    /// A layer accepting only `hosts`. An empty list would refuse every request, which is never
    /// what a configuration means: it accepts none and says so in each 400.
    public init(_ hosts: [String]) { self.hosts = hosts }

    /// Checks the Host against the patterns (made once, here) and sets ``Request/trustedHosts`` so
    /// that absolute URLs built later check it too.
    public func wrap(_ next: Handler) -> Handler {
        let hosts = self.hosts
        let patterns = hosts.map(TrustedHostPattern.init)
        guard !patterns.isEmpty else {   // decided once, here: every request is refused
            return next.mapRequest { _ in
                throw HTTPError(.badRequest, "No host is trusted: TrustedHosts was given an empty list.")
            }
        }
        return next.mapRequest { incoming in
            let host = incoming.host
            if host.isEmpty { throw HTTPError(.badRequest, Request.invalidHostMessage(incoming.headers["Host"])) }
            let name = Request.name(ofHost: host)
            guard patterns.contains(where: { $0.matches(name: name) }) else { throw incoming.untrustedHostError() }
            var request = incoming
            request.trustedHosts = hosts
            return request
        }
    }
}
