import Testing
import WerkCore
@testable import WerkDiagnostics

struct ValueFailure: Error { var code: Int }
final class ClassFailure: Error, @unchecked Sendable {}
struct Wrapped: Error { var underlying: any Error }

/// The line of the `throw` in `throwValueFailure`, checked against the captured frames.
let valueFailureLine = #line + 2
func throwValueFailure() throws {
    throw ValueFailure(code: 7)
}

let classFailureLine = #line + 2
func throwClassFailure() async throws {
    throw ClassFailure()
}

func caught(_ body: () throws -> Void) -> (any Error)? {
    do { try body() } catch { return error }
    return nil
}

func ownFrame(_ frames: [DiagnosticFrame], line: Int) -> DiagnosticFrame? {
    frames.first { $0.file?.hasSuffix("ThrowSitesTests.swift") == true && $0.line == line }
}

@Suite("Throw sites")
struct ThrowSitesTests {
    @Test("the hook records where an error was thrown, and the frame has the file and line")
    func recordsTheThrowSite() throws {
        let installation = ThrowSites.install()
        defer { withExtendedLifetime(installation) {} }
        let error = try #require(caught { try throwValueFailure() })
        let backtrace = try #require(ThrowSites.backtrace(for: error))
        let frames = backtrace.frames()
        let frame = try #require(ownFrame(frames, line: valueFailureLine))
        #expect(frame.function.contains("throwValueFailure"))
        #expect(!frame.isLibrary)
        #expect(frames.first?.function.contains("throwValueFailure") == true)
    }

    @Test("a rethrow keeps the first site; a wrapper gets its own and the wrapped error keeps its")
    func rethrowsAndWrappers() throws {
        let installation = ThrowSites.install()
        defer { withExtendedLifetime(installation) {} }
        let rethrown = try #require(caught {
            do { try throwValueFailure() } catch { throw error }
        })
        let site = try #require(ThrowSites.backtrace(for: rethrown))
        #expect(ownFrame(site.frames(), line: valueFailureLine) != nil)

        let wrapped = try #require(caught {
            do { try throwValueFailure() } catch { throw Wrapped(underlying: error) }
        })
        let outer = try #require(ThrowSites.backtrace(for: wrapped))
        #expect(ownFrame(outer.frames(), line: valueFailureLine) == nil)
        let inner = try #require(DiagnosticError.errors(from: wrapped).last)
        #expect(inner is ValueFailure)
        let innerSite = try #require(ThrowSites.backtrace(for: inner))
        #expect(ownFrame(innerSite.frames(), line: valueFailureLine) != nil)
    }

    @Test("a class error thrown in a task is found after the await, on whatever thread")
    func classErrorsAcrossTasks() async throws {
        let installation = ThrowSites.install()
        defer { withExtendedLifetime(installation) {} }
        let task = Task.detached { try await throwClassFailure() }
        var thrown: (any Error)?
        do { try await task.value } catch { thrown = error }
        let error = try #require(thrown)
        #expect(error is ClassFailure)
        let backtrace = try #require(ThrowSites.backtrace(for: error))
        #expect(ownFrame(backtrace.frames(), line: classFailureLine) != nil)
    }

    @Test("HTTPErrors are not recorded; nothing is recorded without an installation")
    func httpErrorsAndUninstalled() throws {
        do {
            let installation = ThrowSites.install()
            defer { withExtendedLifetime(installation) {} }
            let error = try #require(caught { throw HTTPError(.notFound) })
            #expect(ThrowSites.backtrace(for: error) == nil)
        }
        let tokens = (0..<2).map { _ in ThrowSites.install() }
        #expect(ThrowSites.isInstalled)
        withExtendedLifetime(tokens) {}
    }

    @Test("a backtrace taken at the catch site has the catching function")
    func catchSite() throws {
        let backtrace = try #require(CapturedBacktrace.here())
        #expect(backtrace.frames().contains { $0.function.contains("catchSite") })
    }
}

let otherFailureLine = #line + 2
func throwOtherFailure() throws {
    throw ValueFailure(code: 8)
}

@Suite("Throw sites: reused addresses")
struct ThrowSitesReuseTests {
    @Test("an error whose box reuses a freed box's address gets its own site, also past the capacity")
    func reusedAddresses() throws {
        let installation = ThrowSites.install()
        defer { withExtendedLifetime(installation) {} }
        for _ in 0..<(ThrowSites.capacity + 10) { _ = caught { try throwValueFailure() } }
        let error = try #require(caught { try throwOtherFailure() })
        let backtrace = try #require(ThrowSites.backtrace(for: error))
        #expect(ownFrame(backtrace.frames(), line: otherFailureLine) != nil)
        #expect(ownFrame(backtrace.frames(), line: valueFailureLine) == nil)
    }
}
