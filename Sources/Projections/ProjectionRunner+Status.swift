import ConsultDomain
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

/// How current the views are, cheaply (no count over the log): the checkpoint the slowest view is
/// at, the events it has applied, and when the event at that checkpoint was recorded.
public struct ViewFreshness: Sendable, Hashable {
    /// Nil before any view has applied anything.
    public var checkpoint: LogPosition?
    public var eventsApplied: Int64
    public var lastRecordedAt: Timestamp?
}

extension ProjectionRunner {
    /// The slowest view's checkpoint, its count of events and the recording time of its last event.
    public func freshness() async throws -> ViewFreshness {
        let rows = try await connection.query(
            """
            SELECT c.epoch, c.tx_id::text AS tx_id_text, c.position, c.events_applied,
                   (SELECT (extract(epoch FROM e.recorded_at) * 1000000)::bigint FROM events e
                    WHERE e.position = c.position) AS recorded_micros
            FROM projection_checkpoints c WHERE c.name = ANY(\(views.map(\.name))::text[])
            ORDER BY c.epoch, c.tx_id, c.position LIMIT 1
            """)
        guard let row = rows.first else { return ViewFreshness(checkpoint: nil, eventsApplied: 0, lastRecordedAt: nil) }
        let position = LogPosition(
            epoch: try row.decode(column: 0), transactionID: try row.decode(column: 1),
            position: try row.decode(column: 2))
        let micros: Int64? = try row.decode(column: 4)
        return ViewFreshness(
            checkpoint: position == .start ? nil : position, eventsApplied: try row.decode(column: 3),
            lastRecordedAt: micros.map(Timestamp.init(microseconds:)))
    }
}
