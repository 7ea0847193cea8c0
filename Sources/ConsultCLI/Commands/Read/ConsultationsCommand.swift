import ArgumentParser
import ConsultDomain
import Projections

/// `consult consultations`: the timeline of consultations.
struct ConsultationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consultations",
        abstract: "List consultations in date order, with participants and what was recorded of each.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let read = try await connection.openForReading()
        let rows = try await read.model.consultations()
        var list = RecordList(
            keys: [
                "consultationId", "kind", "title", "date", "venue", "organizerIds", "participants", "statements",
                "requests", "commitments",
            ],
            tableColumns: [
                ("DATE", "date"), ("CONSULTATION", "consultationId"), ("KIND", "kind"), ("TITLE", "title"),
                ("PARTICIPANTS", "participantCount"), ("STATEMENTS", "statements"), ("REQUESTS", "requests"),
                ("COMMITMENTS", "commitments"),
            ])
        for row in rows {
            var object = JSONObject()
            object["consultationId"] = .string(row.consultationID)
            object["kind"] = .string(row.kind)
            object["title"] = .string(row.title)
            object["date"] = .optional(row.date)
            object["venue"] = .optional(row.venue)
            object["organizerIds"] = .strings(row.organizerIDs)
            object["participants"] = .array(row.participants)
            object["statements"] = .int(row.statements)
            object["requests"] = .int(row.requests)
            object["commitments"] = .int(row.commitments)
            list.append(object, tableExtras: ["participantCount": String(row.participants.count)])
        }
        Output.write(list.render(output.format, emptyMessage: "No consultations are recorded."))
    }
}
