import ConsultDomain
import EventStore
import Foundation
import Postgres

extension ProjectionRunner {
    /// Rebuilds the views from the first event into new tables (`<table>__replay`), all in one
    /// pass over the log, then swaps them in with their checkpoints in one transaction. Until the
    /// swap, readers and workers use the old tables; after it, the rebuilt ones. A view is never
    /// swapped in behind the live one. Returns the number of events read.
    ///
    /// A second replay of one of the same views at the same time is refused (`ProjectionError.busy`):
    /// `guardConnection`, a connection of its own, holds a transaction open for the whole replay
    /// with a transaction-scoped advisory lock per view. Nothing is kept in a server session, so
    /// this works behind a pooler in transaction mode, and a replay that dies releases its locks
    /// with its connection. The transaction takes no transaction id, so it holds back no reader.
    @discardableResult
    public func replay(guardConnection: Connection, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        let keys = views.map { "consult:replay:" + $0.name }.sorted()
        let lockSpace = Self.lockSpace
        try await guardConnection.begin()
        do {
            for key in keys {
                let locked = try await guardConnection.query(
                    "SELECT pg_try_advisory_xact_lock(\(lockSpace), hashtext(\(key)))")[0].decode(Bool.self, column: 0)
                if locked { continue }
                let busy = key.dropFirst("consult:replay:".count)
                throw ProjectionError(
                    .busy,
                    "Another replay of the \(busy) view is running; wait for it to finish.")
            }
            let total = try await rebuildAndSwap(guardConnection: guardConnection, progress: progress)
            try? await guardConnection.rollback()
            return total
        } catch {
            try? await guardConnection.rollback()
            throw error
        }
    }

    private func rebuildAndSwap(guardConnection: Connection, progress: (Int) -> Void) async throws -> Int {
        let views = self.views
        let targets = views.map(Target.replay)
        try await connection.withTransaction { connection in
            for target in targets {
                try Self.createTables(of: target.view, suffix: target.suffix, dropFirst: true, on: connection)
                try connection.query(
                    """
                    INSERT INTO projection_checkpoints (name, version) VALUES (\(target.checkpoint), \(target.view.fingerprint))
                    ON CONFLICT (name) DO UPDATE SET version = excluded.version, epoch = 0, tx_id = '0', position = 0,
                        events_applied = 0, updated_at = now()
                    """)
            }
        }
        var total = 0
        let deadline = Date().addingTimeInterval(heldBackPatience)
        var readAhead: ReadAhead?
        let groups = split(targets)
        while true {
            let read: Int
            if let groups {
                read = try await runSplitBatch(groups, readAhead: &readAhead)
            } else {
                read = try await runBatch(targets, readAhead: &readAhead)
            }
            total += read
            if read > 0 {
                progress(total)
                continue
            }
            // Never swap in a view that is behind the live one: when an open transaction holds
            // the log back, wait for it (a while), as the live view's worker would have.
            let names = targets.map(\.checkpoint) + views.map(\.name)
            let positions = try await connection.withTransaction { connection in
                try Self.checkpoints(names, on: connection)
            }
            let behind = views.filter { view in
                (positions[view.name + "#replay"] ?? .start) < (positions[view.name] ?? .start)
            }
            if behind.isEmpty { break }
            guard Date() < deadline else {
                throw ProjectionError(
                    .heldBack,
                    "The rebuilt \(behind.map(\.name).joined(separator: ", ")) view cannot reach the live one's "
                        + "checkpoint: an open transaction holds the log back (see `consult status`); nothing was "
                        + "swapped.")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The swap: under the views' locks, apply what arrived since, then replace the live tables.
        // The guard's locks must still be held (a server that ended its session released them).
        _ = try await guardConnection.query("SELECT 1")
        let epoch = try await store.currentEpoch()
        let limit = batchSize
        let tail = try await connection.withTransaction { connection in
            let lives = views.map(Target.live)
            for name in (lives + targets).map(\.checkpoint).sorted() { try Self.lock(name, on: connection) }
            var positions = try Self.checkpoints(targets.map(\.checkpoint), on: connection)
            var applied = 0
            while true {
                let pairs = targets.map { ($0, positions[$0.checkpoint] ?? .start) }
                let (events, last) = try Self.applyNext(pairs, epoch: epoch, limit: limit, on: connection)
                guard let last else { break }
                applied += events.count
                for (target, position) in pairs {
                    let count = events.count { $0.logPosition > position }
                    if count > 0 { try Self.advance(target.checkpoint, to: last, applied: count, on: connection) }
                    positions[target.checkpoint] = last
                }
            }
            for (live, target) in zip(lives, targets) {
                for table in live.view.tables {
                    try connection.query("DROP TABLE IF EXISTS \(unescaped: table.named(live.suffix))")
                    try connection.query(
                        """
                        ALTER TABLE \(unescaped: table.named(target.suffix)) RENAME TO \(unescaped: table.named(live.suffix))
                        """)
                }
                try connection.query(
                    """
                    INSERT INTO projection_checkpoints (name, version, epoch, tx_id, position, events_applied)
                    SELECT \(live.checkpoint), version, epoch, tx_id, position, events_applied
                    FROM projection_checkpoints WHERE name = \(target.checkpoint)
                    ON CONFLICT (name) DO UPDATE SET version = excluded.version, epoch = excluded.epoch,
                        tx_id = excluded.tx_id, position = excluded.position, events_applied = excluded.events_applied,
                        updated_at = now()
                    """)
                try connection.query("DELETE FROM projection_checkpoints WHERE name = \(target.checkpoint)")
            }
            return applied
        }
        return total + tail
    }

    /// The views whose batches cost the most (the history's versions, the search's texts, both a
    /// row per text and many per event), applied on the helper's connection while the others are
    /// applied on the runner's; nil without a helper or when one side would have nothing to do.
    func split(_ targets: [Target]) -> (first: [Target], second: [Target], helper: PostgresEventStore)? {
        guard let helper else { return nil }
        let second = targets.filter { Self.appliedBySecond.contains($0.view.name) }
        let first = targets.filter { !Self.appliedBySecond.contains($0.view.name) }
        guard !first.isEmpty, !second.isEmpty else { return nil }
        return (first, second, helper)
    }

    static let appliedBySecond: Set<String> = ["history", "search"]

    /// One batch of a replay split over two connections: the next page of the log read once (the
    /// page read ahead, or read now), then applied to each group of targets in a transaction of
    /// its own on its own connection, both at once, each moving its own targets' checkpoints. A
    /// group's transaction holds its targets' locks and applies only events after their
    /// checkpoints, as `runBatch` does; a replay that dies leaves tables it drops when it starts
    /// again, and swaps nothing. Returns how many events were read.
    func runSplitBatch(
        _ groups: (first: [Target], second: [Target], helper: PostgresEventStore), readAhead: inout ReadAhead?
    ) async throws -> Int {
        let checkpoints = (groups.first + groups.second).map(\.checkpoint)
        let from = try await connection.withTransaction { connection in
            try Self.checkpoints(checkpoints, on: connection).values.min() ?? .start
        }
        var page: [RecordedEvent]?
        if let pending = readAhead {
            readAhead = nil
            // A read ahead that failed is no loss: the page is read here.
            if pending.from == from, let events = try? await pending.events.value, !events.isEmpty { page = events }
        }
        let events: [RecordedEvent]
        if let page {
            events = page
        } else {
            events = try await store.readAll(after: from, limit: batchSize)
        }
        guard let last = events.last?.logPosition else { return 0 }
        if let reader { readAhead = ReadAhead(from: last, reader: reader, limit: batchSize) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (targets, store) in [(groups.first, store), (groups.second, groups.helper)] {
                tasks.addTask {
                    try await store.connection.withTransaction { connection in
                        let pairs = try Self.lockedCheckpoints(targets, on: connection)
                        _ = try Self.applyAndAdvance(events, to: pairs, on: connection)
                    }
                }
            }
            try await tasks.waitForAll()
        }
        return events.count
    }
}
