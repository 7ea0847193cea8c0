import Foundation
import Postgres

/// `EventLookup` inside the append's transaction, on its connection (a retried append checks again).
struct PostgresEventLookup: EventLookup {
    let connection: Connection

    func events(inStreams streamIDs: [String], types: [String]?) throws -> [RecordedEvent] {
        guard !streamIDs.isEmpty else { return [] }
        return try query(PostgresEventStore.streamsQuery(streamIDs, types: types))
    }

    /// The events with these ids, in log order.
    func events(ids: [UUID]) throws -> [RecordedEvent] {
        guard !ids.isEmpty else { return [] }
        return try query(PostgresEventStore.idsQuery(ids))
    }

    /// Which of these event ids are stored (ids only, so it stays cheap for a large batch).
    func storedIDs(_ ids: [UUID]) throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return try connection.assumeIsolated { connection in
            let rows = try connection.query("SELECT event_id FROM events WHERE event_id = ANY(\(ids)::uuid[])")
            return Set(try rows.map { try $0.decode(UUID.self, column: 0) })
        }
    }

    func events(ofType type: String, whereDataField field: String, isAnyOf values: [String]) throws
        -> [RecordedEvent]
    {
        guard !values.isEmpty else { return [] }
        return try query(PostgresEventStore.dataFieldQuery(type: type, field: field, values: values))
    }

    /// Waits for, then holds until the transaction ends, an exclusive lock on each of `exclusive`
    /// and a shared lock on each of `shared` (record keys such as stream ids), in one sorted order.
    func lock(exclusive: [String], shared: [String]) throws {
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

extension PostgresEventStore {
    /// The events with these ids, in log order.
    static func idsQuery(_ ids: [UUID]) -> PostgresQuery {
        """
        SELECT \(unescaped: columns) FROM events
        WHERE event_id = ANY(\(ids)::uuid[])
        ORDER BY epoch, tx_id, position
        """
    }

    /// Events of `type` whose data's `field` is one of `values`, in log order. Planned for its
    /// values each time, so that an expression index on that field for that type (migration
    /// 0002's `events_statement_id`) serves it, which a generic plan could not.
    static func dataFieldQuery(type: String, field: String, values: [String]) -> PostgresQuery {
        let query: PostgresQuery = """
            SELECT \(unescaped: columns) FROM events
            WHERE type = \(type) AND data->>\(field) = ANY(\(values)::text[])
            ORDER BY epoch, tx_id, position
            """
        return query.plannedForItsValues()
    }
}
