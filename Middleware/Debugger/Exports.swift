// Importing this module also brings in the core types (Handler, Request, Response, ...) and the
// error-page model it renders (WerkDiagnostics).
@_exported import WerkCore
@_exported import WerkDiagnostics
