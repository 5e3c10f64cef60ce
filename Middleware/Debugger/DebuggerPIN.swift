#if canImport(Glibc)
import Glibc
#endif

/// The Debugger's PIN, with Werkzeug's scheme: SHA-1 over "probably public" bits (user name, module,
/// application name, executable path) and private bits (the MAC address as a number, the machine
/// id), then `cookiesalt` for the cookie's name and `pinsalt` for nine digits grouped 3-3-3
/// (`745-740-437`). `WERK_DEBUG_PIN` sets it (`off` turns it off; digits without `-` are grouped).
public struct DebuggerPIN: Sendable, Equatable {
    /// The PIN as the user types it (`745-740-437`), or nil when the PIN is off.
    public let pin: String?
    /// The name of the cookie that remembers a correct PIN (`__wzd` + 20 hex digits).
    public let cookieName: String

    /// How long a correct PIN is remembered: 7 days, as Werkzeug's `PIN_TIME`.
    public static let rememberedSeconds = 604_800

    /// A PIN and cookie name derived from `publicBits` and `privateBits` (empty bits are skipped),
    /// unless `override` (the value of `WERK_DEBUG_PIN`) says otherwise.
    public init(publicBits: [String], privateBits: [String], override: String? = nil) {
        var material: [UInt8] = []
        for bit in publicBits + privateBits where !bit.isEmpty { material += Array(bit.utf8) }
        let cookieMaterial = material + Array("cookiesalt".utf8)
        let cookieHash = (try? SHA1.hexHash(cookieMaterial)) ?? String(repeating: "0", count: 40)
        cookieName = "__wzd" + cookieHash.prefix(20)
        switch override {
        case "off"?:
            pin = nil
        case let given? where !given.isEmpty:
            pin = given.contains("-") ? given : DebuggerPIN.grouped(given)
        default:
            let digest = (try? SHA1.hash(cookieMaterial + Array("pinsalt".utf8))) ?? []
            pin = DebuggerPIN.grouped(String(DebuggerPIN.decimal(digest).prefix(9)).leftPadded(to: 9))
        }
    }

    /// The PIN of this process: the user, `Werk`, `application`, the executable's path, the MAC
    /// address and the machine id (`/etc/machine-id`, else the boot id), with `WERK_DEBUG_PIN`.
    public static func forThisMachine(application: String) -> DebuggerPIN {
        let user = getenv("USER").map { String(cString: $0) } ?? String(getuid())
        let executable = CommandLine.arguments.first ?? ""
        let machine = readFirstLine("/etc/machine-id") ?? readFirstLine("/proc/sys/kernel/random/boot_id") ?? ""
        return DebuggerPIN(publicBits: [user, "Werk", application, executable], privateBits: [macAddressNumber(), machine],
                           override: getenv("WERK_DEBUG_PIN").map { String(cString: $0) })
    }

    /// The cookie value remembering a correct PIN at `now`: `"<time>|<first 12 hex of sha1(pin + ' added salt')>"`.
    public func cookieValue(now: Int) -> String {
        "\(now)|\(pinHash)"
    }

    /// Whether `value` is a cookie this PIN issued less than 7 days before `now` (compared in constant time).
    public func acceptsCookie(_ value: String, now: Int) -> Bool {
        guard pin != nil else { return true }
        let parts = value.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, parts[0].count <= 20, let issued = Int(parts[0]) else { return false }
        guard issued <= now, now - issued <= DebuggerPIN.rememberedSeconds else { return false }
        return constantTimeEquals(String(parts[1]), pinHash)
    }

    /// Whether `candidate` is the PIN (dashes and spaces ignored; compared in constant time).
    public func matches(_ candidate: String) -> Bool {
        guard let pin else { return true }
        let strip: (String) -> String = { $0.filter { $0 != "-" && $0 != " " } }
        return constantTimeEquals(strip(candidate), strip(pin))
    }

    private var pinHash: String {
        String(((try? SHA1.hexHash((pin ?? "") + " added salt")) ?? "").prefix(12))
    }

    /// Digits grouped by 5, 4 or 3 (the first size that divides the length), as Werkzeug does.
    static func grouped(_ digits: String) -> String {
        let characters = Array(digits)
        for size in [5, 4, 3] where characters.count % size == 0 {
            return stride(from: 0, to: characters.count, by: size)
                .map { String(characters[$0..<$0 + size]) }.joined(separator: "-")
        }
        return digits
    }

    /// The big-endian bytes as a decimal number (Python's `int(hexdigest, 16)`).
    static func decimal(_ bytes: [UInt8]) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 10)
                remainder = value % 10
            }
            digits.append(UInt8(remainder) + UInt8(ascii: "0"))
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// The first network interface's MAC address as a decimal number (Python's `uuid.getnode()`), or "".
    private static func macAddressNumber() -> String {
        for name in ["eth0", "en0", "ens3", "enp0s3", "wlan0"] {
            guard let text = readFirstLine("/sys/class/net/\(name)/address") else { continue }
            let value = text.split(separator: ":").reduce(0) { ($0 << 8) | (Int($1, radix: 16) ?? 0) }
            if value != 0 { return String(value) }
        }
        return ""
    }

    private static func readFirstLine(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let trimmed = line.filter { !$0.isWhitespace }
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
