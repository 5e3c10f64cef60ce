// The umbrella module: `import Werk` brings in the core, the server adapter and every middleware.
@_exported import WerkCore
@_exported import WerkServer
@_exported import WerkSigning
@_exported import WerkHTTPClient
@_exported import WerkDiagnostics
@_exported import WerkRouting
@_exported import WerkSessions
@_exported import WerkDispatcher
@_exported import WerkStaticFiles
@_exported import WerkCompress
@_exported import WerkProxyFix
@_exported import WerkLint
@_exported import WerkHTTPProxy
@_exported import WerkDebugger
@_exported import WerkTesting
