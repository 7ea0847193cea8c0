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
            present and enabled ALWAYS, and that each view equals a replay into scratch tables (naming the first \
            row that differs). The views are first brought up to date, so they are compared over the whole log; \
            events an open transaction holds back are named, not compared.
            """)

    @Argument(help: "The views to check (all when none is named).") var names: [String] = []
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let views = try ProjectionWorker.views(named: names)
        let line = progress.line()
        let total = line.enabled ? try? await StoreStatus.eventCount(connection.access) : nil
        let verification = try await ViewMaintenance.verify(views, access: connection.access) { progress in
            switch progress {
            case .hashesChecked(let events):
                line.show("checking the hash chains", done: events, of: total, "events")
            case .eventsReplayed(let events, let views):
                line.show("replaying for \(views.joined(separator: ", "))", done: events, of: total, "events")
            }
        }
        line.finish()
        let report = verification.report
        Output.writeLine("log: \(report.eventsChecked) events checked")
        for (name, events) in report.viewsChecked {
            // Say why a view was compared over fewer events than the log holds.
            let whole = Int64(events) == report.eventsChecked
            let why =
                whole
                ? "every event of the log"
                : "the log's first \(events) in log order; "
                    + (verification.heldBack.map { "\($0.eventsHeldBack) more wait for an open transaction" }
                        ?? "the rest were logged while verify ran")
            Output.writeLine("view \(name): compared with a fresh replay of \(events) events (\(why))")
        }
        if let note = ReadSession.heldBackNote(verification.heldBack, what: "the comparison") {
            Output.error("consult: note: " + note)
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
