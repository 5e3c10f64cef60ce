// Importing this module also brings in the core types (Handler, Request, Response, ...).
@_exported import WerkCore
