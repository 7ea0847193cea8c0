import ArgumentParser
import Dispatch
import Foundation
import Postgres
import Projections
import Synchronization

/// `consult project`: the projection worker.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Bring the views up to date with the log, and optionally keep following it.",
        discussion: """
            Without --follow, applies every event readable now and exits. With --follow, keeps applying new \
            events as they are logged (woken by LISTEN/NOTIFY, and checking every second in case a notification \
            is lost). Several workers may run at once: each view is advanced by one of them at a time. SIGINT or \
            SIGTERM stops a worker after the batch it is applying commits; it exits 0.

            Views: \(Views.all.map(\.name).joined(separator: ", ")).
            """)

    @Flag(help: "Keep following the log until stopped.") var follow = false
    @Option(help: "Only this view (repeatable).") var only: [String] = []
    @Option(name: .customLong("batch-size"), help: "Events per transaction.") var batchSize: Int = 5000
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
    }

    func run() async throws {
        let views = try ViewSelection.views(only)
        // First, so a stop requested while connecting also ends with status 0.
        let stop = StopSignal.install()
        let session = try await StoreSession.open(connection, logger: cliLogger)
        // A second connection reads the log ahead while the first applies each batch.
        let reader = try await StoreSession.open(connection, logger: cliLogger)
        let runner = ProjectionRunner(
            store: session.store, views: views, batchSize: batchSize, reader: reader.store)
        if stop.isRequested { return }
        let started = Date()
        let reporter = ProgressLine(enabled: Terminal.stderrIsTerminal, started: started)
        if follow {
            try await runner.prepare()
            try await followReconnecting(
                runner, connections: [session.connection, reader.connection], stop: stop, reporter: reporter)
        } else {
            // Like a read: events held back by an open transaction are waited for, a while.
            let held = try await runner.catchUpForRead(
                timeout: ReadSession.heldBackWait, shouldStop: { stop.isRequested }, progress: reporter.report)
            reporter.finish()
            ReadSession.reportHeldBack(held, what: "the views")
        }
    }
}

extension ProjectCommand {
    /// Follows the log; when the database goes away (stopped, restarted, the network cut), reconnects
    /// with a growing pause (0.25 s doubling to 8 s), saying so on stderr, until it is back or a
    /// stop is requested. What was applied is safe: each batch commits with its checkpoint.
    /// Only a worker that was connected reconnects; one that cannot connect at all exits 69.
    func followReconnecting(
        _ first: ProjectionRunner, connections firstConnections: [Postgres.Connection], stop: StopSignal,
        reporter: ProgressLine
    ) async throws {
        var runner = first
        var current = firstConnections
        var pause = 0.25
        while true {
            do {
                try await runner.follow(shouldStop: { stop.isRequested }, progress: reporter.report)
                return
            } catch  where CommandFailure.from(error).exitCode == ExitStatus.unavailable {
                for connection in current { await connection.close() }
                Output.error(
                    "consult project: lost the database (\(CommandFailure.from(error).message)); reconnecting.")
            }
            while true {
                if try await Self.sleep(pause, unless: stop) { return }
                pause = min(pause * 2, 8)
                var opened: [Postgres.Connection] = []
                do {
                    let session = try await StoreSession.open(connection, logger: cliLogger)
                    opened.append(session.connection)
                    let reader = try await StoreSession.open(connection, logger: cliLogger)
                    opened.append(reader.connection)
                    runner = ProjectionRunner(
                        store: session.store, views: runner.views, batchSize: batchSize, reader: reader.store)
                    current = opened
                    try await runner.prepare()
                    Output.error("consult project: reconnected; following the log again.")
                    pause = 0.25
                    break
                } catch  where CommandFailure.from(error).exitCode == ExitStatus.unavailable {
                    for connection in opened { await connection.close() }
                    Output.error(
                        "consult project: the database is still unavailable; trying again in "
                            + "\(pause < 1 ? String(format: "%.2f", pause) : String(Int(pause))) s.")
                }
            }
        }
    }

    /// Sleeps `seconds` in short steps; true when a stop was requested meanwhile.
    static func sleep(_ seconds: Double, unless stop: StopSignal) async throws -> Bool {
        var slept = 0.0
        while slept < seconds {
            if stop.isRequested { return true }
            try await Task.sleep(for: .milliseconds(50))
            slept += 0.05
        }
        return stop.isRequested
    }
}

/// Views named on the command line.
enum ViewSelection {
    static func views(_ names: [String]) throws -> [any ProjectionView] {
        switch Views.named(names) {
        case .success(let views): return views
        case .failure(let unknown):
            throw CommandFailure(
                exitCode: ExitStatus.usage,
                "No view is called \(unknown.names.joined(separator: ", ")); the views are "
                    + Views.all.map(\.name).joined(separator: ", ") + ".")
        }
    }
}

/// SIGINT and SIGTERM, turned into a flag a worker checks between batches.
// Unchecked: `sources` is written only in `install`, before the instance is shared.
final class StopSignal: @unchecked Sendable {
    private let requested = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    var isRequested: Bool { requested.load(ordering: .acquiring) }

    static func install() -> StopSignal {
        let stop = StopSignal()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.requested.store(true, ordering: .releasing) }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}

/// "N events applied (R events/s)" on stderr, rewritten in place, only when stderr is a terminal.
struct ProgressLine: Sendable {
    let enabled: Bool
    let started: Date

    func report(_ total: Int) {
        guard enabled else { return }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        FileHandle.standardError.write(
            Data("\r\(total) events applied (\(Int(Double(total) / seconds)) events/s)   ".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
