#if canImport(Glibc)
import Glibc
#endif

/// The plain (non-libFuzzer) entry point of a fuzz harness: replays the files named on the command
/// line (crash files, a corpus) through `fuzzOne`, and exits 1 when a file cannot be read.
public func replayFuzzInputs(harness: String, _ fuzzOne: (UnsafeBufferPointer<UInt8>) -> Void) {
    var count = 0
    for path in CommandLine.arguments.dropFirst() {
        let bytes: [UInt8]
        do { bytes = try readFile(path) } catch { print("\(harness): cannot read \(path)"); exit(1) }
        bytes.withUnsafeBufferPointer { fuzzOne($0) }
        count += 1
    }
    print("\(harness): \(count) input(s) replayed without a finding")
}
