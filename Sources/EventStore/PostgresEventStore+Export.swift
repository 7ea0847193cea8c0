import Foundation
import Postgres

/// Where an export starts (`consult export --since`).
public enum ExportStart: Sendable, Hashable {
    /// The events after this log position (the positions `consult log` prints).
    case afterPosition(Int64)
    /// The events from the first one, by position, recorded at or after this instant
    /// (microseconds since 1970).
    case recordedSince(microseconds: Int64)
}

/// One line of an export: the event, its hash (hex) and, for the first line of a stream that an
/// export does not hold from version 1, the event before it (`follows`).
public struct ExportedEvent: Sendable {
    /// The event an export that starts mid-stream follows: its id and its hash (hex).
    public struct Predecessor: Sendable, Hashable {
        public var id: UUID
        public var hash: String
    }

    public var event: RecordedEvent
    public var hash: String
    public var follows: Predecessor?
}

extension PostgresEventStore {
    /// Every event of one consistent snapshot (after `start`, when given), in log order, in pages
    /// (bounded memory). `total` gets the count of events the export holds, before the first page.
    ///
    /// Unlike `readAll`, this includes events that committed after an older transaction still
    /// open: an export should hold everything committed, not only what a tailing reader may see.
    ///
    /// Why a partial export is cut by position: a stream's events take positions in version
    /// order (each version is inserted after the one before it committed), so the events after a
    /// position are, in every stream, all its versions from some version on — a tail that chains
    /// from the event before it, which `follows` names. Recording times do not have that property
    /// (`recorded_at` is when the writing transaction began), so a start given as a time is taken
    /// as the position of the first event recorded at or after it: nothing recorded then or later
    /// is left out, and no stream is cut in the middle.
    public func exportAll(
        since start: ExportStart? = nil, pageSize: Int = 1000, total: (@Sendable (Int) -> Void)? = nil,
        _ body: @Sendable @escaping ([ExportedEvent]) throws -> Void
    ) async throws {
        try await connection.withTransaction(.repeatableRead) { connection in
            let after: Int64
            switch start {
            case nil:
                after = .min
            case .afterPosition(let position):
                after = position
            case .recordedSince(let microseconds):
                let rows = try connection.query(
                    """
                    SELECT min(position) FROM events
                    WHERE recorded_at >= timestamptz 'epoch' + \(microseconds)::float8 * interval '1 microsecond'
                    """)
                guard let first = try rows.first?.decode(Int64?.self, column: 0) else {
                    total?(0)
                    return
                }
                after = first - 1
            }
            if let total {
                total(
                    try connection.query("SELECT count(*) FROM events WHERE position > \(after)")[0].decode(
                        Int.self, column: 0))
            }
            // The event before each stream's first exported one, when that is not version 1.
            var predecessors: [String: ExportedEvent.Predecessor] = [:]
            if start != nil {
                let rows = try connection.query(
                    """
                    SELECT e.stream_id, e.event_id, encode(e.hash, 'hex')
                    FROM (SELECT stream_id, min(stream_version) AS first FROM events WHERE position > \(after)
                          GROUP BY stream_id) f
                    JOIN events e ON e.stream_id = f.stream_id AND e.stream_version = f.first - 1
                    """)
                for row in rows {
                    predecessors[try row.decode(String.self, column: 0)] = ExportedEvent.Predecessor(
                        id: try row.decode(UUID.self, column: 1), hash: try row.decode(String.self, column: 2))
                }
            }
            var cursor = LogPosition.start
            while true {
                let rows = try connection.query(
                    """
                    SELECT \(unescaped: Self.columns), encode(hash, 'hex') AS hash_hex FROM events
                    WHERE (epoch, tx_id, position) > (\(cursor.epoch), \(cursor.transactionID)::xid8, \(cursor.position))
                      AND position > \(after)
                    ORDER BY epoch, tx_id, position
                    LIMIT \(pageSize)
                    """)
                let events = try rows.map { row in
                    let event = try Self.decodeEvent(row)
                    return ExportedEvent(
                        event: event, hash: try row.decode(String.self, column: 11),
                        follows: predecessors.removeValue(forKey: event.streamID))
                }
                guard let last = events.last else { return }
                try body(events)
                cursor = last.event.logPosition
            }
        }
    }
}
