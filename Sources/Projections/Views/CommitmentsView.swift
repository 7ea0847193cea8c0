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
    static let commitments = ViewSchema<Commitment>(
        "view_commitments", key: ["stream_id"],
        // The last two serve a first screen (`ReadModel.firstCommitments`): whether any row changes
        // after the date asked about, and the list's order, read from the start and cut.
        indexes: [
            ["commitment_id"], ["owner_id"], ["made_by_id"], ["consultation_id"], ["status", "due_by"], ["latest_date"],
            ["due_by", "made_on", #"commitment_id COLLATE "C""#],
        ],
        columns: [
            .column("commitment_id", .text, \.state.commitmentID), .column("summary", .text, \.state.summary),
            .column("owner_id", .text, \.state.ownerID), .column("owner_name", .text, \.state.ownerName),
            .column("owner_sector", .text, \.state.ownerSector), .column("made_by_id", .text, \.state.madeByID),
            .column("maker_name", .text, \.state.makerName), .column("maker_title", .text, \.state.makerTitle),
            .column("consultation_id", .text, \.state.consultationID),
            .column("consultation_title", .text, \.state.consultationTitle),
            .column("consultation_kind", .text, \.state.consultationKind),
            .column("made_on", .date, \.state.madeOn), .column("due", .text, \.state.due),
            .column("due_text", .text, \.state.dueText), .column("original_due_by", .date, \.state.originalDueBy),
            .column("due_by", .date, \.state.dueBy), .column("slips", .integer, \.state.slips),
            .column("status", .text, \.state.status), .column("status_on", .date, \.state.statusOn),
            .column("due_by_at_status", .date, \.state.dueByAtStatus),
            .column("last_note", .text, \.state.lastNote), .column("restatements", .integer, \.state.restatements),
            .column("follow_ups", .integer, \.followUpCount),
            .column("responds_to_request_ids", .textArray, \.state.respondsToRequestIDs),
            .column("topics", .textArray, \.state.topics), .column("latest_date", .date, \.state.latestDate),
        ])

    /// A row: the commitment's state as everything recorded says now, without its follow-ups
    /// (the follow-ups view holds them), which are counted.
    struct Commitment: ViewRow, Equatable {
        var streamID = ""
        /// Its `followUps` are not stored: read back, they are empty.
        var state = CommitmentRecord.State.empty
        var followUpCount = 0

        init() {}

        init(stream: String, _ state: CommitmentRecord.State) {
            streamID = stream
            self.state = state
            followUpCount = state.followUps.count
        }
    }

    var tables: [ViewTable] { [Self.commitments.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = try Self.affectedStreams(batch, table: Self.commitments.table.named(suffix), on: connection)
        var rows: [Commitment] = []
        for (stream, state) in try batch.records.commitments(streams: streams, on: connection) {
            guard let state else { continue }
            rows.append(Commitment(stream: stream, state))
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
}

extension CommitmentRecord.State {
    /// A state with nothing in it, for the decoder to fill in.
    static let empty = CommitmentRecord.State(
        commitmentID: "", summary: "", ownerID: "", ownerName: nil, ownerSector: nil, madeByID: "", makerName: nil,
        makerTitle: nil, consultationID: "", consultationTitle: nil, consultationKind: nil, madeOn: nil, due: nil,
        dueText: nil, originalDueBy: nil, dueBy: nil, slips: 0, status: "", statusOn: nil, dueByAtStatus: nil,
        lastNote: nil, restatements: 0, followUps: [], respondsToRequestIDs: [], topics: [], latestDate: nil)
}
