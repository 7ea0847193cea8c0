import EventStore
import Foundation

extension ProjectionRunner {
    /// Brings the views up to date before a read ("read your own writes"): catches up, and while
    /// an open transaction holds committed events back, keeps catching up for up to `timeout`
    /// seconds. Returns the log's status when events are still held back after that, else nil.
    public func catchUpForRead(
        timeout: Double = 5, shouldStop: @Sendable () -> Bool = { false }, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> LogStatus? {
        try await prepare()
        let deadline = Date().addingTimeInterval(timeout)
        var total = 0
        while !shouldStop() {
            let before = total
            total += try await catchUp(shouldStop: shouldStop, progress: { progress(before + $0) })
            guard try await store.hasEventsHeldBack() else { return nil }
            if Date() >= deadline {
                let status = try await store.status()
                return status.eventsHeldBack > 0 ? status : nil
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
