import ConsultDomain
import Postgres

/// The scheduled check-ins, with the first progress on or after each check-in date and the
/// commitment's status, as everything recorded says now. Whether one is done or due on a date is
/// derived when asked.
struct FollowUpsView: ProjectionView {
    let name = "follow-ups"
    let version = 1
    static let followUps = ViewSchema<FollowUp>(
        "view_follow_ups", key: ["stream_id", "ordinal"], indexes: [["check_on"], ["consultation_id"]],
        columns: [
            .column("ordinal", .integer, \.ordinal), .column("commitment_id", .text, \.commitmentID),
            .column("consultation_id", .text, \.consultationID), .column("check_on", .date, \.checkOn),
            .column("assignee", .text, \.assignee), .column("note", .text, \.note),
            .column("first_progress_on", .date, \.firstProgressOn), .column("status", .text, \.status),
            .column("latest_date", .date, \.latestDate),
        ])

    /// A row: one check-in of a commitment, with the commitment's status and latest date.
    struct FollowUp: ViewRow, Equatable {
        var streamID = ""
        /// Its place among the commitment's follow-ups.
        var ordinal = 0
        var commitmentID = ""
        var consultationID = ""
        var checkOn = CalendarDate(dayNumber: 0)
        var assignee: String?
        var note: String?
        var firstProgressOn: CalendarDate?
        var status = ""
        var latestDate: CalendarDate?

        init() {}

        init(stream: String, ordinal: Int, _ followUp: CommitmentRecord.FollowUp, of state: CommitmentRecord.State) {
            streamID = stream
            self.ordinal = ordinal
            commitmentID = state.commitmentID
            consultationID = state.consultationID
            checkOn = followUp.checkOn
            assignee = followUp.assignee
            note = followUp.note
            firstProgressOn = followUp.firstProgressOn
            status = state.status
            latestDate = state.latestDate
        }
    }

    var tables: [ViewTable] { [Self.followUps.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        // Streams that get a follow-up (or a correction), and those that already have one and were
        // touched or whose consultation changed: progress on a commitment without follow-ups
        // changes nothing here.
        var streams = batch.touched(.commitment, by: [.followUpScheduled])
        let touched = batch.touched(.commitment)
        let consultations = batch.consultationsChanged().map(RecordKind.consultation.recordID(ofStream:))
        if touched.count > streams.count || !consultations.isEmpty {
            let table = Self.followUps.table.named(suffix)
            let naming = try connection.query(
                """
                SELECT DISTINCT stream_id FROM \(unescaped: table)
                WHERE stream_id = ANY(\(touched)::text[]) OR consultation_id = ANY(\(consultations)::text[])
                ORDER BY stream_id
                """)
            streams = try appendingNew(streams, from: naming)
        }
        var rows: [FollowUp] = []
        for (stream, state) in try batch.records.commitments(streams: streams, on: connection) {
            guard let state else { continue }
            for (ordinal, followUp) in state.followUps.enumerated() {
                rows.append(FollowUp(stream: stream, ordinal: ordinal, followUp, of: state))
            }
        }
        try Self.followUps.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}
