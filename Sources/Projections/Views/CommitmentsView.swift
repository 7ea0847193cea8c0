import ConsultDomain
import Postgres

/// One row per commitment, as everything recorded says now. A row depends on its commitment's
/// stream and on the consultation and stakeholders it names, so a batch that changes one of those
/// recomputes the commitments that name it.
///
/// The schedule is not stored: it depends on the date asked about. `latest_date` says which dates
/// the row answers for (every date on or after it); other dates are folded from the history view.
struct CommitmentsView: ProjectionView {
    let name = "commitments"
    let version = 1
    static let commitments = ViewTable(
        "view_commitments", key: ["stream_id"],
        indexes: [["commitment_id"], ["owner_id"], ["made_by_id"], ["consultation_id"], ["status", "due_by"]],
        columns: [
            ("commitment_id", "text"), ("summary", "text"), ("owner_id", "text"), ("owner_name", "text"),
            ("owner_sector", "text"), ("made_by_id", "text"), ("maker_name", "text"), ("maker_title", "text"),
            ("consultation_id", "text"), ("consultation_title", "text"), ("consultation_kind", "text"),
            ("made_on", "date"), ("due", "text"), ("due_text", "text"), ("original_due_by", "date"),
            ("due_by", "date"), ("slips", "integer"), ("status", "text"), ("status_on", "date"),
            ("due_by_at_status", "date"), ("last_note", "text"), ("restatements", "integer"),
            ("follow_ups", "integer"), ("responds_to_request_ids", "text[]"), ("topics", "text[]"),
            ("latest_date", "date"),
        ])
    var tables: [ViewTable] { [Self.commitments] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = try Self.affectedStreams(batch, table: Self.commitments.named(suffix), on: connection)
        var rows: [JSONObject] = []
        for (stream, state) in try batch.records.commitments(streams: streams, on: connection) {
            guard let state else { continue }
            rows.append(Self.row(stream: stream, state).object)
        }
        try Self.commitments.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }

    /// The commitment streams the batch touched, and those of commitments that name a consultation
    /// or stakeholder the batch touched (as the view's rows name them before the batch).
    static func affectedStreams(_ batch: ProjectionBatch, table: String, on connection: isolated Connection) throws
        -> [String]
    {
        let streams = batch.touched(.commitment)
        let consultations = batch.consultationsChanged().map(RecordKind.consultation.recordID(ofStream:))
        let stakeholders = batch.touched(.stakeholder).map(RecordKind.stakeholder.recordID(ofStream:))
        guard !consultations.isEmpty || !stakeholders.isEmpty else { return streams }
        let naming = try connection.query(
            """
            SELECT stream_id FROM \(unescaped: table)
            WHERE consultation_id = ANY(\(consultations)::text[])
               OR owner_id = ANY(\(stakeholders)::text[]) OR made_by_id = ANY(\(stakeholders)::text[])
            ORDER BY stream_id
            """)
        return try appendingNew(streams, from: naming)
    }

    static func row(stream: String, _ state: CommitmentRecord.State) -> Row {
        var row = Row()
        row["stream_id"] = stream
        row["commitment_id"] = state.commitmentID
        row["summary"] = state.summary
        row["owner_id"] = state.ownerID
        row["owner_name"] = state.ownerName
        row["owner_sector"] = state.ownerSector
        row["made_by_id"] = state.madeByID
        row["maker_name"] = state.makerName
        row["maker_title"] = state.makerTitle
        row["consultation_id"] = state.consultationID
        row["consultation_title"] = state.consultationTitle
        row["consultation_kind"] = state.consultationKind
        row.set("made_on", state.madeOn)
        row["due"] = state.due
        row["due_text"] = state.dueText
        row.set("original_due_by", state.originalDueBy)
        row.set("due_by", state.dueBy)
        row.set("slips", state.slips)
        row["status"] = state.status
        row.set("status_on", state.statusOn)
        row.set("due_by_at_status", state.dueByAtStatus)
        row["last_note"] = state.lastNote
        row.set("restatements", state.restatements)
        row.set("follow_ups", state.followUps.count)
        row.set("responds_to_request_ids", state.respondsToRequestIDs)
        row.set("topics", state.topics)
        row.set("latest_date", state.latestDate)
        return row
    }
}
