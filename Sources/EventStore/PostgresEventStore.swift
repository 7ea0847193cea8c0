import Foundation
import Logging
import Postgres
import Synchronization

/// The event log in PostgreSQL (table `events`, see `migrations/0001_event_log.sql`).
public final class PostgresEventStore: EventLog {
    /// The channel that `append` notifies after each commit that wrote something.
    public static let notificationChannel = "consult_events"

    public let connection: Connection
    let logger: Logger
    /// The epoch of the cluster this connection is on; it cannot change under one connection.
    private let epoch = Mutex<Int32?>(nil)
    /// Whether the connection's role may supply events' hashes (`tools/app-role.sql` grants it since
    /// migration 0010), asked once.
    private let insertsHash = Mutex<Bool?>(nil)

    /// Whether this connection's role may insert `events.hash` (false before migration 0007, which
    /// added it).
    func mayInsertHash() async throws -> Bool {
        if let known = insertsHash.withLock({ $0 }) { return known }
        let may: Bool = try await connection.query(
            """
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM pg_attribute
                WHERE attrelid = 'public.events'::regclass AND attname = 'hash' AND NOT attisdropped
            ) THEN has_column_privilege('public.events', 'hash', 'INSERT') ELSE false END
            """)[0].decode(column: 0)
        insertsHash.withLock { $0 = may }
        return may
    }

    public init(connection: Connection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    // MARK: Reading

    /// Up to `limit` events after `position`, in log order.
    ///
    /// Why this never skips an event: positions come from a sequence, taken when a row is
    /// inserted, but transactions commit in any order, so a reader that follows `position` alone
    /// can pass position 11 (committed) while 10 is still in flight, and never see 10. Instead,
    /// every row stores its writing transaction's id (`tx_id`, xid8, which never wraps), and a
    /// reader takes only rows whose transaction id is below the xmin of its snapshot: every
    /// transaction below xmin has ended, so the set of such rows is final — nothing can be added
    /// to it later. Xmin never moves backwards, so reading in (tx_id, position) order and
    /// checkpointing the last pair read cannot skip anything: a row that becomes readable later
    /// has a transaction id at or above the earlier xmin, hence above every checkpoint taken
    /// before. Writers take no lock for this; a writer that stays open holds readers back (it
    /// holds xmin), which `status()` shows.
    ///
    /// The epoch goes in front for logical restores: another cluster's transaction ids may start
    /// below the stored ones, so each cluster writes in a new, higher epoch (`consult_log_epoch()`),
    /// and rows of earlier epochs, all committed in a cluster that is gone, are always readable.
    public func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent] {
        let current = try await currentEpoch()
        let rows = try await connection.query(Self.readAllQuery(after: position, limit: limit, epoch: current))
        return try rows.map(Self.decodeEvent)
    }

    /// The query of `readAll(after:limit:)`, for readers that run it inside their own transaction
    /// (projection workers); `epoch` is `currentEpoch()`. With `upTo`, nothing after it is read.
    public static func readAllQuery(
        after position: LogPosition, upTo end: LogPosition? = nil, limit: Int, epoch current: Int32
    ) -> PostgresQuery {
        let end = end ?? LogPosition(epoch: .max, transactionID: UInt64(Int64.max), position: .max)
        return """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE (epoch, tx_id, position) > (\(position.epoch), \(position.transactionID)::xid8, \(position.position))
              AND (epoch, tx_id, position) <= (\(end.epoch), \(end.transactionID)::xid8, \(end.position))
              AND (epoch < \(current) OR tx_id < pg_snapshot_xmin(pg_current_snapshot()))
            ORDER BY epoch, tx_id, position
            LIMIT \(max(0, limit))
            """
    }

    public func readStreams(_ streamIDs: [String]) async throws -> [RecordedEvent] {
        try await connection.query(Self.streamsQuery(streamIDs, types: nil)).map(Self.decodeEvent)
    }

    /// The events with these ids, in log order.
    public func events(ids: [UUID]) async throws -> [RecordedEvent] {
        guard !ids.isEmpty else { return [] }
        return try await connection.query(Self.idsQuery(ids)).map(Self.decodeEvent)
    }

    /// Every event recorded at or after `microseconds` (since 1970), across streams, in log order.
    public func events(recordedSince microseconds: Int64) async throws -> [RecordedEvent] {
        try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE recorded_at >= timestamptz 'epoch' + \(microseconds)::float8 * interval '1 microsecond'
            ORDER BY epoch, tx_id, position
            """
        ).map(Self.decodeEvent)
    }

    /// Events of `type` whose data's `field` is one of `values`, in log order.
    public func events(ofType type: String, whereDataField field: String, isAnyOf values: [String]) async throws
        -> [RecordedEvent]
    {
        guard !values.isEmpty else { return [] }
        return try await connection.query(Self.dataFieldQuery(type: type, field: field, values: values))
            .map(Self.decodeEvent)
    }

    /// Every event of `streamIDs` (of `types` only, when given), in log order.
    static func streamsQuery(_ streamIDs: [String], types: [String]?) -> PostgresQuery {
        """
        SELECT \(unescaped: columns) FROM events
        WHERE stream_id = ANY(\(streamIDs)::text[])
          AND (\(types == nil) OR type = ANY(\(types ?? [])::text[]))
        ORDER BY epoch, tx_id, position
        """
    }

    // Casts get their own names: an output column called `tx_id` (text) would be what
    // `ORDER BY tx_id` sorts by, and "1001" < "999" as text.
    public static let columns = """
        epoch, tx_id::text AS tx_id_text, position, stream_id, stream_version, type, schema_version, event_id,
        data::text AS data_text, metadata::text AS metadata_text,
        (extract(epoch FROM recorded_at) * 1000000)::bigint AS recorded_micros
        """

    /// Decodes a row selected with `columns`.
    public static func decodeEvent(_ row: PostgresRow) throws -> RecordedEvent {
        RecordedEvent(
            logPosition: LogPosition(
                epoch: try row.decode(column: 0), transactionID: try row.decode(column: 1),
                position: try row.decode(column: 2)),
            streamID: try row.decode(column: 3),
            streamVersion: try row.decode(column: 4),
            type: try row.decode(column: 5),
            schemaVersion: try row.decode(column: 6),
            id: try row.decode(column: 7),
            data: try row.decode(column: 8),
            metadata: try row.decode(column: 9),
            recordedAtMicroseconds: try row.decode(column: 10))
    }

    /// The epoch this cluster writes in (see `readAll`).
    public func currentEpoch() async throws -> Int32 {
        if let known = epoch.withLock({ $0 }) { return known }
        let value = try await connection.query("SELECT consult_log_epoch()")[0].decode(Int32.self, column: 0)
        epoch.withLock { $0 = value }
        return value
    }
}
