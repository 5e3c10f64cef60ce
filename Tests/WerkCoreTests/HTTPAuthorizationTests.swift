import Testing
import WerkCore

@Suite("Authorization and WWW-Authenticate")
struct HTTPAuthorizationTests {
    @Test("decodes Basic credentials", arguments: [
        ("Basic dXNlcjpwYXNz", "user", "pass", "Basic dXNlcjpwYXNz"),
        ("basic dXNlcjpwYXNz", "user", "pass", "Basic dXNlcjpwYXNz"),
        ("Basic dXNlcg==", "user", "", "Basic dXNlcjo="),
        ("Basic ", "", "", "Basic Og=="),
        ("Basic dTpwOnE=", "u", "p:q", "Basic dTpwOnE="),
        ("Basic w6k6w6k=", "é", "é", "Basic w6k6w6k="),
    ])
    func basic(header: String, user: String, password: String, serialized: String) throws {
        let a = try #require(Authorization(parsing: header))
        #expect(a.scheme == "basic")
        #expect(a.username == user && a.password == password)
        #expect(a.headerValue == serialized)
    }

    @Test("invalid base64 or non-UTF-8 Basic credentials give nil", arguments: ["Basic !!!", "Basic /w==", "Basic dXNlcjpwYXNz%", "Basic ab", "Basic dXNlcg"])
    func basicInvalid(header: String) {
        #expect(Authorization(parsing: header) == nil)
    }

    @Test("an empty or absent header gives nil")
    func empty() {
        let absent: String? = nil
        #expect(Authorization(parsing: absent) == nil)
        #expect(Authorization(parsing: "") == nil)
        #expect(WWWAuthenticate(parsing: "") == nil)
    }

    @Test("Bearer and other token schemes keep the token, padding included", arguments: [
        ("Bearer abc.def", "bearer", "abc.def"), ("Bearer abc==", "bearer", "abc=="), ("Negotiate YII=", "negotiate", "YII="),
    ])
    func token(header: String, scheme: String, token: String) throws {
        let a = try #require(Authorization(parsing: header))
        #expect(a.scheme == scheme && a.token == token)
        #expect(a.headerValue == header)
    }

    @Test("a bearer token is only reported for the bearer scheme")
    func bearerToken() throws {
        #expect(try #require(Authorization(parsing: "Bearer t")).bearerToken == "t")
        #expect(try #require(Authorization(parsing: "Token t")).bearerToken == nil)
        #expect(Authorization.bearer("xyz").headerValue == "Bearer xyz")
        #expect(Authorization.basic(username: "user", password: "pass").headerValue == "Basic dXNlcjpwYXNz")
    }

    @Test("parameter schemes such as Digest keep their parameters")
    func parameters() throws {
        let a = try #require(Authorization(parsing: #"Digest username="u", realm="r", nonce="n""#))
        #expect(a.scheme == "digest" && a.token == nil)
        #expect(a.parameters.names == ["username", "realm", "nonce"])
        #expect(a.username == "u" && a.parameters["nonce"] == "n")
        #expect(a.headerValue == "Digest username=u, realm=r, nonce=n")
        #expect(try #require(Authorization(parsing: "Token a=b")).headerValue == "Token a=b")
    }

    @Test("WWW-Authenticate parses and serializes challenges without a trailing space", arguments: [
        (#"Basic realm="Login""#, "basic", "Basic realm=Login"),
        ("Bearer", "bearer", "Bearer"),
        (#"Digest realm="x", nonce="y", qop="auth", algorithm=MD5"#, "digest", #"Digest realm="x", nonce="y", qop="auth", algorithm=MD5"#),
        (#"Bearer realm="a b", error=invalid_token"#, "bearer", #"Bearer realm="a b", error=invalid_token"#),
        ("x-custom tok", "x-custom", "X-Custom tok"),
    ])
    func wwwAuthenticate(header: String, scheme: String, serialized: String) throws {
        let w = try #require(WWWAuthenticate(parsing: header))
        #expect(w.scheme == scheme)
        #expect(w.headerValue == serialized)
    }

    @Test("challenge builders set realm and friends")
    func builders() {
        #expect(WWWAuthenticate.basic(realm: "Login").headerValue == "Basic realm=Login")
        #expect(WWWAuthenticate.basic(realm: "My Site", charsetUTF8: true).headerValue == #"Basic realm="My Site", charset=UTF-8"#)
        #expect(WWWAuthenticate.bearer(realm: "api", error: "invalid_token").headerValue == "Bearer realm=api, error=invalid_token")
        #expect(WWWAuthenticate(scheme: "digest", parameters: ["realm": "r", "nonce": "n", "algorithm": "MD5"]).headerValue
            == #"Digest realm="r", nonce="n", algorithm=MD5"#)
        var w = WWWAuthenticate(scheme: "Basic")
        #expect(w.headerValue == "Basic")
        w.realm = "x"
        #expect(w.realm == "x" && w.headerValue == "Basic realm=x")
    }
}
