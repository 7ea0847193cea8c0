import ConsultDomain
import EventStore
import Foundation
import Logging
import Postgres

/// Brings views up to date with the log, one batch per transaction.
///
/// Each batch: take every view's transaction-scoped advisory lock (so several workers never apply
/// the same events twice: the second waits, then finds the checkpoint moved), read the views'
/// checkpoints, read the next events through the gap-safe read, apply them to each view, and move
/// each checkpoint forward, all in one transaction. A worker killed at any moment leaves each view
/// with its checkpoint exactly as they were committed together.
public struct ProjectionRunner: Sendable {
    public let store: PostgresEventStore
    public let views: [any ProjectionView]
    public var batchSize: Int
    /// How long a replay waits for an open transaction that holds the log back (seconds).
    public var heldBackPatience: Double = 60
    /// A second store (its own connection) that reads the next page of the log while a batch is
    /// applied, so the server produces events while this process folds and writes.
    public var reader: PostgresEventStore?
    /// A third store (its own connection) on which a replay applies some of the views of each
    /// batch while the first applies the others (`ProjectionRunner+Replay`).
    public var helper: PostgresEventStore?

    public init(
        store: PostgresEventStore, views: [any ProjectionView] = Views.all, batchSize: Int = 5000,
        reader: PostgresEventStore? = nil
    ) {
        self.store = store
        self.views = views
        self.batchSize = batchSize
        self.reader = reader
    }

    var connection: Connection { store.connection }

    /// One view built into the tables named with `suffix`, checkpointed under `checkpoint`.
    struct Target: Sendable {
        var view: any ProjectionView
        var suffix: String
        var checkpoint: String

        static func live(_ view: any ProjectionView) -> Target { Target(view: view, suffix: "", checkpoint: view.name) }
        static func replay(_ view: any ProjectionView) -> Target {
            Target(view: view, suffix: "__replay", checkpoint: view.name + "#replay")
        }
    }

    // MARK: Tables

    /// Creates the views' tables and checkpoints where missing, and rebuilds (empty, from the
    /// first event) any view whose definition changed since its tables were made.
    public func prepare() async throws {
        let views = self.views
        let existing = try await connection.query(
            "SELECT name, version FROM projection_checkpoints WHERE name = ANY(\(views.map(\.name))::text[])")
        var versions: [String: Int] = [:]
        for row in existing { versions[try row.decode(column: 0)] = try row.decode(column: 1) }
        guard views.contains(where: { versions[$0.name] != $0.fingerprint }) else { return }
        try await connection.withTransaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(\(Self.lockSpace), hashtext('consult:views'))")
            // Views in name order: the order every batch takes their locks in.
            for view in views.sorted(by: { $0.name < $1.name }) {
                let rows = try connection.query(
                    "SELECT version FROM projection_checkpoints WHERE name = \(view.name) FOR UPDATE")
                let stored: Int? = try rows.first?.decode(column: 0)
                guard stored != view.fingerprint else { continue }
                try Self.lock(view.name, on: connection)
                try Self.createTables(of: view, suffix: "", dropFirst: true, on: connection)
                try connection.query(
                    """
                    INSERT INTO projection_checkpoints (name, version) VALUES (\(view.name), \(view.fingerprint))
                    ON CONFLICT (name) DO UPDATE SET version = excluded.version, epoch = 0, tx_id = '0',
                        position = 0, events_applied = 0, updated_at = now()
                    """)
            }
        }
    }

    static func createTables(
        of view: any ProjectionView, suffix: String, dropFirst: Bool, temporary: Bool = false,
        on connection: isolated Connection
    ) throws {
        for table in view.tables {
            if dropFirst { try connection.query("DROP TABLE IF EXISTS \(unescaped: table.named(suffix))") }
            for statement in table.createStatements(suffix: suffix, temporary: temporary) {
                try connection.query(PostgresQuery(unsafeSQL: statement))
            }
        }
    }

    // MARK: Batches

    /// Advisory locks of views live in their own space (the first key), away from the migrator's.
    static let lockSpace: Int32 = 0x636F_6E73  // "cons"

    /// Waits for `name`'s transaction-scoped lock: one writer per view at a time.
    static func lock(_ name: String, on connection: isolated Connection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(\(lockSpace), hashtext(\(name)))")
    }

    static func checkpoints(_ names: [String], on connection: isolated Connection) throws -> [String: LogPosition] {
        let rows = try connection.query(
            """
            SELECT name, epoch, tx_id::text AS tx_id_text, position FROM projection_checkpoints
            WHERE name = ANY(\(names)::text[])
            """)
        var positions: [String: LogPosition] = [:]
        for row in rows {
            positions[try row.decode(column: 0)] = LogPosition(
                epoch: try row.decode(column: 1), transactionID: try row.decode(column: 2),
                position: try row.decode(column: 3))
        }
        return positions
    }

    /// Reads the events after the earliest of `positions` (up to `end` when given) and applies
    /// them to each target that has not applied them. Returns the events read and the new end.
    /// Runs inside the caller's transaction, which must hold the targets' locks.
    static func applyNext(
        _ targets: [(Target, LogPosition)], epoch: Int32, limit: Int, upTo end: LogPosition? = nil,
        on connection: isolated Connection
    ) throws -> (events: [RecordedEvent], last: LogPosition?) {
        guard let from = targets.map(\.1).min() else { return ([], nil) }
        let events = try read(after: from, upTo: end, epoch: epoch, limit: limit, on: connection)
        return (events, try apply(events, to: targets, on: connection))
    }

    /// The next events after `from` through the gap-safe read.
    static func read(
        after from: LogPosition, upTo end: LogPosition? = nil, epoch: Int32, limit: Int,
        on connection: isolated Connection
    ) throws -> [RecordedEvent] {
        try PostgresEventStore.read(after: from, upTo: end, epoch: epoch, limit: limit, on: connection)
    }

    /// Applies `events` to each target from its position; returns the last event's position.
    static func apply(
        _ events: [RecordedEvent], to targets: [(Target, LogPosition)], on connection: isolated Connection
    )
        throws -> LogPosition?
    {
        guard let last = events.last?.logPosition else { return nil }
        let cache = VersionCache(.log(upTo: last))
        let logged = try events.map(LoggedEvent.init)
        for (target, position) in targets {
            let start = events.firstIndex { $0.logPosition > position } ?? events.count
            guard start < events.count else { continue }
            let batch = ProjectionBatch(
                events: Array(events[start...]), logged: Array(logged[start...]),
                records: RecordLoader(cache: cache, knowledge: .everything))
            try target.view.apply(batch, suffix: target.suffix, on: connection)
        }
        return last
    }

    /// Moves `name`'s checkpoint to `position`, counting `applied` events; refuses to move it back.
    static func advance(_ name: String, to position: LogPosition, applied: Int, on connection: isolated Connection)
        throws
    {
        let updated = try connection.query(
            """
            UPDATE projection_checkpoints
            SET epoch = \(position.epoch), tx_id = \(position.transactionID)::xid8, position = \(position.position),
                events_applied = events_applied + \(applied), updated_at = now()
            WHERE name = \(name)
              AND (epoch, tx_id, position) < (\(position.epoch), \(position.transactionID)::xid8, \(position.position))
            RETURNING name
            """)
        guard updated.count == 1 else {
            throw PostgresError(
                kind: .client,
                message: "The checkpoint of \(name) did not move forward to \(position); nothing was applied.")
        }
    }

    /// Applies the next batch to `targets` in one transaction. Returns how many events were read.
    func runBatch(_ targets: [Target], readAhead: inout ReadAhead?) async throws -> Int {
        let epoch = try await store.currentEpoch()
        let limit = batchSize
        // The page read ahead (if any), and the next one started before this batch is applied.
        var ahead: (from: LogPosition, events: [RecordedEvent])?
        if let pending = readAhead {
            readAhead = nil
            // A read ahead that failed is no loss: the batch reads on its own connection.
            if let events = try? await pending.events.value { ahead = (pending.from, events) }
        }
        if let ahead, let last = ahead.events.last?.logPosition, let reader {
            readAhead = ReadAhead(from: last, reader: reader, limit: limit)
        }
        let prefetched = ahead
        let (count, last) = try await connection.withTransaction { connection -> (Int, LogPosition?) in
            let pairs = try Self.lockedCheckpoints(targets, on: connection)
            // The page read ahead serves only if it starts where the views are now (another
            // worker may have moved them) and holds events; otherwise read here, as always.
            let from = pairs.map(\.1).min() ?? .start
            let read: [RecordedEvent]
            if let prefetched, prefetched.from == from, !prefetched.events.isEmpty {
                read = prefetched.events
            } else {
                read = try Self.read(after: from, epoch: epoch, limit: limit, on: connection)
            }
            guard let last = try Self.applyAndAdvance(read, to: pairs, on: connection) else { return (0, nil) }
            return (read.count, last)
        }
        // The page being read ahead must start where this batch ended; if it does not (the page
        // above was not used, or there was none), start again from there.
        if let reader, let last, readAhead?.from != last {
            readAhead = ReadAhead(from: last, reader: reader, limit: limit)
        }
        return count
    }

    /// Locks `targets` (always in name order, here and in `prepare`, so two lockers cannot
    /// deadlock) for the caller's transaction, and reads their checkpoints.
    static func lockedCheckpoints(_ targets: [Target], on connection: isolated Connection) throws -> [(
        Target, LogPosition
    )] {
        for name in targets.map(\.checkpoint).sorted() { try lock(name, on: connection) }
        let positions = try checkpoints(targets.map(\.checkpoint), on: connection)
        return targets.map { ($0, positions[$0.checkpoint] ?? .start) }
    }

    /// Applies `events` to each target after its checkpoint, and moves the checkpoints of those
    /// that applied some, in the caller's transaction. Returns the last position applied.
    static func applyAndAdvance(
        _ events: [RecordedEvent], to pairs: [(Target, LogPosition)], on connection: isolated Connection
    ) throws -> LogPosition? {
        guard let last = try apply(events, to: pairs, on: connection) else { return nil }
        for (target, position) in pairs {
            let applied = events.count { $0.logPosition > position }
            if applied > 0 { try advance(target.checkpoint, to: last, applied: applied, on: connection) }
        }
        return last
    }

    /// The next page of the log after `from`, being read on the reader's connection.
    struct ReadAhead {
        let from: LogPosition
        let events: Task<[RecordedEvent], any Error>

        init(from: LogPosition, reader: PostgresEventStore, limit: Int) {
            self.from = from
            events = Task { try await reader.readAll(after: from, limit: limit) }
        }
    }

    /// Applies batches until the views have read every event readable now. Returns the count read.
    @discardableResult
    public func catchUp(
        shouldStop: @Sendable () -> Bool = { false }, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Int {
        let targets = views.map(Target.live)
        var total = 0
        // The first batch reads on its own connection; from then on the next page is read ahead.
        var readAhead: ReadAhead?
        while !shouldStop() {
            let read = try await runBatch(targets, readAhead: &readAhead)
            guard read > 0 else { break }
            total += read
            progress(total)
        }
        return total
    }

    /// Catches up, then follows the log until `shouldStop`: woken by the append notification on
    /// `listener` (a connection whose server session stays, which LISTEN needs), and every
    /// `pollInterval` seconds in case one was missed — or only by polling, without a listener.
    public func follow(
        listener: Connection?, pollInterval: Double = 1, shouldStop: @escaping @Sendable () -> Bool,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await listener?.listen(PostgresEventStore.notificationChannel)
        var total = 0
        while !shouldStop() {
            let read = try await catchUp(shouldStop: shouldStop)
            total += read
            if read > 0 { progress(total) }
            var waited = 0.0
            while !shouldStop(), waited < pollInterval {
                let step = min(0.2, pollInterval - waited)
                if let listener {
                    if try await !listener.waitForNotifications(timeout: step).isEmpty { break }
                } else {
                    try await Task.sleep(for: .milliseconds(Int(step * 1000)))
                }
                waited += step
            }
        }
    }
}
