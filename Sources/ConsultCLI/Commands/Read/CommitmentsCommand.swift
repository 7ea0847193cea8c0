import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult commitments`: what was promised, by whom, and where it stands on a date.
struct CommitmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitments",
        abstract: "List commitments with their status and schedule on a date.",
        discussion: """
            Examples:
              consult commitments --outstanding
              consult commitments --overdue --owner msit
              consult commitments --outstanding --limit 20
              consult commitments --format csv --bom > commitments.csv
              consult commitments --as-of 2024-06-30 --recorded-as-of 2024-07-01T09:00:00+09:00

            --as-of DATE is the state on that date: events dated after it are ignored (default: today, local \
            time). --recorded-as-of TIME is what the tracker knew then: events recorded after it are ignored, \
            corrections and retractions included. The two combine.
            """)

    @Flag(help: "Only commitments still open, in progress or stalled.") var outstanding = false
    @Flag(help: "Only outstanding commitments whose due-by has passed.") var overdue = false
    @Option(help: "Only this status (open, in_progress, stalled, fulfilled, partially_fulfilled, broken, withdrawn).")
    var status: [String] = []
    @Option(help: "Only commitments owned by this stakeholder id.") var owner: String?
    @Option(help: "Only commitments whose owner is in this sector.") var sector: String?
    @Option(help: "Only commitments with this topic.") var topic: String?
    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD).") var asOf: String?
    @Option(
        name: .customLong("recorded-as-of"), help: "Answer with what was recorded by this time (RFC 3339 or a date).")
    var recordedAsOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    static let statuses = CommitmentsQuery.allStatuses

    func validate() throws {
        for value in status where !Self.statuses.contains(value) {
            throw ValidationError(
                "--status \(value) is not a status; use one of \(Self.statuses.joined(separator: ", ")).")
        }
        if outstanding || overdue, !status.isEmpty, !status.contains(where: Schedule.outstandingStatuses.contains) {
            throw ValidationError(
                "--\(overdue ? "overdue" : "outstanding") with --status \(status.joined(separator: ", ")) can never "
                    + "match: outstanding commitments are open, in_progress or stalled.")
        }
        try ChoiceValue.check(sector, option: "--sector", noun: "a sector", allowed: EventSchema.sectors)
    }

    func run() async throws {
        // The same use case as the web API's, with the options' spellings in its messages.
        var query = CommitmentsQuery()
        query.outstanding = outstanding
        query.overdue = overdue
        query.statuses = status
        query.owner = owner
        query.sector = sector
        query.topic = topic
        query.asOf = asOf
        query.recordedAsOf = recordedAsOf
        query.limit = listing.limit
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let answer = try await query.run(read, names: OptionNames.cli)
        let (rows, date) = (answer.rows, answer.date)
        var list = RecordList(
            keys: CommitmentRow.keys,
            tableColumns: [
                ("COMMITMENT", "commitmentId"), ("OWNER", "ownerName"), ("MADE BY", "maker"),
                ("CONSULTATION", "consultationTitle"), ("MADE ON", "madeOn"), ("DUE BY", "dueBy"),
                ("ORIGINAL DUE", "originalDue"), ("STATUS", "status"), ("SCHEDULE", "schedule"), ("SUMMARY", "summary"),
            ])
        for row in rows {
            // Cells only a table shows: not composed for JSON or CSV, which may be every row.
            guard output.format == .table else {
                list.append(row.json)
                continue
            }
            let maker = [row.state.makerName, row.state.makerTitle].compactMap { $0 }.joined(separator: ", ")
            let slips = row.state.slips
            let original = [Self.originalDue(row.state), slips > 0 ? "\(slips) slip\(slips == 1 ? "" : "s")" : nil]
                .compactMap { $0 }.joined(separator: ", ")
            list.append(row.json, tableExtras: ["maker": maker, "originalDue": original])
        }
        await listing.show(list, output: output, noun: "commitments", total: answer.total) {
            $0.render(
                output.format, emptyMessage: "No commitments match.",
                caption: RecordList.caption(on: date, recordedAsOf: recordedAsOf))
        }
    }

    /// The due-by first given, with the words it was given in (`2023-03-31 “이달 중”`): the words
    /// belong to that due-by, not to a revised one.
    static func originalDue(_ state: CommitmentRecord.State) -> String {
        [state.originalDueBy?.description, state.dueText.map { "“\($0)”" }].compactMap { $0 }.joined(separator: " ")
    }
}
