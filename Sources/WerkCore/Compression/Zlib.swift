import CWerkZlib
import Synchronization

/// zlib streams (RFC 1950: a 2-byte header, deflate data, an Adler-32 trailer) on the system zlib.
///
/// `compress` matches Python's `zlib.compress` byte for byte at the same level (on zlib 1.2.x; other
/// deflate implementations such as zlib-ng may emit different, equally valid bytes).
///
/// ```swift
/// let packed = Zlib.compress(Array(repeating: 97, count: 100))       // starts 78 9c
/// let bytes = try Zlib.decompress(packed, maxOutput: 1 << 20)        // 100 bytes of "a"
/// ```
public enum Zlib {
    /// An error from `decompress`.
    public enum Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The input is not a valid zlib stream (bad header, bad data, bad checksum); zlib's message.
        case corrupt(String)
        /// The input ended before the end of the stream.
        case truncated
        /// There are bytes after the end of the stream.
        case trailingData(count: Int)
        /// The output would be larger than the `maxOutput` the caller allowed.
        case outputTooLarge(limit: Int)

        /// A sentence saying what went wrong.
        public var description: String {
            switch self {
            case .corrupt(let reason): "corrupt zlib data: \(reason)"
            case .truncated: "zlib data ends before the end of the stream"
            case .trailingData(let count): "\(count) bytes follow the end of the zlib stream"
            case .outputTooLarge(let limit): "inflated data would exceed the limit of \(limit) bytes"
            }
        }
    }

    /// A zlib stream of `bytes` at `level` (0 = store … 9 = smallest; values outside -1...9 are
    /// clamped; -1 means zlib's default, 6). Default window (15 bits) and memory level (8), like Python.
    public static func compress(_ bytes: some Collection<UInt8>, level: Int = 6) -> [UInt8] {
        let clamped = Int32(max(-1, min(9, level)))
        return withContiguousBytes(bytes) { input in
            if clamped == 6 || clamped == Z_DEFAULT_COMPRESSION, let stream = DeflatePool.shared.take() {
                defer { DeflatePool.shared.give(stream) }
                if let out = deflateAll(input, stream) { return out }
            }
            let bound = Int(compressBound(uLong(input.count)))
            var status: Int32 = Z_OK
            let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                var length = uLong(bound)
                let source = (input.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                    .assumingMemoryBound(to: Bytef.self)
                status = compress2(buffer.baseAddress, &length, source, uLong(input.count), clamped)
                count = status == Z_OK ? Int(length) : 0
            }
            // compress2 with a compressBound-sized buffer and a valid level can only fail when
            // zlib cannot allocate its state, which Swift treats as fatal everywhere else too.
            precondition(status == Z_OK, "zlib compress2 failed with status \(status) (out of memory)")
            return out
        }
    }

    /// Compresses all of `input` with a pooled level-6 stream (the same bytes `compress2` writes);
    /// nil if zlib reports an error.
    private static func deflateAll(_ input: UnsafeRawBufferPointer, _ stream: UnsafeMutablePointer<z_stream>) -> [UInt8]? {
        guard input.count <= Int(UInt32.max) else { return nil }
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: (input.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
                .assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(bound)
            ok = deflate(stream, Z_FINISH) == Z_STREAM_END
            count = ok ? Int(stream.pointee.total_out) : 0
        }
        return ok ? out : nil
    }

    /// Inflates a complete zlib stream (or gzip / raw deflate data, by `format`), refusing to produce more than `maxOutput` bytes (a zip-bomb
    /// guard: inflation stops as soon as the limit is passed). Throws on corrupt or truncated input and
    /// on bytes after the end of the stream.
    public static func decompress(_ bytes: some Collection<UInt8>, maxOutput: Int,
                                  format: Deflater.Format = .zlib) throws(Zlib.Error) -> [UInt8] {
        let result: Result<[UInt8], Zlib.Error> = withContiguousBytes(bytes) { input in
            inflate(input, maxOutput: max(0, maxOutput), windowBits: format.windowBits)
        }
        return try result.get()
    }

    private static func inflate(_ input: UnsafeRawBufferPointer, maxOutput: Int, windowBits: Int32) -> Result<[UInt8], Zlib.Error> {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(.corrupt("inflateInit failed (out of memory)"))
        }
        defer { inflateEnd(&stream) }
        let source = UnsafeMutableRawPointer(mutating: input.baseAddress ?? UnsafeRawPointer(CryptoGlobals.emptyByte))
        var remaining = input.count
        var offset = 0
        var output: [UInt8] = []
        // One byte more than allowed, so "exactly maxOutput" and "more than maxOutput" differ.
        let cap = maxOutput == Int.max ? maxOutput : maxOutput + 1
        var chunk = [UInt8](repeating: 0, count: min(64 * 1024, max(cap, 1)))
        while true {
            let feed = min(remaining, Int(UInt32.max))
            stream.next_in = (source + offset).assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(feed)
            let room = min(chunk.count, cap - output.count)
            let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(room)
                let status = CWerkZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, room - Int(stream.avail_out))
            }
            let consumed = feed - Int(stream.avail_in)
            offset += consumed
            remaining -= consumed
            output.append(contentsOf: chunk[0..<produced])
            if output.count > maxOutput { return .failure(.outputTooLarge(limit: maxOutput)) }
            switch status {
            case Z_STREAM_END:
                return remaining == 0 ? .success(output) : .failure(.trailingData(count: remaining))
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: either all input is used (truncated) or the output is full.
                if remaining == 0 && produced < room { return .failure(.truncated) }
                if produced == 0 && consumed == 0 { return .failure(.truncated) }
                continue
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                return .failure(.corrupt(reason))
            }
        }
    }
}

/// Level-6 deflate streams kept for reuse. Setting up a stream allocates and clears about 256 KiB,
/// which costs far more than compressing a session cookie; `deflateReset` makes a used stream
/// produce exactly what a fresh one would.
final class DeflatePool: Sendable {
    static let shared = DeflatePool()
    private static let capacity = 4

    /// Streams not in use. The pointers are only touched by the thread that took them out.
    private let idle = Mutex<[StreamBox]>([])

    /// A stream pointer that may cross threads: it is owned by exactly one holder at a time
    /// (the pool, or the caller between `take` and `give`).
    struct StreamBox: @unchecked Sendable {
        let stream: UnsafeMutablePointer<z_stream>
    }

    /// A reset level-6 stream, or nil if zlib cannot allocate one.
    func take() -> UnsafeMutablePointer<z_stream>? {
        if let box = idle.withLock({ $0.popLast() }) {
            guard deflateReset(box.stream) == Z_OK else {
                DeflatePool.destroy(box.stream)
                return nil
            }
            return box.stream
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(stream, 6, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            return nil
        }
        return stream
    }

    /// Returns a stream to the pool, or frees it when the pool is full.
    func give(_ stream: UnsafeMutablePointer<z_stream>) {
        let kept = idle.withLock { streams -> Bool in
            guard streams.count < DeflatePool.capacity else { return false }
            streams.append(StreamBox(stream: stream))
            return true
        }
        if !kept { DeflatePool.destroy(stream) }
    }

    private static func destroy(_ stream: UnsafeMutablePointer<z_stream>) {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}
