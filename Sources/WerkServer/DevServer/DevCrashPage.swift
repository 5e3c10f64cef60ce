import WerkCore
import WerkDiagnostics

/// What the dev supervisor answers after its worker crashed: the Debugger's page (``DiagnosticPage``
/// of WerkDiagnostics) built from the runtime's JSON crash report (``CrashReport``): the fault, the
/// frames of the crashed thread with their source, the process's pid and exit. The page keeps the
/// crashed build's generation, so its live-reload script reloads it only after a rebuild, never into
/// the same crash again.
package enum DevCrashPage {
    /// The handler for the next request after a crash; it sets `shown` once it answered one
    /// request (the live-reload stream excepted), so the supervisor restarts the worker.
    package static func handler(report crash: CrashReport?, exit: String, pid: Int32, packageRoot: String?,
                                generation: String, stop: LiveReload.StopFlag, shown: LiveReload.StopFlag) -> Handler {
        let report = diagnosticReport(crash, exit: exit, pid: pid)
        let html = Response.html(DiagnosticPage.html(report), status: .internalServerError)
        let plain = Response.text(DiagnosticPage.text(report), status: .internalServerError)
        let page = Handler { (request: Request) throws -> Response in
            shown.set()
            var response = CompileErrorPage.wantsHTML(request) ? html : plain
            response.headers.set("Cache-Control", "no-store")
            response.headers.set("Connection", "close")
            return response
        }
        return LiveReload(generation: generation, stop: stop).wrap(page)
    }

    /// The page's model: the fault as the error (`Illegal instruction`, with the crashing
    /// function and file:line), the crashed thread's frames innermost first, and the process.
    package static func diagnosticReport(_ crash: CrashReport?, exit: String, pid: Int32) -> DiagnosticReport {
        let note = "The dev server restarts the program on the same build after this page; a rebuild reloads it."
        let process = DiagnosticSection("Process", [DiagnosticField("pid", String(pid)), DiagnosticField("exit", exit)])
        guard let crash else {
            return DiagnosticReport(errors: [DiagnosticError(typeName: "The program stopped", message: exit)],
                                    framesOrigin: .crashReport, sections: [process], notes: [note])
        }
        let frames = crash.frames.prefix(100).map { frame in
            DiagnosticFrame(symbol: frame.function, file: frame.file, line: frame.line, column: frame.column, image: frame.image)
        }
        var fields = [DiagnosticField("summary", crash.summary)]
        if let address = crash.faultAddress { fields.append(DiagnosticField("fault address", address)) }
        if let thread = crash.threadName { fields.append(DiagnosticField("thread", thread)) }
        return DiagnosticReport(errors: [DiagnosticError(typeName: crash.fault, message: crash.summary)],
                                frames: Array(frames), framesOrigin: .crashReport,
                                sections: [process, DiagnosticSection("Crash report", fields)], notes: [note])
    }
}
