import WerkCore
import WerkServer

/// A server configuration for tests: loopback, port 0 (the kernel picks a free port), no access
/// log, errors discarded, a 5 s graceful-shutdown deadline, `eventLoops` loops.
public func quietLoopbackConfiguration(eventLoops: Int = 2) -> Server.Configuration {
    var configuration = Server.Configuration(host: "127.0.0.1", port: 0)
    configuration.accessLog = false
    configuration.errorLogger = DiscardingLogger()
    configuration.eventLoops = eventLoops
    configuration.shutdownTimeout = .seconds(5)
    return configuration
}
