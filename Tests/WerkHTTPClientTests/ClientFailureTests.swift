import Glibc
import Synchronization
import Testing
import WerkCore
import WerkHTTPClient
import WerkTestSupport

/// A client whose header and idle timeouts are short: only for the tests of those timeouts (the
/// upstream there never answers, so a slow machine cannot make them fail).
private func fast() -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.headerTimeout = .milliseconds(300)
    configuration.idleTimeout = .milliseconds(300)
    return HTTPClient(configuration: configuration)
}

/// A client with the default (generous) timeouts and changed limits.
private func client(_ change: (inout HTTPClient.Configuration) -> Void = { _ in }) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    change(&configuration)
    return HTTPClient(configuration: configuration)
}

/// The kind of error `body` throws (nil when none), recording any other outcome with the message.
private func kind(of body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> HTTPClientError.Kind? {
    do {
        try await body()
        return nil
    } catch let error as HTTPClientError {
        return error.kind
    } catch {
        Issue.record("not an HTTPClientError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `body` to fail with `expected`, naming the actual error when it does not.
private func expectFailure(_ expected: HTTPClientError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                           _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(expected), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as HTTPClientError {
        #expect(error.kind == expected, "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("HTTPClient against a misbehaving upstream")
struct ClientFailureTests {
    @Test("no response head within the header timeout")
    func headerTimeout() async throws {
        let upstream = try RawUpstream { connection in _ = connection.readHead(); connection.drainUntilClosed() }
        await expectFailure(.timeout(.headers)) { _ = try await fast().send(ClientRequest(endpoint: upstream.endpoint)) }
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("a body that stops midway is an error, never a short body", arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
    ])
    func truncated(response: String) async throws {
        let upstream = try RawUpstream { connection in _ = connection.readHead(); connection.send(response) }
        let answer = try await client().send(ClientRequest(endpoint: upstream.endpoint))
        #expect(await kind { _ = try await answer.collect() } == .connectionClosed)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("no progress in a body within the idle timeout")
    func idleTimeout() async throws {
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            connection.drainUntilClosed()
        }
        let answer = try await fast().send(ClientRequest(endpoint: upstream.endpoint))
        await expectFailure(.timeout(.idle)) { _ = try await answer.collect() }
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("garbage is malformedResponse", arguments: [
        "HELLO\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\nX: y\n\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\u{1}b\r\n\r\n",
    ])
    func garbage(response: String) async throws {
        let upstream = try RawUpstream { connection in _ = connection.readHead(); connection.send(response); connection.drainUntilClosed() }
        #expect(await kind { _ = try await client().send(ClientRequest(endpoint: upstream.endpoint)) } == .malformedResponse)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("a chunked body with a bad size line is malformedResponse")
    func badChunk() async throws {
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            connection.drainUntilClosed()
        }
        let answer = try await client().send(ClientRequest(endpoint: upstream.endpoint))
        #expect(await kind { _ = try await answer.collect() } == .malformedResponse)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("a head over the limits is tooLarge")
    func tooLarge() async throws {
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\nX-Big: \(String(repeating: "a", count: 3000))\r\n\r\n")
            connection.drainUntilClosed()
        }
        let small = client { $0.maxHeaderBytes = 1024 }
        #expect(await kind { _ = try await small.send(ClientRequest(endpoint: upstream.endpoint)) } == .tooLarge)
        let many = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 200 OK\r\n" + String(repeating: "X: 1\r\n", count: 20) + "\r\n")
            connection.drainUntilClosed()
        }
        let few = client { $0.maxHeaderCount = 10 }
        #expect(await kind { _ = try await few.send(ClientRequest(endpoint: many.endpoint)) } == .tooLarge)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
        withExtendedLifetime(many) {}   // the listener must outlive the exchange
    }

    @Test("a refused connection is a connect error")
    func refused() async throws {
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: unusedPort())
        #expect(await kind { _ = try await client().send(ClientRequest(endpoint: endpoint)) } == .connect)
        #expect(await kind { _ = try await client().send(ClientRequest(endpoint: HTTPEndpoint(unixSocketPath: "/nonexistent/werk.sock"))) } == .connect)
    }

    @Test("interim 1xx responses are skipped; an upstream that closes a kept-alive connection is replaced")
    func interimAndStale() async throws {
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            connection.send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            // closes without saying so: the pooled connection is stale
        }
        let client = client()
        #expect(try await client.send(ClientRequest(endpoint: upstream.endpoint)).text() == "ok")
        #expect(try await client.send(ClientRequest(endpoint: upstream.endpoint)).text() == "ok")
        #expect(upstream.accepted == 2)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("backpressure: an upload to an upstream that stops reading stops pulling the body")
    func uploadBackpressure() async throws {
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            connection.waitForPeerToLeave()
        }
        let source = CountingSource()
        let gigabyte = 16 * 1024
        let request = ClientRequest(.post, endpoint: upstream.endpoint, body: .stream(source.stream(chunks: gigabyte, size: 65536), length: nil))
        await expectFailure(.timeout(.idle)) { _ = try await fast().send(request) }
        #expect(source.pulled.load(ordering: .relaxed) < 1024)   // under 64 MiB of the 1 GiB was ever produced
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }

    @Test("backpressure: a response body is read from the socket only as it is pulled")
    func downloadBackpressure() async throws {
        let (reports, report) = AsyncStream.makeStream(of: Int.self)
        let upstream = try RawUpstream { connection in
            _ = connection.readHead()
            var tv = timeval(tv_sec: 1, tv_usec: 0)
            _ = setsockopt(connection.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            guard connection.send("HTTP/1.1 200 OK\r\nContent-Length: \(1 << 30)\r\n\r\n") else { return }
            let chunk = [UInt8](repeating: 1, count: 65536)
            var sent = 0
            while sent < 1 << 30, connection.send(chunk) { sent += chunk.count }
            report.yield(sent)   // the send blocked for a second: the client is not reading
            report.finish()
        }
        let response = try await HTTPClient().send(ClientRequest(endpoint: upstream.endpoint))
        var iterator = response.body.makeAsyncIterator()
        #expect(try await iterator.next()?.isEmpty == false)
        var sent = 0
        for await n in reports { sent = n }
        #expect(sent < 64 * 1024 * 1024)
        withExtendedLifetime(upstream) {}   // the listener must outlive the exchange
    }
}
