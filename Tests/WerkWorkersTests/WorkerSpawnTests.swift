import Glibc
import Testing
import WerkCore
@testable import WerkServer
import WerkTestSupport
import WerkTesting

@Suite("Spawning a worker process")
struct WorkerSpawnTests {
    @Test("the launch description round-trips through WERK_WORKER and rejects malformed values")
    func launchDescription() {
        let launch = WorkerLaunch(index: 3, listenerFD: 3, controlFD: 4, heartbeatMilliseconds: 250, maxRequests: 1000)
        #expect(launch.environmentValue == "index=3,listen=3,control=4,heartbeat-ms=250,max-requests=1000")
        #expect(WorkerLaunch(environmentValue: launch.environmentValue) == launch)
        for bad in ["", "index=1", "index=1,listen=3", "index=x,listen=3,control=4", "index=1,listen=-3,control=4",
                    "index=1,listen=3,control=99999999999"] {
            #expect(WorkerLaunch(environmentValue: bad) == nil, "\(bad)")
        }
    }

    @Test("a spawned worker serves on the inherited socket, says ready, heartbeats, and stops on SIGTERM")
    func spawnServeStop() async throws {
        let bound = try Listener.tcp(host: "127.0.0.1", port: 0, count: 1, backlog: 64, reusePort: false)
        defer { close(bound.fds[0]) }
        let launch = WorkerLaunch(index: 0, heartbeatMilliseconds: 50)
        let worker = try WorkerProcess.spawn(executable: SupervisedApp.executable,
                                             arguments: ["--event-loops", "1", "--no-access-log"],
                                             listenerFD: bound.fds[0], launch: launch)
        defer { worker.closeChannel() }
        let seen = try await ThreadRunner.run { () -> [WorkerMessage] in
            var seen: [WorkerMessage] = []
            let deadline = time(nil) + 30
            while !(seen.contains(.ready) && seen.contains(.heartbeat)) && time(nil) < deadline {
                var pfd = pollfd(fd: worker.controlFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, 500)
                let (messages, ended) = worker.readMessages()
                seen += messages
                if ended { break }
            }
            return seen
        }
        #expect(seen.first == .ready)
        #expect(seen.contains(.heartbeat))
        let address = Server.Address(host: "127.0.0.1", port: bound.port)
        let response = try await ThreadRunner.run { SupervisedApp.get(address, "/pid") }
        #expect(response?.status == .ok)
        #expect(response.map { String(decoding: $0.body, as: UTF8.self) } == "\(worker.pid)")
        worker.send(SIGTERM)
        #expect(await exitStatus(worker.pid) == 0)
    }

    @Test("a worker whose supervisor goes away (its channel closes) stops by itself")
    func stopsWithoutSupervisor() async throws {
        let bound = try Listener.tcp(host: "127.0.0.1", port: 0, count: 1, backlog: 64, reusePort: false)
        defer { close(bound.fds[0]) }
        let worker = try WorkerProcess.spawn(executable: SupervisedApp.executable, arguments: ["--event-loops", "1"],
                                             listenerFD: bound.fds[0], launch: WorkerLaunch(index: 0, heartbeatMilliseconds: 50))
        let ready = try await ThreadRunner.run { () -> Bool in
            var pfd = pollfd(fd: worker.controlFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 30_000)
            return worker.readMessages().messages.first == .ready
        }
        #expect(ready)
        worker.closeChannel()
        #expect(await exitStatus(worker.pid) == 0)
    }
}

/// Waits (at most 60 s, then SIGKILL) for `pid` to exit; its exit status, 128 + signal when killed.
func exitStatus(_ pid: pid_t) async -> Int32 {
    (try? await ThreadRunner.run { () -> Int32 in
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<600 where !reaped {
            reaped = waitpid(pid, &status, WNOHANG) == pid
            if !reaped { usleep(100_000) }   // polling a child's exit (no fd to wait on), not a timing assumption
        }
        if !reaped { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }) ?? -1
}
