import EventStore
import Foundation
import Projections

/// Rebuilding and checking views: `consult replay` and `consult verify`.
public enum ViewMaintenance {
    /// Rebuilds `views` from the first event into new tables, swapped in at once; returns the
    /// number of events read. `progress` gets the running total after each batch.
    public static func replay(
        _ views: [any ProjectionView], batchSize: Int = 5000, access: StoreAccess,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Int {
        let worker = ProjectionWorker(access: access, views: views, batchSize: batchSize)
        let (runner, connections) = try await worker.openRunner()
        do {
            try await runner.prepare()
            let total = try await runner.replay(progress: progress)
            await ProjectionWorker.close(connections)
            return total
        } catch {
            await ProjectionWorker.close(connections)
            throw error
        }
    }

    /// Checks the log's integrity and that each of `views` equals a fresh replay.
    /// `progress` is told how far each part has come.
    public static func verify(
        _ views: [any ProjectionView], access: StoreAccess,
        progress: @escaping @Sendable (VerificationProgress) -> Void = { _ in }
    ) async throws -> VerificationReport {
        let session = try await access.open()
        do {
            let runner = ProjectionRunner(store: session.store, views: views)
            try await runner.prepare()
            let report = try await runner.verify(progress: progress)
            await session.close()
            return report
        } catch {
            await session.close()
            throw error
        }
    }
}
