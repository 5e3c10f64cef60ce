#if canImport(Glibc)
import Glibc
#endif
import WerkServer
import WerkTestSupport

/// The nginx the interop test compares with: `root` served at `/static/` with `sendfile`, the given
/// types (the charset added for `textTypes`, as Werk's table does) and, when it has the module,
/// `gzip_static`. Runs on WerkTestSupport's ``Nginx``.
enum StaticNginx {
    /// Whether `executable` was built with `gzip_static` (`nginx -V`).
    static func hasGzipStatic(_ executable: String) -> Bool {
        ExternalTool.run(["/bin/sh", "-c", "'\(executable)' -V 2>&1 | grep -q -- --with-http_gzip_static_module"]) == 0
    }

    /// Starts nginx serving `root` and waits until it listens.
    static func start(root: String, types: [(String, String)], textTypes: [String], gzipStatic: Bool) async throws -> Nginx {
        let typeLines = types.map { "    \($0.1) \($0.0);" }.joined(separator: "\n")
        let nginx = try Nginx("""
            daemon off;
            worker_processes 1;
            pid @FOLDER@/nginx.pid;
            events { worker_connections 128; }
            http {
              access_log off;
              client_body_temp_path @FOLDER@/body; proxy_temp_path @FOLDER@/proxy; fastcgi_temp_path @FOLDER@/fastcgi;
              uwsgi_temp_path @FOLDER@/uwsgi; scgi_temp_path @FOLDER@/scgi;
              types {
            \(typeLines)
              }
              default_type application/octet-stream;
              charset utf-8;
              charset_types \(textTypes.joined(separator: " "));
              sendfile on;
              server_tokens off;
              server {
                listen 127.0.0.1:@PORT@;
                location /static/ { alias \(root)/; \(gzipStatic ? "gzip_static on;" : "") }
              }
            }
            """)
        do { try await nginx.waitUntilListening() } catch { nginx.stop(); throw error }
        return nginx
    }
}

extension Nginx {
    /// Where it listens, for `LiveTransport`.
    var address: Server.Address { Server.Address(host: "127.0.0.1", port: port) }
}
