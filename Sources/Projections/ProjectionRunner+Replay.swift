import ConsultDomain
import EventStore
import Foundation
import Postgres

extension ProjectionRunner {
    /// Rebuilds each view from the first event into new tables (`<table>__replay`), then swaps
    /// them in with the view's checkpoint in one transaction. Until the swap, readers and workers
    /// use the old tables; after it, the rebuilt ones. Returns the events applied per view.
    ///
    /// A second replay of the same view at the same time is refused (`ProjectionError.busy`).
    public func replay(progress: @Sendable (String, Int) -> Void = { _, _ in }) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for view in views {
            counts[view.name] = try await replay(view, progress: { progress(view.name, $0) })
        }
        return counts
    }

    func replay(_ view: any ProjectionView, progress: (Int) -> Void) async throws -> Int {
        let target = Target.replay(view)
        let key = "consult:replay:" + view.name
        let locked = try await connection.query(
            "SELECT pg_try_advisory_lock(\(Self.lockSpace), hashtext(\(key)))")[0].decode(Bool.self, column: 0)
        guard locked else {
            throw ProjectionError(.busy, "Another replay of the \(view.name) view is running; wait for it to finish.")
        }
        do {
            let total = try await rebuildAndSwap(view, target: target, progress: progress)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockSpace), hashtext(\(key)))")
            return total
        } catch {
            if await connection.isOpen {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockSpace), hashtext(\(key)))")
            }
            throw error
        }
    }

    private func rebuildAndSwap(_ view: any ProjectionView, target: Target, progress: (Int) -> Void) async throws
        -> Int
    {
        try await connection.withTransaction { connection in
            try Self.createTables(of: view, suffix: target.suffix, dropFirst: true, on: connection)
            try connection.query(
                """
                INSERT INTO projection_checkpoints (name, version) VALUES (\(target.checkpoint), \(view.fingerprint))
                ON CONFLICT (name) DO UPDATE SET version = excluded.version, epoch = 0, tx_id = '0', position = 0,
                    events_applied = 0, updated_at = now()
                """)
        }
        var total = 0
        let deadline = Date().addingTimeInterval(heldBackPatience)
        while true {
            let read = try await runBatch([target])
            total += read
            if read > 0 {
                progress(total)
                continue
            }
            // Never swap in a view that is behind the live one: when an open transaction holds
            // the log back, wait for it (a while), as the live view's worker would have.
            let positions = try await connection.withTransaction { connection in
                try Self.checkpoints([target.checkpoint, view.name], on: connection)
            }
            if (positions[target.checkpoint] ?? .start) >= (positions[view.name] ?? .start) { break }
            guard Date() < deadline else {
                throw ProjectionError(
                    .heldBack,
                    "The rebuilt \(view.name) view cannot reach the live one's checkpoint: an open transaction "
                        + "holds the log back (see `consult status`); nothing was swapped.")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The swap: under the view's lock, apply what arrived since, then replace the live tables.
        let epoch = try await store.currentEpoch()
        let limit = batchSize
        let live = Target.live(view)
        let tail = try await connection.withTransaction { connection in
            try Self.lock(live.checkpoint, on: connection)
            try Self.lock(target.checkpoint, on: connection)
            var position = try Self.checkpoints([target.checkpoint], on: connection)[target.checkpoint] ?? .start
            var applied = 0
            while true {
                let (events, last) = try Self.applyNext(
                    [(target, position)], epoch: epoch, limit: limit, on: connection)
                guard let last else { break }
                applied += events.count
                try Self.advance(target.checkpoint, to: last, applied: events.count, on: connection)
                position = last
            }
            for table in view.tables {
                try connection.query("DROP TABLE IF EXISTS \(unescaped: table.named(live.suffix))")
                try connection.query(
                    "ALTER TABLE \(unescaped: table.named(target.suffix)) RENAME TO \(unescaped: table.named(live.suffix))"
                )
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
            return applied
        }
        return total + tail
    }
}
