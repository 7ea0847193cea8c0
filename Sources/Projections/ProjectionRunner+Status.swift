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
    /// On a hot standby, how many seconds of the primary's changes it has yet to replay (0 when it
    /// has replayed all it received); nil on a primary.
    public var standbyLagSeconds: Double?
}

extension ProjectionRunner {
    /// The slowest view's checkpoint, its count of events, the recording time of its last event
    /// and, on a hot standby, how far it is behind.
    public func freshness() async throws -> ViewFreshness {
        let row = try await connection.query(
            """
            SELECT s.lag, c.epoch, c.tx_id::text AS tx_id_text, c.position, c.events_applied
            FROM (SELECT CASE WHEN pg_is_in_recovery() THEN
                           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                                THEN 0::float8
                                ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8, 0)
                           END
                         END AS lag) s
            LEFT JOIN LATERAL (
                SELECT * FROM projection_checkpoints
                WHERE name = ANY(\(views.map(\.name))::text[])
                ORDER BY epoch, tx_id, position LIMIT 1) c ON true
            """)[0]
        let standby: Double? = try row.decode(column: 0)
        guard let epoch: Int32 = try row.decode(column: 1) else {
            return ViewFreshness(checkpoint: nil, eventsApplied: 0, lastRecordedAt: nil, standbyLagSeconds: standby)
        }
        let position = LogPosition(
            epoch: epoch, transactionID: try row.decode(column: 2), position: try row.decode(column: 3))
        let micros = position == .start ? nil : try await store.recordedMicroseconds(at: position.position)
        return ViewFreshness(
            checkpoint: position == .start ? nil : position, eventsApplied: try row.decode(column: 4),
            lastRecordedAt: micros.map(Timestamp.init(microseconds:)), standbyLagSeconds: standby)
    }
}
