import EventStore
import Foundation

extension ProjectionRunner {
    /// Brings the views up to date before a read ("read your own writes"): catches up, and while
    /// an open transaction holds committed events back, keeps catching up for up to `timeout`
    /// seconds. Returns the log's status when events are still held back after that, else nil.
    ///
    /// The held-back check comes *before* each catch-up: when nothing was held back at the check,
    /// every event committed by then was below the xmin the catch-up reads under, so the catch-up
    /// read it. (Checking after a catch-up would miss events that became readable in between: the
    /// check would see nothing held back, and nothing would read them.)
    public func catchUpForRead(
        timeout: Double = 5, shouldStop: @Sendable () -> Bool = { false }, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> LogStatus? {
        try await prepare()
        let deadline = Date().addingTimeInterval(timeout)
        var total = 0
        while !shouldStop() {
            let heldBack = try await store.hasEventsHeldBack()
            let before = total
            total += try await catchUp(shouldStop: shouldStop, progress: { progress(before + $0) })
            guard heldBack else { return nil }
            if Date() >= deadline {
                let status = try await store.status()
                return status.eventsHeldBack > 0 ? status : nil
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
