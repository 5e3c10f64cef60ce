import Glibc

/// Why a server could not start.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// Binding the address failed (in use, no permission, ...): the address and errno.
    case bind(String, Int32)
    /// The host or path cannot be used: the address and why.
    case invalidAddress(String, String)
    /// A system call failed: its name and errno.
    case system(String, Int32)
    /// `start()` was called on a server that already started.
    case alreadyStarted
    /// A configuration value is out of range or malformed (see ``Server/Configuration/validate()``).
    case invalidConfiguration(ConfigurationError)
    /// A supervisor stopped because its workers crashed more often than
    /// ``Server/Configuration/maxRestarts`` allows within ``Server/Configuration/restartWindow``:
    /// why, with the last crash.
    case workersFailing(String)

    /// Whether the address is taken: another process (another Werk server included) listens there.
    public var isAddressInUse: Bool {
        if case .bind(_, let code) = self { return code == EADDRINUSE }
        return false
    }

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .bind(let address, let code):
            let hint = code == EADDRINUSE ? " Another process listens there (another Werk server included): stop it or pick another port (--port, PORT; 0 chooses a free one)." : ""
            return "Cannot bind \(address): \(String(cString: strerror(code))).\(hint)"
        case .invalidAddress(let address, let why):
            return "Cannot listen on \(address): \(why)"
        case .system(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code)))."
        case .alreadyStarted:
            return "The server was already started; create a new Server to start again."
        case .invalidConfiguration(let error):
            return error.description
        case .workersFailing(let why):
            return why
        }
    }
}
