import ArgumentParser
import ConsultCore
import ConsultDomain
import EventStore
import Foundation

/// `consult history ID`: every event of a record, in log order, corrections and retractions included;
/// with `--since TIME`, only those recorded since then, of the record or (without an id) of all.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every event of a record (stakeholder, consultation, request or commitment), in order.",
        discussion: """
            Corrections and retractions are shown where they were recorded. Examples: consult history msit; \
            consult history msit --limit 10

            --since TIME shows only the events recorded at or after TIME (RFC 3339, or a date: the start of \
            that day); without an id, those of every record, in log order: what changed since then. \
            Example: consult history --since 2024-05-01
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    @Argument(help: "The record's id, e.g. msit or ai-strategy-dialogue-3 (optional with --since).")
    var id: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only the events recorded at or after this time (RFC 3339, or a date: its start).", valueName: "time"))
    var since: String?

    func validate() throws {
        guard let id else {
            if since == nil {
                throw ValidationError(
                    "Missing expected argument '<id>' (or give --since TIME for what changed in every record).")
            }
            return
        }
        guard Slug.isValid(id) else {
            throw ValidationError("\"\(id)\" is not a valid id (\(Slug.rule) characters).")
        }
    }

    func run() async throws {
        let start = try since.map { try TimeArguments.start($0, option: "--since") }
        let found = try await RecordHistory.listing(of: id, since: start, access: connection.access)
        let all = found.events
        let events = listing.cut(all)
        var text = try render(events, of: all, related: found.related)
        if output.format == .table, let since, let start {
            let whose = id.map { "of \($0) " } ?? ""
            // The instant in UTC, as the RECORDED column shows times, when it was given otherwise.
            let utc = start.description == since ? "" : " (\(start))"
            if all.isEmpty {
                Output.writeLine("No events \(whose)were recorded since \(since)\(utc).")
                return
            }
            text = "Events \(whose)recorded since \(since)\(utc):\n" + text
        }
        await listing.show(text, output: output, shown: events.count, of: all.count, noun: "events")
    }

    /// `events`, the first of `all`, in the chosen format. A table marks an event retracted by any
    /// of `related` (the events a correction or retraction may refer to), shown or not.
    func render(_ events: [RecordedEvent], of all: [RecordedEvent], related: [RecordedEvent]) throws -> String {
        switch output.format {
        case .json:
            let array = try events.map { try RecordHistory.json(for: $0) }
            return JSONValue.array(array).serialized() + "\n"
        case .csv:
            var csv = CSVWriter(headers: ["position", "recordedAt", "streamId", "streamVersion", "type", "id", "data"])
            for event in events {
                csv.append([
                    String(event.position), event.recordedAt, event.streamID, String(event.streamVersion), event.type,
                    event.id.uuidString.lowercased(), try JSONValue.parse(event.data).serialized(),
                ])
            }
            return csv.text
        case .table:
            var table = TextTable(
                headers: ["POSITION", "RECORDED (UTC)", "STREAM", "VERSION", "TYPE", "ID", "DETAIL"])
            // The id is what `log correction` and `log retraction` take: it is never cut.
            table.keptWhole = [0, 1, 2, 3, 5]
            for (event, detail) in zip(events, RecordHistory.details(all, related: related)) {
                table.rows.append([
                    String(event.position),
                    String(event.recordedAt.prefix(19)).replacingOccurrences(of: "T", with: " "),
                    event.streamID, String(event.streamVersion), event.type, event.id.uuidString.lowercased(),
                    detail,
                ])
            }
            return table.render(maximumWidth: Terminal.columns())
        }
    }
}
