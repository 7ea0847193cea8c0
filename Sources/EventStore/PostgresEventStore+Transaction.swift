import Foundation
import Postgres

/// An event as the fold of its stream needs it: no log position, no metadata.
public struct StreamEvent: Sendable, Hashable {
    public var streamID: String
    public var streamVersion: Int
    public var id: UUID
    public var type: String
    /// The version of its type's schema the data is written in.
    public var schemaVersion: Int
    /// A JSON object, as text.
    public var data: String
    public var recordedAtMicroseconds: Int64
}

extension PostgresEventStore {
    /// Up to `limit` events after `position` (and up to `end`, when given), in log order, read
    /// on `connection` inside the caller's transaction: projection workers read and apply a batch
    /// and move their checkpoint in one transaction. The read is `readAll(after:limit:)`'s, with
    /// the same guarantee; `epoch` is `currentEpoch()`.
    public static func read(
        after position: LogPosition, upTo end: LogPosition? = nil, epoch: Int32, limit: Int,
        on connection: isolated Connection
    ) throws -> [RecordedEvent] {
        try connection.query(readAllQuery(after: position, upTo: end, limit: limit, epoch: epoch)).map(decodeEvent)
    }

    /// The events of `streams` up to and including `end`, in stream order per stream, read inside
    /// the caller's transaction. With `types`, only events of those types; `exceptType` leaves one
    /// type out, which lets a partial index that leaves it out serve the query (migration 0005's
    /// `events_stream_records`): the statement is planned for its values each time, since a
    /// generic plan could not use that index.
    public static func streamEvents(
        _ streams: [String], types: [String]? = nil, exceptType: String? = nil, upTo end: LogPosition,
        on connection: isolated Connection
    ) throws -> [StreamEvent] {
        let query: PostgresQuery = """
            SELECT stream_id, stream_version, event_id, type, data::text AS data_text,
                   (extract(epoch FROM recorded_at) * 1000000)::bigint AS recorded_micros, schema_version
            FROM events
            WHERE stream_id = ANY(\(streams)::text[])
              AND (\(types == nil) OR type = ANY(\(types ?? [])::text[]))
              AND type <> \(exceptType ?? "")
              AND (epoch, tx_id, position) <= (\(end.epoch), \(end.transactionID)::xid8, \(end.position))
            ORDER BY stream_id, stream_version
            """
        return try connection.query(exceptType == nil ? query : query.plannedForItsValues()).map { row in
            StreamEvent(
                streamID: try row.decode(column: 0), streamVersion: try row.decode(column: 1),
                id: try row.decode(column: 2), type: try row.decode(column: 3),
                schemaVersion: try row.decode(column: 6),
                data: try row.decode(column: 4), recordedAtMicroseconds: try row.decode(column: 5))
        }
    }

    /// How many events the log holds after each of `positions` (readable now or not), counted
    /// inside the caller's transaction (so in the same snapshot as what the caller read there).
    public static func countEvents(after positions: [LogPosition], on connection: isolated Connection) throws
        -> [Int64]
    {
        guard !positions.isEmpty else { return [] }
        let rows = try connection.query(
            """
            SELECT (SELECT count(*) FROM events e
                    WHERE (e.epoch, e.tx_id, e.position) > (p.epoch, p.tx_id::xid8, p.position))
            FROM unnest(\(positions.map(\.epoch))::int[], \(positions.map { String($0.transactionID) })::text[],
                        \(positions.map(\.position))::bigint[]) WITH ORDINALITY AS p(epoch, tx_id, position, n)
            ORDER BY n
            """)
        return try rows.map { try $0.decode(Int64.self, column: 0) }
    }
}
