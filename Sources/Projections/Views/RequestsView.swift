import ConsultDomain
import Postgres

/// The requests, whom they were addressed to, and their answers. The commitments that respond to
/// a request are read from the commitments view when asked.
struct RequestsView: ProjectionView {
    let name = "requests"
    let version = 1
    static let requests = ViewTable(
        "view_requests", key: ["stream_id"], indexes: [["request_id"], ["consultation_id"], ["requester_id"]],
        columns: [
            ("request_id", "text"), ("consultation_id", "text"), ("requester_id", "text"),
            ("addressed_to_ids", "text[]"), ("summary", "text"), ("topics", "text[]"), ("answers", "jsonb"),
            ("answer_commitment_ids", "text[]"),
        ])
    var tables: [ViewTable] { [Self.requests] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = batch.touched(.request)
        var rows: [JSONObject] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            guard let record = RequestRecord(versions: versions) else { continue }
            var row = Row()
            row["stream_id"] = stream
            row["request_id"] = record.requestID
            row["consultation_id"] = record.consultationID
            row["requester_id"] = record.requesterID
            row.set("addressed_to_ids", record.addressedToIDs)
            row["summary"] = record.summary
            row.set("topics", record.topics)
            row.set("answers", json: .array(record.answers.map(\.json)))
            var commitments: [String] = []
            for id in record.answers.flatMap(\.commitmentIDs) where !commitments.contains(id) { commitments.append(id) }
            row.set("answer_commitment_ids", commitments)
            rows.append(row.object)
        }
        try Self.requests.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}

extension RequestRecord.Answer {
    /// `{on, answeredById, outcome, reason, commitmentIds}`, the keys SPEC.md gives.
    var json: JSONValue {
        var object = JSONObject()
        object["on"] = .string(on.description)
        object["answeredById"] = .string(answeredByID)
        object["outcome"] = .string(outcome)
        object["reason"] = .string(reason)
        object["commitmentIds"] = .array(commitmentIDs.map(JSONValue.string))
        return .object(object)
    }
}
