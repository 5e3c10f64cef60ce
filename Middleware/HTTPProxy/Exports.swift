// Importing this module also brings in the core types (Handler, Request, Response, ...) and the client.
@_exported import WerkCore
@_exported import WerkHTTPClient
