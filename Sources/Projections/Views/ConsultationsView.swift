import ConsultDomain
import Postgres

/// The consultations and their statements. A consultation's stream holds all its statements, so
/// new events are added as they come; a correction or retraction recomputes its stream.
struct ConsultationsView: ProjectionView {
    let name = "consultations"
    let version = 1
    static let consultations = ViewSchema<Consultation>(
        "view_consultations", key: ["stream_id"], indexes: [["consultation_id"], ["starts_on"]],
        columns: [
            .column("consultation_id", .text, \.consultationID), .column("kind", .text, \.kind),
            .column("title", .text, \.title), .column("starts_on", .date, \.startsOn),
            .column("ends_on", .date, \.endsOn), .column("venue", .text, \.venue),
            .column("organizer_ids", .textArray, \.organizerIDs), .column("participants", .jsonb, \.participants),
            .column("sources", .jsonb, \.sources),
        ])
    static let statements = ViewSchema<Statement>(
        "view_statements", key: ["stream_id", "sequence"], indexes: [["speaker_id"], ["consultation_id"]],
        columns: [
            .column("sequence", .integer, \.sequence), .column("statement_id", .text, \.statementID),
            .column("consultation_id", .text, \.consultationID), .column("speaker_id", .text, \.speakerID),
            .column("summary", .text, \.summary), .column("quote", .text, \.quote),
            .column("topics", .textArray, \.topics), .column("on_date", .date, \.on),
        ])

    /// A row of `view_consultations`: one consultation, without its statements.
    struct Consultation: ViewRow, Equatable {
        var streamID = ""
        var consultationID = ""
        var kind = ""
        var title = ""
        var startsOn: CalendarDate?
        var endsOn: CalendarDate?
        var venue: String?
        var organizerIDs: [String] = []
        /// `{stakeholderId, role}` objects, as recorded.
        var participants: [JSONValue] = []
        var sources: [JSONValue] = []

        init() {}

        init(stream: String, _ record: ConsultationRecord) {
            streamID = stream
            consultationID = record.consultationID
            kind = record.kind
            title = record.title
            startsOn = record.startsOn
            endsOn = record.endsOn
            venue = record.venue
            organizerIDs = record.organizerIDs
            participants = record.participants
            sources = record.sources
        }
    }

    /// A row of `view_statements`: one statement, keyed by its event's version in the stream.
    struct Statement: ViewRow, Equatable {
        var streamID = ""
        var sequence = 0
        var statementID = ""
        var consultationID = ""
        var speakerID = ""
        var summary = ""
        var quote: String?
        var topics: [String] = []
        /// The statement's own date; nil: the consultation's first day.
        var on: CalendarDate?

        init() {}

        init(stream: String, _ statement: ConsultationRecord.Statement, consultation: String) {
            streamID = stream
            sequence = statement.sequence
            statementID = statement.statementID
            consultationID = consultation
            speakerID = statement.speakerID
            summary = statement.summary
            quote = statement.quote
            topics = statement.topics
            on = statement.on
        }
    }

    var tables: [ViewTable] { [Self.consultations.table, Self.statements.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let recomputed = batch.corrected(.consultation)
        var consultations: [Consultation] = []
        var statements: [Statement] = []
        for (stream, versions) in try batch.known(recomputed, on: connection) {
            guard let record = ConsultationRecord(versions: versions) else { continue }
            consultations.append(Consultation(stream: stream, record))
            statements += record.statements.map { Statement(stream: stream, $0, consultation: record.consultationID) }
        }
        try Self.consultations.replace(streams: recomputed, with: consultations, suffix: suffix, on: connection)
        try Self.statements.replace(streams: recomputed, with: statements, suffix: suffix, on: connection)
        consultations = []
        statements = []
        for (stream, event) in batch.recordEvents(.consultation, excluding: Set(recomputed)) {
            let version = event.firstVersion
            if event.type == .consultationHeld, let record = ConsultationRecord(versions: [version]) {
                consultations.append(Consultation(stream: stream, record))
            } else if event.type == .statementRecorded, let consultation = event.data["consultationId"]?.stringValue,
                let statement = ConsultationRecord.statement(version)
            {
                statements.append(Statement(stream: stream, statement, consultation: consultation))
            }
        }
        try Self.consultations.insert(consultations, suffix: suffix, on: connection)
        try Self.statements.insert(statements, suffix: suffix, on: connection)
    }
}
