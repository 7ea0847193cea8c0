import EventStore
import Postgres

/// Where one view is.
public struct ViewStatus: Sendable, Hashable {
    public var name: String
    public var version: Int
    /// Nil before the view has applied anything.
    public var checkpoint: LogPosition?
    public var eventsApplied: Int64
    /// Events in the log after the checkpoint (readable now or not).
    public var lag: Int64
    /// RFC 3339, UTC.
    public var updatedAt: String
}

extension ProjectionRunner {
    /// Each view's checkpoint and how many events it is behind.
    public func status() async throws -> [ViewStatus] {
        let names = views.map(\.name)
        // Checkpoints and counts in one snapshot: a batch committed in between would otherwise
        // show a view that has caught up as behind.
        let statuses = try await connection.withTransaction(.repeatableRead) { connection in
            let rows = try connection.query(
                """
                SELECT c.name, c.version, c.epoch, c.tx_id::text AS tx_id_text, c.position, c.events_applied,
                       to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_text
                FROM projection_checkpoints c WHERE c.name = ANY(\(names)::text[])
                """)
            var statuses: [String: ViewStatus] = [:]
            for row in rows {
                let position = LogPosition(
                    epoch: try row.decode(column: 2), transactionID: try row.decode(column: 3),
                    position: try row.decode(column: 4))
                let name: String = try row.decode(column: 0)
                statuses[name] = ViewStatus(
                    name: name, version: try row.decode(column: 1), checkpoint: position == .start ? nil : position,
                    eventsApplied: try row.decode(column: 5), lag: 0, updatedAt: try row.decode(column: 6))
            }
            // Views share checkpoints, usually: each distinct one is counted once.
            let positions = Array(Set(statuses.values.map { $0.checkpoint ?? .start })).sorted()
            let counts = try PostgresEventStore.countEvents(after: positions, on: connection)
            let lags = Dictionary(uniqueKeysWithValues: zip(positions, counts))
            for (name, status) in statuses { statuses[name]?.lag = lags[status.checkpoint ?? .start] ?? 0 }
            return statuses
        }
        return views.compactMap { statuses[$0.name] }
    }
}
