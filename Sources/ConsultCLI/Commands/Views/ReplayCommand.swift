import ArgumentParser
import ConsultCore
import Foundation
import Projections

/// `consult replay`: rebuild views from the first event.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild views from the first event, then swap each in at once.",
        discussion: """
            The views are rebuilt together, in one pass over the log, into new tables while readers and workers \
            keep using the old ones; the rebuilt tables replace them in one transaction. Progress and rate go to \
            stderr when it is a terminal.

            Views: \(Views.all.map(\.name).joined(separator: ", ")) (all when none is named).
            """)

    @Argument(help: "The views to rebuild (all when none is named).") var names: [String] = []
    @Option(name: .customLong("batch-size"), help: "Events per transaction.") var batchSize: Int = 5000
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
    }

    func run() async throws {
        let views = try ProjectionWorker.views(named: names)
        let line = progress.line()
        let events = line.enabled ? try? await StoreStatus.eventCount(connection.access) : nil
        let names = views.map(\.name).joined(separator: ", ")
        let total = try await ViewMaintenance.replay(views, batchSize: batchSize, access: connection.access) { done in
            line.show("replaying", done: done, of: events, "events")
        }
        let seconds = Date().timeIntervalSince(line.started)
        line.finish(keep: true)
        Output.writeLine(
            "Rebuilt \(names) from \(total) events in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(total) / max(seconds, 0.001))) events/s).")
    }
}
