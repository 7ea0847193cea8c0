import ConsultDomain
import Postgres

/// The consultations and their statements. A consultation's stream holds all its statements, so
/// new events are added as they come; a correction or retraction recomputes its stream.
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
        "view_statements", key: ["stream_id", "sequence"], indexes: [["speaker_id"], ["consultation_id"]],
        columns: [
            ("sequence", "integer"), ("statement_id", "text"), ("consultation_id", "text"), ("speaker_id", "text"),
            ("summary", "text"), ("quote", "text"), ("topics", "text[]"),
        ])
    var tables: [ViewTable] { [Self.consultations, Self.statements] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let recomputed = batch.corrected(.consultation)
        var consultations: [JSONObject] = []
        var statements: [JSONObject] = []
        for (stream, versions) in try batch.known(recomputed, on: connection) {
            guard let record = ConsultationRecord(versions: versions) else { continue }
            consultations.append(Self.row(stream, record))
            statements += record.statements.map { Self.row(stream, $0, consultation: record.consultationID) }
        }
        try Self.consultations.replace(streams: recomputed, with: consultations, suffix: suffix, on: connection)
        try Self.statements.replace(streams: recomputed, with: statements, suffix: suffix, on: connection)
        consultations = []
        statements = []
        for (stream, event) in batch.recordEvents(.consultation, excluding: Set(recomputed)) {
            let version = event.firstVersion
            if event.type == .consultationHeld, let record = ConsultationRecord(versions: [version]) {
                consultations.append(Self.row(stream, record))
            } else if event.type == .statementRecorded, let consultation = event.data["consultationId"]?.stringValue,
                let statement = ConsultationRecord.statement(version)
            {
                statements.append(Self.row(stream, statement, consultation: consultation))
            }
        }
        try Self.consultations.insert(consultations, suffix: suffix, on: connection)
        try Self.statements.insert(statements, suffix: suffix, on: connection)
    }

    static func row(_ stream: String, _ record: ConsultationRecord) -> JSONObject {
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
        return row.object
    }

    static func row(_ stream: String, _ statement: ConsultationRecord.Statement, consultation: String) -> JSONObject {
        var row = Row()
        row["stream_id"] = stream
        row.set("sequence", statement.sequence)
        row["statement_id"] = statement.statementID
        row["consultation_id"] = consultation
        row["speaker_id"] = statement.speakerID
        row["summary"] = statement.summary
        row["quote"] = statement.quote
        row.set("topics", statement.topics)
        return row.object
    }
}
