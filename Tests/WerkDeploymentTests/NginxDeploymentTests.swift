import Glibc
import Synchronization
import Testing
import Werk
import WerkTestSupport

/// The nginx configuration the article documents: an upstream of two Werk processes (one on TCP, one
/// on a Unix socket) with keep-alive, served under /app/, streaming both ways.
let nginxConfiguration = """
    user root;
    worker_processes 1;
    pid @FOLDER@/nginx.pid;
    daemon off;
    events { worker_connections 256; }
    http {
        access_log off;
        client_body_temp_path @FOLDER@/body;
        proxy_temp_path @FOLDER@/proxy;
        fastcgi_temp_path @FOLDER@/fastcgi;
        uwsgi_temp_path @FOLDER@/uwsgi;
        scgi_temp_path @FOLDER@/scgi;

        upstream werk {
            server 127.0.0.1:@TCP@;
            server unix:@SOCKET@;
            keepalive 8;
        }
        server {
            listen 127.0.0.1:@PORT@;
            location /app/ {
                proxy_pass http://werk/;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_set_header Host $http_host;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Proto https;
                proxy_set_header X-Forwarded-Host $http_host;
                proxy_set_header X-Forwarded-Prefix /app;
                client_max_body_size 0;
                proxy_request_buffering off;
                proxy_buffering off;
            }
        }
    }
    """

@Suite("Deployment behind nginx")
struct NginxDeploymentTests {
    @Test("nginx in front of two Werk processes: client address, https, host, prefix, shared sessions, 200 MiB both ways, a slow client",
          .requires(.nginx))
    func behindNginx() async throws {
        // Two Werk processes (Tests/DeploymentApp), each printing its address when it listens.
        let socketPath = "/tmp/werk-deploy-\(getpid()).sock"
        let app = Spawned.productDirectory + "/DeploymentApp"
        let common = ["--no-access-log", "--event-loops", "1"]
        let first = try Spawned(app, ["--host", "127.0.0.1", "--port", "0"] + common, environment: ["WERK_APP_NAME": "tcp"])
        let second = try Spawned(app, ["--unix-socket", socketPath] + common, environment: ["WERK_APP_NAME": "unix"])
        defer { first.stop(); second.stop() }
        let prefix = "Running on http://127.0.0.1:"
        let line = first.readLine(first.stdout)
        try #require(line.hasPrefix(prefix), "the TCP process said: \(line) \(first.readAll(first.stderr))")
        let tcpPort = String(line.dropFirst(prefix.count).prefix { $0 != "/" })
        let unixLine = second.readLine(second.stdout)
        try #require(unixLine.hasPrefix("Running on"), "the Unix-socket process said: \(unixLine)")
        let nginx = try Nginx(nginxConfiguration.replacingOccurrences("@TCP@", with: tcpPort)
            .replacingOccurrences("@SOCKET@", with: socketPath))
        defer { nginx.stop() }
        do {
            try await nginx.waitUntilListening()
            try await check(port: nginx.port)
        } catch {
            Issue.record("nginx log: \(nginx.log)")
            throw error
        }
        first.stop()
        second.stop()
        let firstStatus = await first.exitStatus()
        let secondStatus = await second.exitStatus()
        #expect(firstStatus == 0 && secondStatus == 0)   // SIGTERM: both shut down gracefully
    }

    func check(port: Int) async throws {
        let client = HTTPClient()
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: port)
        func get(_ target: String, _ headers: Headers = [:]) async throws -> String {
            let response = try await client.send(ClientRequest(endpoint: endpoint, target: target, headers: headers))
            #expect(response.status == .ok, "\(target): \(response.status)")
            return try await response.text()
        }
        // ProxyFix: the client's address (a spoofed left-most value ignored), https, the host and the prefix.
        var servedBy: Set<String> = []
        for _ in 0..<6 {
            let parts = try await get("/app/whoami", ["X-Forwarded-For": "6.6.6.6"]).split(separator: " ").map(String.init)
            #expect(parts.dropFirst() == ["127.0.0.1", "https", "127.0.0.1:\(port)", "/app", "/app/whoami"])
            servedBy.insert(parts[0])
        }
        #expect(servedBy == ["tcp", "unix"])   // round-robin over both
        // A session written through one process is read through the other.
        var cookie = ""
        let set = try await client.send(ClientRequest(endpoint: endpoint, target: "/app/session/set/shared"))
        _ = try await set.collect()
        cookie = String(set.headers["Set-Cookie"]?.split(separator: ";").first ?? "")
        #expect(cookie.hasPrefix("session="))
        var readers: Set<String> = []
        for _ in 0..<4 {
            let parts = try await get("/app/session/get", ["Cookie": cookie]).split(separator: " ").map(String.init)
            #expect(parts.last == "shared")
            readers.insert(parts[0])
        }
        #expect(readers == ["tcp", "unix"])
        // 200 MiB up and down, streamed.
        let chunk = [UInt8](repeating: 1, count: 1 << 20)
        let upload = ByteStream { writer in for _ in 0..<200 { try await writer.write(chunk) } }
        let uploaded = try await client.send(ClientRequest(.post, endpoint: endpoint, target: "/app/upload",
                                                           body: .stream(upload, length: 200 << 20)))
        #expect(try await uploaded.text() == String(200 << 20))
        var downloaded = 0
        for try await piece in try await client.send(ClientRequest(endpoint: endpoint, target: "/app/download/200")).body {
            downloaded += piece.count
        }
        #expect(downloaded == 200 << 20)
        // A slow client (half a request head, then nothing) does not stall the others.
        let slow = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(slow) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(slow, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let partial = Array("POST /app/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc".utf8)
        _ = partial.withUnsafeBytes { send(slow, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        for _ in 0..<4 { #expect(try await get("/app/whoami").hasSuffix("/app/whoami")) }
    }
}
