import ConsultDomain
import Postgres

/// Every record's versions over recording time (`RecordVersion`): the commitment history among
/// them. `--as-of` and `--recorded-as-of` questions are folded from these rows, not from the log.
///
/// A new record event adds its first version; a correction or retraction recomputes the versions
/// of its stream.
struct HistoryView: ProjectionView {
    let name = "history"
    let version = 1
    static let versions = ViewTable(
        "view_versions", key: ["stream_id", "event_id", "recorded_from"], indexes: [["type"]],
        columns: [
            ("event_id", "uuid"), ("type", "text"), ("sequence", "integer"), ("on_date", "date"),
            ("recorded_from", "bigint"), ("recorded_until", "bigint"), ("data", "text"),
        ])
    var tables: [ViewTable] { [Self.versions] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let recomputed = RecordKind.allCases.flatMap(batch.corrected)
        let all = try batch.records.cache.versions(of: recomputed, on: connection)
        let rows = recomputed.flatMap { stream in (all[stream] ?? []).map { Self.row(stream, $0) } }
        try Self.versions.replace(streams: recomputed, with: rows, suffix: suffix, on: connection)
        let excluded = Set(recomputed)
        let added = RecordKind.allCases.flatMap { batch.recordEvents($0, excluding: excluded) }
        try Self.versions.insert(
            added.map { Self.row($0.stream, $0.event.firstVersion) }, suffix: suffix, on: connection)
    }

    static func row(_ stream: String, _ version: RecordVersion) -> JSONObject {
        var row = Row()
        row["stream_id"] = stream
        row["event_id"] = version.eventID.uuidString.lowercased()
        row["type"] = version.type.rawValue
        row.set("sequence", version.sequence)
        row.set("on_date", version.ownDate)
        row.set("recorded_from", json: .number(String(version.recordedFrom.microseconds)))
        row.set("recorded_until", json: version.recordedUntil.map { .number(String($0.microseconds)) } ?? .null)
        // Text, not jsonb: it is only read back whole and parsed here, and converting every row
        // to jsonb was the largest single cost of a replay.
        row["data"] = JSONValue.object(version.data).serialized()
        return row.object
    }
}
