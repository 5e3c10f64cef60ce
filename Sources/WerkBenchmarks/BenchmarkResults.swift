// A run's records with the conditions they were measured under, to and from JSON (`--json`, and the
// saved baselines `--compare` reads).

#if canImport(Glibc)
import Glibc
#endif

/// Every record of a run and where it ran.
public struct BenchmarkResults: Sendable, Equatable {
    /// The records in the order they were measured.
    public var records: [BenchmarkRecord]
    /// The conditions: date, processors, load average, build configuration.
    public var environment: [String: String]

    /// Results with `records` and the given environment (by default, this machine's now).
    public init(records: [BenchmarkRecord] = [], environment: [String: String] = BenchmarkResults.currentEnvironment()) {
        self.records = records
        self.environment = environment
    }

    /// The JSON document: `{"format": "werk-benchmarks/1", "environment": {...}, "results": [...]}`.
    public func json() -> JSON {
        let rows: [JSON] = records.map { record in
            var object: [String: JSON] = ["group": .string(record.group), "name": .string(record.name),
                                          "metrics": .object(record.values.mapValues { JSON.double($0) })]
            if record.isBaseline { object["baseline"] = true }
            if !record.note.isEmpty { object["note"] = .string(record.note) }
            return .object(object)
        }
        return .object(["format": "werk-benchmarks/1", "environment": .object(environment.mapValues { JSON.string($0) }),
                        "results": .array(rows)])
    }

    /// Reads a document written by ``json()``. Throws ``BenchmarkFileError`` naming what is wrong.
    public init(json document: JSON) throws(BenchmarkFileError) {
        guard document["format"]?.stringValue == "werk-benchmarks/1" else {
            throw BenchmarkFileError("not a werk-benchmarks/1 document (the \"format\" field is missing or different)")
        }
        guard let rows = document["results"]?.arrayValue else { throw BenchmarkFileError("no \"results\" array") }
        var records: [BenchmarkRecord] = []
        for (index, row) in rows.enumerated() {
            guard let group = row["group"]?.stringValue, let name = row["name"]?.stringValue,
                  let metrics = row["metrics"]?.objectValue else {
                throw BenchmarkFileError("result \(index) needs \"group\", \"name\" and \"metrics\"")
            }
            var values: [String: Double] = [:]
            for (key, value) in metrics {
                guard let number = value.doubleValue else { throw BenchmarkFileError("result \(index): metric \"\(key)\" is not a number") }
                values[key] = number
            }
            records.append(BenchmarkRecord(group: group, name: name, values: values,
                                           isBaseline: row["baseline"]?.boolValue ?? false,
                                           note: row["note"]?.stringValue ?? ""))
        }
        self.init(records: records, environment: (document["environment"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
    }

    /// Reads a results file. Throws ``BenchmarkFileError`` when it is unreadable or not results.
    public init(contentsOf path: String) throws(BenchmarkFileError) {
        guard let bytes = FileIO.read(path) else { throw BenchmarkFileError("cannot read \(path)") }
        let document: JSON
        do { document = try JSON.parse(bytes) } catch { throw BenchmarkFileError("\(path): \(error)") }
        do { self = try BenchmarkResults(json: document) } catch { throw BenchmarkFileError("\(path): \(error.message)") }
    }

    /// Writes ``json()`` to `path`. Throws ``BenchmarkFileError`` when it cannot.
    public func write(to path: String) throws(BenchmarkFileError) {
        try FileIO.write(path, json().serializedBytes())
    }

    /// This machine now: UTC date, processors, 1-minute load average, build configuration.
    public static func currentEnvironment() -> [String: String] {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min))Z"
        var loads = [Double](repeating: 0, count: 3)
        let loadAverage = getloadavg(&loads, 3) > 0 ? String(Double(Int(loads[0] * 100)) / 100) : "?"
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        return ["date": date, "processors": String(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                "load_average": loadAverage, "configuration": configuration]
    }
}

/// A results file that cannot be read or written, with the reason.
public struct BenchmarkFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Whole-file reads and writes with plain syscalls (no Foundation).
enum FileIO {
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > 64 << 20 { return nil }
        }
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws(BenchmarkFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchmarkFileError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { throw BenchmarkFileError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}
