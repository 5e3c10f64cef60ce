import CWerkZlib

/// A streaming compressor on the system zlib: feed chunks, get compressed bytes, finish once.
///
/// ```swift
/// let deflater = Deflater(format: .gzip)
/// var out = deflater.compress(Array("hello ".utf8))
/// out += deflater.compress(Array("world".utf8), finish: true)
/// try Zlib.decompress(out, maxOutput: 100, format: .gzip)   // "hello world"
/// ```
///
/// One owner at a time: it is a class holding zlib's state, freed when released. Not `Sendable`;
/// move it between tasks only behind a lock.
public final class Deflater {
    /// The framing around the deflate data.
    public enum Format: Sendable {
        /// RFC 1950 (HTTP's `deflate` coding).
        case zlib
        /// RFC 1952 (HTTP's `gzip` coding).
        case gzip
        /// Raw RFC 1951 data, no header or checksum.
        case raw

        var windowBits: Int32 {
            switch self {
            case .zlib: 15
            case .gzip: 31
            case .raw: -15
            }
        }
    }

    private var stream = z_stream()
    private var finished = false
    private let ready: Bool

    /// A compressor at `level` (0 = store … 9 = smallest; clamped; -1 is zlib's default, 6).
    public init(format: Format, level: Int = 6) {
        let clamped = Int32(max(-1, min(9, level)))
        ready = deflateInit2_(&stream, clamped, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
                              zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit { if ready { deflateEnd(&stream) } }

    /// Compresses `input`; with `finish`, also flushes everything and writes the trailer (later
    /// calls return nothing). Without `finish`, output is flushed to a byte boundary
    /// (`Z_SYNC_FLUSH`) when `flush` is true, so a reader can decode what was sent so far.
    public func compress(_ input: some Collection<UInt8>, finish: Bool = false, flush: Bool = false) -> [UInt8] {
        guard ready, !finished else { return [] }
        let mode = finish ? Z_FINISH : (flush ? Z_SYNC_FLUSH : Z_NO_FLUSH)
        var output: [UInt8] = []
        let run = { (base: UnsafeRawPointer?, count: Int) in
            self.stream.next_in = UnsafeMutablePointer(mutating: (base ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                .assumingMemoryBound(to: Bytef.self))
            self.stream.avail_in = uInt(count)
            var chunk = [UInt8](repeating: 0, count: max(1024, min(count / 2 + 64, 64 * 1024)))
            while true {
                let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { out in
                    self.stream.next_out = out.baseAddress
                    self.stream.avail_out = uInt(out.count)
                    let status = deflate(&self.stream, mode)
                    return (status, out.count - Int(self.stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { self.finished = true; break }
                if status != Z_OK && status != Z_BUF_ERROR { break }
                // Done when zlib took all input and had room left (nothing more pending).
                if self.stream.avail_in == 0 && self.stream.avail_out != 0 { break }
            }
        }
        if let done = input.withContiguousStorageIfAvailable({ buffer in run(UnsafeRawPointer(buffer.baseAddress), buffer.count) }) {
            _ = done
        } else {
            let copy = Array(input)
            copy.withUnsafeBytes { run($0.baseAddress, $0.count) }
        }
        return output
    }
}
