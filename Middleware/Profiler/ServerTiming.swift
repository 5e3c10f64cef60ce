/// The `Server-Timing` header (W3C Server Timing): the slowest layers and spans by self time, then
/// the total so far, as `name;dur=<ms>;desc="<name>"`.
enum ServerTiming {
    static func header(for recording: Recording, entries: Int) -> String {
        let frames = RequestProfile.frames(from: recording.framesSoFar(), start: recording.startTime)
        var byName: [(name: String, time: UInt64)] = []
        for frame in frames.dropFirst() {
            if let index = byName.firstIndex(where: { $0.name == frame.name }) {
                byName[index].time &+= frame.selfTime
            } else {
                byName.append((frame.name, frame.selfTime))
            }
        }
        let top = byName.enumerated().sorted { $0.element.time != $1.element.time ? $0.element.time > $1.element.time : $0.offset < $1.offset }
            .prefix(max(entries, 0))
        var metrics = top.map { metric(name: $0.element.name, nanoseconds: $0.element.time) }
        metrics.append("total;dur=" + milliseconds(frames.first?.totalTime ?? 0))
        return metrics.joined(separator: ", ")
    }

    static func metric(name: String, nanoseconds: UInt64) -> String {
        token(name) + ";dur=" + milliseconds(nanoseconds) + ";desc=" + quoted(name)
    }

    /// Milliseconds with three decimals (`1.234`).
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = (nanoseconds + 500) / 1000
        let fraction = String(micros % 1000)
        return String(micros / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// `name` as an HTTP token: characters outside tchar become `_`; at most 64.
    static func token(_ name: String) -> String {
        var bytes: [UInt8] = []
        for byte in name.utf8.prefix(64) {
            let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            bytes.append(isAlphanumeric || "!#$%&'*+-.^_`|~".utf8.contains(byte) ? byte : UInt8(ascii: "_"))
        }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }

    /// A quoted-string of printable ASCII (others become `?`), `"` and `\` escaped; at most 64.
    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8.prefix(64) {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: "?"))
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}
