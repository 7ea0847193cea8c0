import ConsultDomain
import Postgres

/// The requests, whom they were addressed to, and their answers. The commitments that respond to
/// a request are read from the commitments view when asked.
struct RequestsView: ProjectionView {
    let name = "requests"
    let version = 1
    static let requests = ViewSchema<Request>(
        "view_requests", key: ["stream_id"], indexes: [["request_id"], ["consultation_id"], ["requester_id"]],
        columns: [
            .column("request_id", .text, \.requestID), .column("consultation_id", .text, \.consultationID),
            .column("requester_id", .text, \.requesterID), .column("addressed_to_ids", .textArray, \.addressedToIDs),
            .column("summary", .text, \.summary), .column("topics", .textArray, \.topics),
            .column("answers", .jsonb, \.answers), .column("answer_commitment_ids", .textArray, \.answerCommitmentIDs),
            .column("on_date", .date, \.on),
        ])

    /// A row: one request and its answers.
    struct Request: ViewRow, Equatable {
        var streamID = ""
        var requestID = ""
        var consultationID = ""
        var requesterID = ""
        var addressedToIDs: [String] = []
        var summary = ""
        var topics: [String] = []
        /// `{on, answeredById, outcome, reason, commitmentIds}` objects (`RequestRecord.Answer.json`).
        var answers: [JSONValue] = []
        /// The commitments the answers name, each once, in order.
        var answerCommitmentIDs: [String] = []
        /// The request's own date; nil: its consultation's first day.
        var on: CalendarDate?

        init() {}

        init(stream: String, _ record: RequestRecord) {
            streamID = stream
            requestID = record.requestID
            consultationID = record.consultationID
            requesterID = record.requesterID
            addressedToIDs = record.addressedToIDs
            summary = record.summary
            topics = record.topics
            on = record.on
            answers = record.answers.map(\.json)
            for id in record.answers.flatMap(\.commitmentIDs) where !answerCommitmentIDs.contains(id) {
                answerCommitmentIDs.append(id)
            }
        }
    }

    var tables: [ViewTable] { [Self.requests.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = batch.touched(.request)
        var rows: [Request] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            guard let record = RequestRecord(versions: versions) else { continue }
            rows.append(Request(stream: stream, record))
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
