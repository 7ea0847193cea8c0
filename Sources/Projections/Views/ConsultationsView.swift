import ConsultDomain
import Postgres

/// The consultations and their statements.
struct ConsultationsView: ProjectionView {
    let name = "consultations"
    let version = 1
    static let consultations = ViewTable(
        "view_consultations", key: ["stream_id"], indexes: [["consultation_id"], ["date"]],
        columns: [
            ("consultation_id", "text"), ("kind", "text"), ("title", "text"), ("date", "date"), ("venue", "text"),
            ("organizer_ids", "text[]"), ("participants", "jsonb"), ("sources", "jsonb"),
        ])
    static let statements = ViewTable(
        "view_statements", key: ["stream_id", "statement_id"], indexes: [["speaker_id"]],
        columns: [
            ("statement_id", "text"), ("sequence", "integer"), ("consultation_id", "text"), ("speaker_id", "text"),
            ("summary", "text"), ("quote", "text"), ("topics", "text[]"),
        ])
    var tables: [ViewTable] { [Self.consultations, Self.statements] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = batch.touched(.consultation)
        var consultations: [JSONObject] = []
        var statements: [JSONObject] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            guard let record = ConsultationRecord(versions: versions) else { continue }
            var row = Row()
            row["stream_id"] = stream
            row["consultation_id"] = record.consultationID
            row["kind"] = record.kind
            row["title"] = record.title
            row.set("date", record.date)
            row["venue"] = record.venue
            row.set("organizer_ids", record.organizerIDs)
            row.set("participants", json: .array(record.participants))
            row.set("sources", json: .array(record.sources))
            consultations.append(row.object)
            for (sequence, statement) in record.statements.enumerated() {
                var row = Row()
                row["stream_id"] = stream
                row["statement_id"] = statement.statementID
                row.set("sequence", sequence)
                row["consultation_id"] = record.consultationID
                row["speaker_id"] = statement.speakerID
                row["summary"] = statement.summary
                row["quote"] = statement.quote
                row.set("topics", statement.topics)
                statements.append(row.object)
            }
        }
        try Self.consultations.replace(streams: streams, with: consultations, suffix: suffix, on: connection)
        try Self.statements.replace(streams: streams, with: statements, suffix: suffix, on: connection)
    }
}
