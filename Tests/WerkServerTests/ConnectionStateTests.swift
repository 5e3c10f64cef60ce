import Testing
@testable import WerkServer

/// The connection's state machine on its own, without sockets: every transition, what each phase
/// reads, when closing lingers, and what shutdown does from each phase.
@Suite("Connection state machine")
struct ConnectionStateTests {
    typealias Phase = ConnectionState.Phase

    enum Event: CustomStringConvertible {
        case started(keepAlive: Bool)
        case refuseKeepAlive
        case finished(ConnectionState.BodyLeft)
        case drained, abandoned, errorQueued, peerClosed, linger
        case shutdown(idle: Bool)

        var description: String {
            switch self {
            case .started(let keepAlive): "started(keepAlive: \(keepAlive))"
            case .refuseKeepAlive: "refuseKeepAlive"
            case .finished(let left): "finished(\(left))"
            case .drained: "drained"
            case .abandoned: "abandoned"
            case .errorQueued: "errorQueued"
            case .peerClosed: "peerClosed"
            case .linger: "linger"
            case .shutdown(let idle): "shutdown(idle: \(idle))"
            }
        }
    }

    static func run(_ events: [Event]) -> ConnectionState {
        var state = ConnectionState()
        for event in events {
            switch event {
            case .started(let keepAlive): state.requestStarted(keepAlive: keepAlive)
            case .refuseKeepAlive: state.refuseKeepAlive()
            case .finished(let left): state.requestFinished(bodyLeft: left)
            case .drained: state.bodyDrained()
            case .abandoned: state.drainAbandoned()
            case .errorQueued: state.errorResponseQueued()
            case .peerClosed: state.peerClosedInput()
            case .linger: state.startLingering()
            case .shutdown(let idle): _ = state.beginShutdown(idle: idle)
            }
        }
        return state
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var events: [Event]
        var phase: Phase
        var keepAlive: Bool
        /// Whether closing (with nothing buffered) must linger.
        var lingers: Bool
        var testDescription: String { events.map(\.description).joined(separator: " → ") }
    }

    static let cases: [Case] = [
        Case(events: [], phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: true)], phase: .responding, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.none)], phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.none), .started(keepAlive: true), .finished(.none)],
             phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: false), .finished(.none)], phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.started(keepAlive: true), .refuseKeepAlive, .finished(.none)],
             phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.unread)], phase: .drainingBody, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.unread), .drained], phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.unread), .abandoned],
             phase: .closingAfterFlush, keepAlive: false, lingers: true),
        Case(events: [.started(keepAlive: false), .finished(.unread)], phase: .closingAfterFlush, keepAlive: false, lingers: true),
        Case(events: [.started(keepAlive: true), .finished(.neverRequested)],
             phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.errorQueued], phase: .closingAfterFlush, keepAlive: false, lingers: true),
        Case(events: [.errorQueued, .linger], phase: .lingering, keepAlive: false, lingers: true),
        Case(events: [.errorQueued, .peerClosed], phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.started(keepAlive: true), .shutdown(idle: false)], phase: .responding, keepAlive: false, lingers: false),
        Case(events: [.started(keepAlive: true), .shutdown(idle: false), .finished(.none)],
             phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.shutdown(idle: false)], phase: .closingAfterFlush, keepAlive: false, lingers: false),
        Case(events: [.started(keepAlive: true), .finished(.unread), .shutdown(idle: false)],
             phase: .closingAfterFlush, keepAlive: false, lingers: true),
        // Transitions that do not apply to the current phase change nothing.
        Case(events: [.drained], phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.abandoned], phase: .awaitingHead, keepAlive: true, lingers: false),
        Case(events: [.finished(.none)], phase: .awaitingHead, keepAlive: true, lingers: false),
    ]

    @Test("each sequence of events ends in the expected phase", arguments: cases)
    func transitions(_ example: Case) {
        let state = Self.run(example.events)
        #expect(state.phase == example.phase)
        #expect(state.keepAlive == example.keepAlive)
        #expect(state.mustLinger(bufferedInput: false) == example.lingers)
    }

    @Test("shutdown during a response lets it finish, then closes")
    func shutdownDuringResponse() {
        var state = ConnectionState()
        state.requestStarted(keepAlive: true)
        let action = state.beginShutdown(idle: false)
        #expect(action == .closeAfterResponse)
        #expect(!state.keepAlive)
        #expect(state.phase == .responding)
        let next = state.requestFinished(bodyLeft: .none)
        #expect(next == .closingAfterFlush)
    }

    @Test("shutdown keeps a connection whose request is on its way (fresh, or part of a head read), answers it, then closes")
    func shutdownWithRequestPending() {
        var state = ConnectionState()
        #expect(state.beginShutdown(idle: false, requestPending: true) == .none)
        #expect(state.phase == .awaitingHead)
        #expect(!state.keepAlive)
        state.requestStarted(keepAlive: true)
        #expect(!state.keepAlive)
        #expect(state.requestFinished(bodyLeft: .none) == .closingAfterFlush)
    }

    @Test("shutdown closes idle connections now and busy ones after their output or response", arguments: [
        ([], true, ConnectionState.ShutdownAction.closeNow),
        ([], false, .closeAfterFlush),
        ([.started(keepAlive: true)], true, .closeAfterResponse),
        ([.started(keepAlive: true)], false, .closeAfterResponse),
        ([.started(keepAlive: true), .finished(.unread)], true, .closeNow),
        ([.started(keepAlive: true), .finished(.unread)], false, .closeAfterFlush),
        ([.errorQueued], false, .none),
        ([.errorQueued], true, .closeNow),
        ([.errorQueued, .linger], false, .none),
    ] as [([Event], Bool, ConnectionState.ShutdownAction)])
    func shutdown(_ events: [Event], _ idle: Bool, _ action: ConnectionState.ShutdownAction) {
        var state = Self.run(events)
        let taken = state.beginShutdown(idle: idle)
        #expect(taken == action)
        #expect(state.shuttingDown)
    }

    @Test("buffered input makes closing linger unless the peer has closed")
    func lingerOnBufferedInput() {
        var state = Self.run([.started(keepAlive: false), .finished(.none)])
        #expect(state.mustLinger(bufferedInput: true))
        #expect(!state.mustLinger(bufferedInput: false))
        state.peerClosedInput()
        #expect(!state.mustLinger(bufferedInput: true))
    }

    @Test("what each phase reads: heads between requests, body bytes for a waiting handler, nothing in flight", arguments: [
        ([], false, false, true),
        ([], false, true, false),                                              // output full: backpressure
        ([.started(keepAlive: true)], false, false, false),
        ([.started(keepAlive: true)], true, false, true),                      // the handler waits for body bytes
        ([.started(keepAlive: true), .finished(.unread)], false, true, true),  // draining ignores a full output
        ([.started(keepAlive: false), .finished(.none)], false, false, false),
        ([.errorQueued, .linger], false, true, true),
        ([.peerClosed], false, false, false),
        ([.started(keepAlive: true), .peerClosed], true, false, false),
        ([.errorQueued, .peerClosed, .linger], false, false, true),
    ] as [([Event], Bool, Bool, Bool)])
    func wantsRead(_ events: [Event], _ bodyWaiting: Bool, _ outputFull: Bool, _ expected: Bool) {
        #expect(Self.run(events).wantsRead(bodyWaiting: bodyWaiting, outputFull: outputFull) == expected)
    }

    @Test("closing happens once, from any phase, and a closed connection reads nothing")
    func closeOnce() {
        for events: [Event] in [[], [.started(keepAlive: true)], [.errorQueued], [.errorQueued, .linger],
                                [.started(keepAlive: true), .finished(.unread)]] {
            var state = Self.run(events)
            let first = state.close()
            #expect(first)
            #expect(state.isClosed)
            let second = state.close()
            #expect(!second)
            #expect(!state.wantsRead(bodyWaiting: true, outputFull: false))
            #expect(!state.readsRequests)
            state.errorResponseQueued()
            #expect(state.isClosed)
        }
    }

    @Test("only the phases between requests parse input")
    func readsRequests() {
        #expect(Self.run([]).readsRequests)
        #expect(Self.run([.started(keepAlive: true), .finished(.unread)]).readsRequests)
        #expect(!Self.run([.started(keepAlive: true)]).readsRequests)
        #expect(!Self.run([.errorQueued]).readsRequests)
        #expect(!Self.run([.errorQueued, .linger]).readsRequests)
    }
}
