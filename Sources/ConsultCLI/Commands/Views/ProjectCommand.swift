import ArgumentParser
import ConsultCore
import Dispatch
import Foundation
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
            is lost). Behind a connection pooler in transaction mode LISTEN cannot work: the worker then polls \
            every second, or listens on --listen-url (or CONSULT_LISTEN_URL), a direct connection to the same \
            database. Several workers may run at once: each view is advanced by one of them at a time. SIGINT or \
            SIGTERM stops a worker after the batch it is applying commits; it exits 0.

            Views: \(Views.all.map(\.name).joined(separator: ", ")).
            """)

    @Flag(help: "Keep following the log until stopped.") var follow = false
    @Option(help: "Only this view (repeatable).") var only: [String] = []
    @Option(name: .customLong("batch-size"), help: "Events per transaction.") var batchSize: Int = 5000
    @Option(
        name: .customLong("listen-url"),
        help: ArgumentHelp(
            "With --follow behind a transaction pooler: a direct connection to the same database, to be woken by "
                + "NOTIFY (default: CONSULT_LISTEN_URL).", valueName: "url"))
    var listenURL: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
    }

    func run() async throws {
        let views = try ProjectionWorker.views(named: only)
        // First, so a stop requested while connecting also ends with status 0.
        let stop = StopSignal.install()
        let worker = ProjectionWorker(
            access: connection.access, views: views, batchSize: batchSize,
            listenURL: listenURL ?? ProcessInfo.processInfo.environment["CONSULT_LISTEN_URL"])
        let reporter = progress.line()
        if follow {
            try await worker.follow(shouldStop: { stop.isRequested }) { event in
                switch event {
                case .applied(let total):
                    reporter.show("\(total) events applied (\(reporter.rate(total)) events/s)")
                case .lostDatabase(let reason):
                    Output.error("consult project: lost the database (\(reason)); reconnecting.")
                case .stillUnavailable(let pause):
                    Output.error(
                        "consult project: the database is still unavailable; trying again in "
                            + "\(pause < 1 ? String(format: "%.2f", pause) : String(Int(pause))) s.")
                case .reconnected:
                    Output.error("consult project: reconnected; following the log again.")
                case .pollingOnly:
                    Output.error(
                        "consult project: the database is reached through a transaction pooler, where LISTEN cannot "
                            + "work; checking for new events every second (--listen-url names a direct connection "
                            + "to be woken at once).")
                }
            }
        } else {
            // Like a read: events held back by an open transaction are waited for, a while.
            let held = try await worker.catchUp(
                shouldStop: { stop.isRequested },
                progress: { reporter.show("\($0) events applied (\(reporter.rate($0)) events/s)") })
            reporter.finish(keep: true)
            if let note = ReadSession.heldBackNote(held, what: "the views") { Output.error("consult: note: " + note) }
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
