import FoundationEssentials

extension DiagnosticError {
    /// The error and the errors under it, outermost first: each error's first stored property
    /// holding an `Error` (found with `Mirror`; `underlying`, `cause`, ... or any other name) is the
    /// next link. At most `limit` errors (which also ends a cycle through class errors).
    public static func chain(from error: any Error, limit: Int = 8) -> [DiagnosticError] {
        errors(from: error, limit: limit).map(DiagnosticError.init)
    }

    /// The errors of the chain themselves, outermost first (see ``chain(from:limit:)``).
    public static func errors(from error: any Error, limit: Int = 8) -> [any Error] {
        var result: [any Error] = []
        var current: (any Error)? = error
        while let next = current, result.count < limit {
            result.append(next)
            current = underlyingError(of: next)
        }
        return result
    }

    /// One entry for `error`: its type, description, `debugDescription` (when it says more) and the
    /// texts of `LocalizedError`.
    public init(_ error: any Error) {
        let message = String(describing: error)
        var details: [DiagnosticField] = []
        if let debug = error as? any CustomDebugStringConvertible {
            let text = debug.debugDescription
            if text != message { details.append(DiagnosticField("debugDescription", text)) }
        }
        if let localized = error as? any LocalizedError {
            if let text = localized.errorDescription, text != message { details.append(DiagnosticField("errorDescription", text)) }
            if let text = localized.failureReason { details.append(DiagnosticField("failureReason", text)) }
            if let text = localized.recoverySuggestion { details.append(DiagnosticField("recoverySuggestion", text)) }
            if let text = localized.helpAnchor { details.append(DiagnosticField("helpAnchor", text)) }
        }
        self.init(typeName: String(reflecting: type(of: error)), message: message, details: details)
    }

    /// The first stored property of `error` (or of the payload of an enum case) that holds an error.
    static func underlyingError(of error: any Error) -> (any Error)? {
        for child in Mirror(reflecting: error).children {
            if let inner = child.value as? any Error { return inner }
            // An enum case's payload is one child holding a tuple of the associated values.
            for grandchild in Mirror(reflecting: child.value).children {
                if let inner = grandchild.value as? any Error { return inner }
            }
        }
        return nil
    }
}
