import ArgumentParser
import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import Projections

/// `consult demo`: the sample dataset, and what the government has promised that is still open.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the sample dataset and show the outstanding commitments of government and public institutions.",
        discussion: """
            The sample dataset records five Korean news articles (2020–2024) on consultations between the \
            government and the AI industry: who spoke, what they asked of whom, and what officials promised. It \
            is inside the binary; loading it again changes nothing (every event has a fixed id). With no \
            connection settings, it goes to the embedded cluster.
            """)

    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD; default today).")
    var asOf: String?
    @OptionGroup var connection: ConnectionOptions

    /// The owners whose commitments the demo lists.
    static let governmentSectors = ["government", "public_institution"]

    func run() async throws {
        let date = try TimeArguments.date(asOf, option: "--as-of")
        var reader = JSONLinesReader(text: SampleDataset.jsonl)
        let parsed = try EventFileParser.parse(&reader, sourceName: "The sample dataset")
        let recording = try await EventRecorder.record(
            parsed, sourceName: "The sample dataset", access: connection.access)
        let added = recording?.outcomes.count { if case .appended = $0 { true } else { false } } ?? 0
        Output.writeLine(
            added == 0
                ? "The sample dataset is loaded (\(parsed.events.count) events from five news articles, 2020–2024)."
                : "Loaded the sample dataset: \(added) new events from five news articles (2020–2024).")

        let read = try await connection.openForReading()
        var rows: [CommitmentRow] = []
        for sector in Self.governmentSectors {
            var filter = CommitmentFilter()
            filter.outstandingOnly = true
            filter.sector = sector
            rows += try await read.model.commitments(filter, on: date)
        }
        let unanswered = try await read.model.requests(unansweredOnly: true, on: date).count

        Output.writeLine()
        Output.writeLine(
            "Outstanding commitments of government and public institutions on \(date) (\(rows.count)):")
        Output.writeLine()
        var table = TextTable(headers: [
            "OWNER", "MADE BY", "CONSULTATION", "DUE", "SCHEDULE", "PROGRESS", "COMMITMENT",
        ])
        for row in rows {
            let state = row.state
            let maker = [state.makerName, state.makerTitle.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            let consultation = [state.consultationTitle, state.madeOn.map { "(\($0))" }].compactMap { $0 }
                .joined(separator: " ")
            // The words of the due belong to the due-by first given; a revised one is shown as such.
            let original = CommitmentsCommand.originalDue(state)
            let due =
                state.slips > 0 || state.dueBy != state.originalDueBy
                ? [state.dueBy?.description, original.isEmpty ? nil : "(first \(original))"].compactMap { $0 }
                    .joined(separator: " ")
                : original
            let progress =
                state.lastNote == nil
                ? "no progress recorded" : "\(state.status) since \(state.statusOn?.description ?? "?")"
            table.rows.append([
                state.ownerName ?? state.ownerID, maker, consultation, due.isEmpty ? "none given" : due,
                row.schedule.rawValue, progress, state.summary,
            ])
        }
        Output.write(rows.isEmpty ? "None.\n" : table.render(maximumWidth: Terminal.columns()))
        Output.writeLine()
        Output.writeLine("Try next:")
        // As the user can type it: the path they ran, when they ran it by path.
        let consult = CommandLine.arguments.first.flatMap { $0.contains("/") ? $0 : nil } ?? "consult"
        let hints = [
            (
                "\(consult) requests --unanswered",
                "the \(unanswered) requests that got neither an answer nor a commitment"
            ),
            ("\(consult) history msit-hyperscale-ai-policy-2023", "every event of the minister's promise"),
            ("\(consult) commitments --as-of 2023-03-20", "the same question on an earlier day"),
            ("\(consult) search 인재", "where talent comes up"),
        ]
        let width = hints.map { DisplayWidth.of($0.0) }.max() ?? 0
        for (command, what) in hints {
            Output.writeLine(
                "  " + command + String(repeating: " ", count: width - DisplayWidth.of(command) + 2) + what)
        }
    }
}
