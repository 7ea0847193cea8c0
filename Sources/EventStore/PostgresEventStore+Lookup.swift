import Foundation
import Postgres

/// Reads of the log made inside an append's transaction, so that what a batch is checked against
/// is what it is appended to (a retried append checks again). Set-based: one query per call.
public struct EventLookup {
    let connection: Connection

    /// Events of the given streams, optionally only of some types, in log order.
    public func events(inStreams streamIDs: [String], types: [String]? = nil) throws -> [RecordedEvent] {
        guard !streamIDs.isEmpty else { return [] }
        return try query(PostgresEventStore.streamsQuery(streamIDs, types: types))
    }

    /// The events with these ids, in log order.
    public func events(ids: [UUID]) throws -> [RecordedEvent] {
        guard !ids.isEmpty else { return [] }
        return try query(
            """
            SELECT \(unescaped: PostgresEventStore.columns) FROM events
            WHERE event_id = ANY(\(ids)::uuid[])
            ORDER BY epoch, tx_id, position
            """)
    }

    /// Which of these event ids are stored (ids only, so it stays cheap for a large batch).
    public func storedIDs(_ ids: [UUID]) throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return try connection.assumeIsolated { connection in
            let rows = try connection.query("SELECT event_id FROM events WHERE event_id = ANY(\(ids)::uuid[])")
            return Set(try rows.map { try $0.decode(UUID.self, column: 0) })
        }
    }

    /// Statements recorded with these statement ids (unique across consultations), in log order;
    /// served by the `events_statement_id` index.
    public func statements(ids: [String]) throws -> [RecordedEvent] {
        guard !ids.isEmpty else { return [] }
        return try query(
            """
            SELECT \(unescaped: PostgresEventStore.columns) FROM events
            WHERE type = 'StatementRecorded' AND data->>'statementId' = ANY(\(ids)::text[])
            ORDER BY epoch, tx_id, position
            """)
    }

    /// Waits for, then holds until the transaction ends, an exclusive lock on each of `exclusive`
    /// and a shared lock on each of `shared` (record keys such as stream ids), in one sorted order.
    public func lock(exclusive: [String], shared: [String]) throws {
        let keys = exclusive + shared
        guard !keys.isEmpty else { return }
        let modes = exclusive.map { _ in true } + shared.map { _ in false }
        try connection.assumeIsolated { connection in
            _ = try connection.query("SELECT consult_lock_records(\(keys)::text[], \(modes)::boolean[])")
        }
    }

    private func query(_ query: PostgresQuery) throws -> [RecordedEvent] {
        // Only ever called from inside `withTransaction`, on the connection's own thread.
        try connection.assumeIsolated { connection in
            try connection.query(query).map(PostgresEventStore.decodeEvent)
        }
    }
}
