import WerkCore

/// Checks that a handler's ``Handler/synchronous`` form (what the server calls inline) and its
/// async form (what runs in a task) answer alike.
public enum BothForms {
    /// The handler has no synchronous form, though the test expects one.
    public struct NotSynchronous: Error, CustomStringConvertible {
        /// The handler's layers.
        public let layers: [String]
        /// Why the comparison cannot run.
        public var description: String { "the handler \(layers) has no synchronous form" }
    }

    /// Answers `request` both ways and describes the first difference (status, header fields in
    /// order, body), or returns nil when the answers agree.
    public static func difference(_ handler: Handler, _ request: Request) async throws -> String? {
        guard let inline = handler.respondSynchronouslyCatchingErrors(request) else {
            throw NotSynchronous(layers: handler.layers)
        }
        let viaTask = await handler.respondCatchingErrors(request)
        if inline.status != viaTask.status { return "status \(inline.status.code) inline, \(viaTask.status.code) in a task" }
        let inlineFields = inline.headers.fields.map { "\($0.name): \($0.value)" }
        let taskFields = viaTask.headers.fields.map { "\($0.name): \($0.value)" }
        if inlineFields != taskFields { return "headers \(inlineFields) inline, \(taskFields) in a task" }
        let inlineBody = try await inline.collectBody(), taskBody = try await viaTask.collectBody()
        if inlineBody != taskBody {
            return "body \(String(decoding: inlineBody, as: UTF8.self)) inline, \(String(decoding: taskBody, as: UTF8.self)) in a task"
        }
        return nil
    }
}
