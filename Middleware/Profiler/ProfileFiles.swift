import Glibc

/// One file per profiled request and format, named from Werkzeug's `filename_format` tokens.
enum ProfileFiles {
    /// The file name (without extension) for `profile`: `{method}`, `{path}`, `{elapsed}`, `{time}` and
    /// `{id}` replaced; whatever came from the request is reduced to `[A-Za-z0-9._-]` and bounded.
    static func name(for profile: RequestProfile, format: String) -> String {
        let trimmed = profile.path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: ".")
        let path = trimmed.isEmpty ? "root" : trimmed
        let elapsed = String((profile.duration + 500_000) / 1_000_000)
        let name = format
            .replacingOccurrences("{method}", with: safe(profile.method, limit: 16))
            .replacingOccurrences("{path}", with: safe(path, limit: 100))
            .replacingOccurrences("{elapsed}", with: elapsed)
            .replacingOccurrences("{time}", with: String(profile.startedAt / 1000))
            .replacingOccurrences("{id}", with: String(profile.id))
        let cleaned = safe(name, limit: 200)
        return cleaned.hasPrefix(".") ? "_" + String(cleaned.dropFirst()) : cleaned
    }

    static func safe(_ text: String, limit: Int) -> String {
        var out: [UInt8] = []
        for byte in text.utf8.prefix(limit) {
            let keep = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "._-".utf8.contains(byte)
            out.append(keep ? byte : UInt8(ascii: "_"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the files; failures are logged on `Log.current`, never thrown at the request.
    static func write(_ profile: RequestProfile, directory: String, format: String, formats: [Profiler.FileFormat]) {
        _ = mkdir(directory, 0o755)
        let base = name(for: profile, format: format)
        for fileFormat in formats {
            let json: JSON = switch fileFormat {
            case .chromeTrace: TraceFormats.chromeTrace(profile)
            case .speedscope: TraceFormats.speedscope(profile)
            }
            let bytes = json.serializedBytes()
            var path = directory + "/" + base + fileFormat.fileExtension
            var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0, errno == EEXIST {
                path = directory + "/" + base + "." + String(profile.id) + fileFormat.fileExtension
                fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            }
            guard fd >= 0 else {
                Log.current.error("Profiler: cannot create \(path): errno \(errno)", label: "profiler")
                continue
            }
            var written = 0
            bytes.withUnsafeBytes { buffer in
                while written < buffer.count {
                    let result = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                    if result < 0 { if errno == EINTR { continue } else { break } }
                    written += result
                }
            }
            close(fd)
            if written < bytes.count { Log.current.error("Profiler: short write to \(path)", label: "profiler") }
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ token: String, with value: String) -> String {
        split(separator: token, omittingEmptySubsequences: false).joined(separator: value)
    }
}
