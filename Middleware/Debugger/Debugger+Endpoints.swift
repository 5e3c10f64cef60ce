extension DebuggerContext {
    /// The header every inspector call carries (a cross-site form cannot set it; a cross-site
    /// `fetch` that sets it needs a CORS preflight, which is never granted).
    static let callHeader = "X-Werk-Debugger"

    /// The largest request body an inspector call may have.
    static let maximumCallBody = 8_192

    /// Answers `<endpoint>/pin` and `<endpoint>/inspect`. Every check answers JSON with the status
    /// that says what failed; nothing here executes code or writes anything but the PIN cookie.
    func answerEndpoint(_ request: Request, action: String) async -> Response {
        guard clientAllowed(request) else {
            return Self.refusal(.forbidden, "The debugger only answers loopback clients (Debugger(allowRemote: true) to change that).")
        }
        guard hostTrusted(request) else {
            return Self.refusal(.badRequest, "The Host header is not one of the debugger's trusted hosts (a defence against DNS rebinding).")
        }
        guard action == "pin" || action == "inspect" else { return Self.refusal(.notFound, "No such debugger endpoint.") }
        guard request.method == .post else {
            var response = Self.refusal(.methodNotAllowed, "Debugger calls are POST requests.")
            response.headers.set("Allow", "POST")
            return response
        }
        guard request.headers[Self.callHeader] == "1" else {
            return Self.refusal(.forbidden, "Debugger calls carry the \(Self.callHeader): 1 header.")
        }
        guard request.mimeType == "application/json" else {
            return Self.refusal(.unsupportedMediaType, "Debugger calls have a JSON body (Content-Type: application/json).")
        }
        let body: JSON
        do {
            body = try JSON.parse(try await request.body.collect(upTo: Self.maximumCallBody))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.refusal(.contentTooLarge, "Debugger calls are at most \(Self.maximumCallBody) bytes.")
        } catch {
            return Self.refusal(.badRequest, "The body is not valid JSON: \(error)")
        }
        guard let pageID = body["page"]?.stringValue, let secret = body["secret"]?.stringValue else {
            return Self.refusal(.badRequest, "A debugger call names its page and the page's secret.")
        }
        guard let page = pages.withLock({ $0.first { $0.id == pageID } }), constantTimeEquals(page.secret, secret) else {
            return Self.refusal(.forbidden, "Unknown page or wrong secret (pages are forgotten when the server restarts).")
        }
        return action == "pin" ? await answerPIN(body, request: request) : answerInspect(body, page: page, request: request)
    }

    private func answerPIN(_ body: JSON, request: Request) async -> Response {
        if pinFailures.load(ordering: .relaxed) >= Self.maximumPINFailures {
            return Response.json(["auth": false, "exhausted": true], status: .forbidden)
        }
        guard let candidate = body["pin"]?.stringValue, candidate.utf8.count <= 64 else {
            return Self.refusal(.badRequest, "A PIN call carries the PIN as a string.")
        }
        if pin.matches(candidate) {
            var response = Response.json(["auth": true, "exhausted": false])
            response.setCookie(pin.cookieName, pin.cookieValue(now: LogRecord.now()), maxAge: DebuggerPIN.rememberedSeconds,
                               secure: request.isSecure, httpOnly: true, sameSite: .strict)
            return response
        }
        let failures = pinFailures.add(1, ordering: .relaxed).newValue
        if configuration.pinFailureDelay > .zero {
            try? await Task.sleep(for: failures > 5 ? configuration.pinFailureDelay * 10 : configuration.pinFailureDelay)
        }
        let exhausted = failures >= Self.maximumPINFailures
        if exhausted { Log.current.warning("Ten wrong debugger PINs: the inspector is locked until restart.", label: "debugger") }
        return Response.json(["auth": false, "exhausted": .bool(exhausted)], status: .forbidden)
    }

    private func answerInspect(_ body: JSON, page: DebuggerPage, request: Request) -> Response {
        if pin.pin != nil {
            let unlocked = request.cookies[pin.cookieName].map { pin.acceptsCookie($0, now: LogRecord.now()) } ?? false
            guard unlocked, pinFailures.load(ordering: .relaxed) < Self.maximumPINFailures else {
                return Response.json(["pinRequired": true, "error": "Enter the debugger PIN first."], status: .unauthorized)
            }
        }
        guard let expression = body["expression"]?.stringValue else {
            return Self.refusal(.badRequest, "An inspect call carries an expression (a path such as error.underlying).")
        }
        do {
            let value = try Inspector(roots: inspectorRoots(for: page)).inspect(expression)
            return Response.json(["value": value])
        } catch {
            return Self.refusal(.badRequest, error.description)
        }
    }

    static func refusal(_ status: Status, _ message: String) -> Response {
        var response = Response.json(["error": .string(message)], status: status)
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
