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
        // A second connection holds the replay's locks in an open transaction (see `replay`); a
        // third applies some of the views of each batch while the runner's applies the others.
        try await access.withSession { guardSession in
            try await access.withSession { helperSession in
                try await ProjectionWorker(access: access, views: views, batchSize: batchSize).withRunner { runner in
                    var runner = runner
                    runner.helper = helperSession.store
                    try await runner.prepare()
                    return try await runner.replay(guardConnection: guardSession.connection, progress: progress)
                }
            }
        }
    }

    /// What `verify` found, and what it could not compare.
    public struct Verification: Sendable {
        public var report: VerificationReport
        /// The log's status when an open transaction kept committed events out of the views (so
        /// out of the comparison); nil when the views were compared up to every committed event.
        public var heldBack: LogStatus?
    }

    /// Checks the log's integrity and that each of `views` equals a fresh replay. The views are
    /// first brought up to date (as a read does), so that they are compared over the whole log,
    /// not only up to where a worker had left them.
    public static func verify(
        _ views: [any ProjectionView], access: StoreAccess, heldBackWait: Double = ReadSession.heldBackWait,
        progress: @escaping @Sendable (VerificationProgress) -> Void = { _ in }
    ) async throws -> Verification {
        try await access.withSession { session in
            let runner = ProjectionRunner(store: session.store, views: views)
            let held = try await runner.catchUpForRead(timeout: heldBackWait)
            return Verification(report: try await runner.verify(progress: progress), heldBack: held)
        }
    }
}
