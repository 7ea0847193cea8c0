import ConsultDomain
import Foundation
import Postgres

/// Every record's versions over recording time (`RecordVersion`): the commitment history among
/// them. `--as-of` and `--recorded-as-of` questions are folded from these rows, not from the log.
///
/// A new record event adds its first version; a correction or retraction recomputes the versions
/// of its stream.
struct HistoryView: ProjectionView {
    let name = "history"
    let version = 1
    static let versions = ViewSchema<Version>(
        "view_versions", key: ["stream_id", "event_id", "recorded_from"],
        // The second finds the answers that name given commitments (`ReadModel.answerLinks`)
        // without reading the others: a first screen of commitments reads only its rows' links.
        indexes: [["type"], [#"USING gin ((data::jsonb -> 'commitmentIds')) WHERE type = 'RequestAnswered'"#]],
        columns: [
            .column("event_id", .uuid, \.eventID), .column("type", .text, \.type),
            .column("sequence", .integer, \.sequence), .column("on_date", .date, \.onDate),
            .column("recorded_from", .bigint, \.recordedFrom), .column("recorded_until", .bigint, \.recordedUntil),
            // Text, not jsonb: it is only read back whole and parsed here, and converting every row
            // to jsonb was the largest single cost of a replay.
            .column("data", .jsonText, \.data),
        ])

    /// A row: one version of a record (`RecordVersion`), with its own date and its recording
    /// times in microseconds.
    struct Version: ViewRow, Equatable {
        var streamID = ""
        var eventID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        /// The event type's name.
        var type = ""
        var sequence = 0
        /// The version's own date (`RecordVersion.ownDate`), for questions about dates.
        var onDate: CalendarDate?
        var recordedFrom: Int64 = 0
        var recordedUntil: Int64?
        var data = JSONObject()

        init() {}

        init(stream: String, _ version: RecordVersion) {
            streamID = stream
            eventID = version.eventID
            type = version.type.rawValue
            sequence = version.sequence
            onDate = version.ownDate
            recordedFrom = version.recordedFrom.microseconds
            recordedUntil = version.recordedUntil?.microseconds
            data = version.data
        }

        /// The version the row holds; nil for an event type this program does not know.
        var recordVersion: RecordVersion? {
            guard let type = EventType(rawValue: type) else { return nil }
            return RecordVersion(
                eventID: eventID, type: type, sequence: sequence, data: data,
                recordedFrom: Timestamp(microseconds: recordedFrom),
                recordedUntil: recordedUntil.map(Timestamp.init(microseconds:)))
        }
    }

    var tables: [ViewTable] { [Self.versions.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let recomputed = RecordKind.allCases.flatMap(batch.corrected)
        let all = try batch.records.cache.versions(of: recomputed, on: connection)
        let rows = recomputed.flatMap { stream in (all[stream] ?? []).map { Version(stream: stream, $0) } }
        try Self.versions.replace(streams: recomputed, with: rows, suffix: suffix, on: connection)
        let excluded = Set(recomputed)
        let added = RecordKind.allCases.flatMap { batch.recordEvents($0, excluding: excluded) }
        try Self.versions.insert(
            added.map { Version(stream: $0.stream, $0.event.firstVersion) }, suffix: suffix, on: connection)
    }
}
