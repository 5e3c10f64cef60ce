// Resident memory and CPU time of processes, from procfs and getrusage.

#if canImport(Glibc)
import Glibc
#endif

/// Resident memory and CPU time of this process or another.
public enum ProcessStats {
    /// VmRSS of process `pid` (this process by default) in KiB; 0 when unknown.
    public static func residentKilobytes(pid: pid_t = getpid()) -> Int {
        guard let text = readSmallFile("/proc/\(pid)/status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// User and system CPU seconds this process has used so far (all threads).
    public static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    /// User and system CPU seconds process `pid` has used so far (from `/proc/<pid>/stat`; clock-tick
    /// resolution); zeros when unknown.
    public static func cpuSeconds(pid: pid_t) -> (user: Double, system: Double) {
        guard let text = readSmallFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return (0, 0) }
        // After "(comm)": field 3 is the state; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13 else { return (0, 0) }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) / ticks, (Double(fields[12]) ?? 0) / ticks)
    }

    /// The first 16 KiB of a file as text (procfs files are small), nil when unreadable.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 16_384)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        return count > 0 ? String(decoding: bytes[0..<count], as: UTF8.self) : nil
    }
}
