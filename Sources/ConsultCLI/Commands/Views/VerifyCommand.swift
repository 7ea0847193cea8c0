import ArgumentParser
import ConsultCore
import Foundation
import Projections

/// `consult verify`: the log is intact and every view equals a fresh replay.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the log's integrity and that each view equals a fresh replay; exit 1 on any difference.",
        discussion: """
            Checks that every stream's versions run 1, 2, 3… without a gap, that the append-only triggers are \
            present and enabled ALWAYS, and that each view equals a replay into scratch tables up to the view's \
            checkpoint (naming the first row that differs).
            """)

    @Argument(help: "The views to check (all when none is named).") var names: [String] = []
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let views = try ProjectionWorker.views(named: names)
        let line = ProgressLine()
        let report = try await ViewMaintenance.verify(views, access: connection.access) { progress in
            switch progress {
            case .hashesChecked(let events):
                line.show("checking the hash chains: \(events) events (\(line.rate(events)) events/s)")
            case .eventsReplayed(let events, let views):
                line.show("replaying \(events) events for \(views.joined(separator: ", "))")
            }
        }
        line.finish()
        Output.writeLine("log: \(report.eventsChecked) events checked")
        for (name, events) in report.viewsChecked {
            Output.writeLine("view \(name): compared with a fresh replay of \(events) events")
        }
        guard report.isClean else {
            throw ConsultFailure(
                .failure,
                "Verification found \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s").",
                details: report.problems)
        }
        Output.writeLine("ok: the log is intact and every view equals a fresh replay")
    }
}
