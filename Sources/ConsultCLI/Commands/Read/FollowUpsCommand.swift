import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult follow-ups`: the check-ins that are due.
struct FollowUpsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-ups",
        abstract: "List the follow-ups (check-ins on commitments) that are due.",
        discussion: """
            A follow-up is done when its commitment has a progress dated on or after the check-in date, or is no \
            longer outstanding; it is due on a date when its check-in date has come and it is not done.

            Examples:
              consult follow-ups
              consult follow-ups --due-within 14
              consult follow-ups --all --limit 5
              consult follow-ups --all --as-of 2024-06-30
            """)

    @Option(name: .customLong("due-within"), help: "Also those whose check-in date falls within this many days.")
    var dueWithin: Int = 0
    @Flag(help: "Every follow-up, done or not.") var all = false
    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD).") var asOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func validate() throws {
        if dueWithin < 0 { throw ValidationError("--due-within takes a number of days, 0 or more.") }
    }

    func run() async throws {
        var query = FollowUpsQuery()
        query.dueWithin = dueWithin
        query.all = all
        query.asOf = asOf
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let answer = try await query.run(read, names: OptionNames.cli)
        let (rows, date) = (answer.rows, answer.date)
        var list = RecordList(
            keys: FollowUpRow.keys,
            tableColumns: [
                ("COMMITMENT", "commitmentId"), ("CHECK ON", "checkOn"), ("ASSIGNEE", "assignee"), ("DONE", "done"),
                ("DUE", "due"), ("NOTE", "note"),
            ])
        for row in rows {
            list.append(row.json, tableExtras: ["done": row.isDone ? "yes" : "no", "due": row.isDue ? "yes" : "no"])
        }
        await listing.show(list, output: output, noun: "follow-ups") {
            $0.render(
                output.format, emptyMessage: all ? "No follow-ups are scheduled." : "No follow-ups are due.",
                caption: RecordList.caption(on: date))
        }
    }
}
