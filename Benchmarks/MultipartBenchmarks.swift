// Multipart: the sans-IO decoder on a 64 MiB file part and on a form of 1 000 small fields, the
// same bodies through request.files()/form(), Werkzeug's parser on the same bodies (python3 with
// werkzeug installed; skipped otherwise), an upload over loopback into a temporary file, and a
// 1 GiB streamed upload with the process's peak RSS growth.

import Glibc
import Synchronization
import Werk

func runMultipartBenchmarks(_ report: BenchmarkReport) async throws {
    // First, while the process is small: the streamed upload's RSS growth.
    print("\nMultipart: uploads over loopback (an in-process server, a client thread)")
    try await streamedUploadRSS(bytes: 1 << 30)
    try await uploadToTemporaryFile(bytes: 256 << 20)

    let fileBody = try makeFileBody(size: 64 << 20)
    let fieldsBody = try makeFieldsBody(count: 1_000)
    let python = findPythonWithWerkzeug()
    let bodyPath = "/tmp/werk-bench-multipart-\(getpid())"
    defer { unlink(bodyPath + ".file"); unlink(bodyPath + ".fields") }

    report.header("Multipart: decoding (ns/op, best of 5 rounds; GB/s = 10^9 bytes/s)")
    let decodeNs = measure(iterations: 1, rounds: 5) { blackHole(decodeAll(fileBody.chunks, boundary: fileBody.boundary)) }
    report.add(BenchmarkResult(group: "multipart", name: "decoder: 64 MiB file part (1 MiB chunks)", nanosecondsPerOp: decodeNs,
                               note: "\(gbps(fileBody.size, decodeNs)) GB/s, target >= 1.5"))
    let fieldsNs = measure(iterations: 50) { blackHole(decodeAll(fieldsBody.chunks, boundary: fieldsBody.boundary)) }
    report.add(BenchmarkResult(group: "multipart", name: "decoder: 1 000 small fields (\(fieldsBody.size / 1024) KiB)",
                               nanosecondsPerOp: fieldsNs, note: "\(Int(fieldsNs / 1000)) ns/field"))
    let filesNs = try await measureAsync(iterations: 1, rounds: 5) {
        let files = try await request(fileBody).files()
        blackHole(files)
    }
    report.add(BenchmarkResult(group: "multipart", name: "request.files(): 64 MiB file, spooled to a temp file",
                               nanosecondsPerOp: filesNs, note: "\(gbps(fileBody.size, filesNs)) GB/s"))
    let formNs = try await measureAsync(iterations: 50) { blackHole(try await request(fieldsBody).form()) }
    report.add(BenchmarkResult(group: "multipart", name: "request.form(): 1 000 small fields", nanosecondsPerOp: formNs))

    guard let python else {
        print("  (python3 with werkzeug not found: Werkzeug comparison skipped)")
        return
    }
    try writeFile(bodyPath + ".file", fileBody.chunks)
    try writeFile(bodyPath + ".fields", fieldsBody.chunks)
    let script = bodyPath + ".py"
    try writeFile(script, [Array(werkzeugScript.utf8)])
    defer { unlink(script) }
    report.header("Multipart: Werkzeug \(runProcess(python, ["-c", "import importlib.metadata as m; print(m.version('werkzeug'), end='')"]) ?? "?") on the same bodies (best of its rounds)")
    let cases: [(String, String, String, Double)] = [
        ("decoder: 64 MiB file part (64 KiB chunks)", ".file", "decoder", decodeNs),
        ("decoder: 1 000 small fields", ".fields", "decoder", fieldsNs),
        ("parse_form_data: 64 MiB file part", ".file", "parse", filesNs),
        ("parse_form_data: 1 000 small fields", ".fields", "parse", formNs),
    ]
    for (name, suffix, mode, werkNs) in cases {
        let boundary = suffix == ".file" ? fileBody.boundary : fieldsBody.boundary
        let rounds = suffix == ".file" ? "3" : "20"
        guard let output = runProcess(python, [script, bodyPath + suffix, boundary, mode, rounds]),
              let seconds = Double(output.trimmingCharacters()) else {
            print("  werkzeug \(name): failed")
            continue
        }
        let ns = seconds * 1e9
        report.add(BenchmarkResult(group: "werkzeug", name: name, nanosecondsPerOp: ns,
                                   note: "Werk is \(ratio(ns / werkNs))x faster"))
    }
}

/// A multipart body already cut into 1 MiB chunks (as the server hands them out).
struct ChunkedBody {
    var boundary: String
    var chunks: [[UInt8]]
    var size: Int { chunks.reduce(0) { $0 + $1.count } }
}

private func makeFileBody(size: Int) throws -> ChunkedBody {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var content = [UInt8](repeating: 0, count: size)
    for i in 0..<size {   // xorshift bytes: no boundary lookalikes, realistic for compressed files
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        content[i] = UInt8(truncatingIfNeeded: state)
    }
    let encoder = MultipartEncoder()
    let body = try encoder.encode([.file("upload", filename: "big.bin", bytes: content)])
    return ChunkedBody(boundary: encoder.boundary, chunks: split(body, by: 1 << 20))
}

private func makeFieldsBody(count: Int) throws -> ChunkedBody {
    let encoder = MultipartEncoder()
    let body = try encoder.encode((0..<count).map { .field("field\($0)", "value number \($0)") })
    return ChunkedBody(boundary: encoder.boundary, chunks: split(body, by: 1 << 20))
}

private func split(_ bytes: [UInt8], by size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min(bytes.count, $0 + size)]) }
}

/// Feeds every chunk to a decoder and counts the body bytes it hands out.
private func decodeAll(_ chunks: [[UInt8]], boundary: String) -> Int {
    var total = 0
    do {
        var decoder = try MultipartDecoder(boundary: boundary, maxFormMemorySize: .max)
        for chunk in chunks {
            decoder.receive(chunk)
            while case let event = try decoder.next(), event != .needData {
                if case .data(let bytes, _) = event { total += bytes.count }
            }
        }
        decoder.finish()
        while case let event = try decoder.next(), event != .end {
            if case .data(let bytes, _) = event { total += bytes.count }
        }
    } catch {
        print("decode failed: \(error)")
    }
    return total
}

private func request(_ body: ChunkedBody) -> Request {
    let chunks = Mutex(body.chunks[...])
    let stream = ByteStream { chunks.withLock { $0.popFirst() } }
    var request = Request(method: .post, target: "/", headers: ["Content-Type": "multipart/form-data; boundary=\(body.boundary)"],
                          body: RequestBody(stream: stream, declaredLength: body.size))
    request.maxFormMemorySize = 1 << 20
    return request
}

private func gbps(_ bytes: Int, _ ns: Double) -> String { String(Double(Int(Double(bytes) / ns * 100)) / 100) }
private func ratio(_ value: Double) -> String { String(Double(Int(value * 10)) / 10) }

private func writeFile(_ path: String, _ chunks: [[UInt8]]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw HTTPError(.internalServerError, "cannot write \(path)") }
    defer { close(fd) }
    for chunk in chunks {
        var done = 0
        while done < chunk.count {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + done, chunk.count - done) }
            guard n > 0 else { throw HTTPError(.internalServerError, "cannot write \(path)") }
            done += n
        }
    }
}

/// The first python3 on PATH that can import werkzeug.
private func findPythonWithWerkzeug() -> String? {
    let path = String(cString: getenv("PATH") ?? strdup("/usr/bin:/bin")) + ":/usr/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/python3"
        if access(candidate, X_OK) == 0, runProcess(candidate, ["-c", "import werkzeug; print('ok', end='')"]) == "ok" {
            return candidate
        }
    }
    return nil
}

extension String {
    func trimmingCharacters() -> String {
        String(self.drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}

/// Times Werkzeug on a body file: `decoder` (sans-IO MultipartDecoder, 64 KiB chunks, as its
/// MultiPartParser reads) or `parse` (parse_form_data, files spooled as Werkzeug does). Prints the
/// best time in seconds.
private let werkzeugScript = #"""
import io, sys, time
from werkzeug.formparser import parse_form_data
from werkzeug.sansio.multipart import MultipartDecoder, Data, NeedData, Epilogue

path, boundary, mode, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
body = open(path, "rb").read()

def decode():
    d = MultipartDecoder(boundary.encode(), max_form_memory_size=None)
    total = 0
    for i in range(0, len(body), 65536):
        d.receive_data(body[i:i + 65536])
        while True:
            e = d.next_event()
            if isinstance(e, (NeedData, Epilogue)):
                break
            if isinstance(e, Data):
                total += len(e.data)
    return total

def parse():
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=" + boundary,
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    _, form, files = parse_form_data(env, max_form_memory_size=1 << 20)
    for f in files.values():
        f.stream.close()
    return len(form) + len(files)

best = float("inf")
for _ in range(rounds):
    start = time.perf_counter()
    decode() if mode == "decoder" else parse()
    best = min(best, time.perf_counter() - start)
print(best)
"""#
