import ConsultDomain
import Postgres

/// The scheduled check-ins, with the first progress on or after each check-in date and the
/// commitment's status, as everything recorded says now. Whether one is done or due on a date is
/// derived when asked.
struct FollowUpsView: ProjectionView {
    let name = "follow-ups"
    let version = 1
    static let followUps = ViewTable(
        "view_follow_ups", key: ["stream_id", "ordinal"], indexes: [["check_on"], ["consultation_id"]],
        columns: [
            ("ordinal", "integer"), ("commitment_id", "text"), ("consultation_id", "text"), ("check_on", "date"),
            ("assignee", "text"), ("note", "text"), ("first_progress_on", "date"), ("status", "text"),
            ("latest_date", "date"),
        ])
    var tables: [ViewTable] { [Self.followUps] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        // Streams that get a follow-up (or a correction), and those that already have one and were
        // touched or whose consultation changed: progress on a commitment without follow-ups
        // changes nothing here.
        var streams = batch.touched(.commitment, by: [.followUpScheduled])
        let touched = batch.touched(.commitment)
        let consultations = batch.consultationsChanged().map(RecordKind.consultation.recordID(ofStream:))
        if touched.count > streams.count || !consultations.isEmpty {
            let naming = try connection.query(
                """
                SELECT DISTINCT stream_id FROM \(unescaped: Self.followUps.named(suffix))
                WHERE stream_id = ANY(\(touched)::text[]) OR consultation_id = ANY(\(consultations)::text[])
                ORDER BY stream_id
                """)
            streams = try appendingNew(streams, from: naming)
        }
        var rows: [JSONObject] = []
        for (stream, state) in try batch.records.commitments(streams: streams, on: connection) {
            guard let state else { continue }
            for (ordinal, followUp) in state.followUps.enumerated() {
                var row = Row()
                row["stream_id"] = stream
                row.set("ordinal", ordinal)
                row["commitment_id"] = state.commitmentID
                row["consultation_id"] = state.consultationID
                row.set("check_on", followUp.checkOn)
                row["assignee"] = followUp.assignee
                row["note"] = followUp.note
                row.set("first_progress_on", followUp.firstProgressOn)
                row["status"] = state.status
                row.set("latest_date", state.latestDate)
                rows.append(row.object)
            }
        }
        try Self.followUps.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}
