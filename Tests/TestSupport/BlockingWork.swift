import EmbeddedPostgres
import Foundation

/// Work that blocks a thread (stopping a server and waiting for it, waiting for a program), done
/// on a thread of its own.
///
/// Swift concurrency runs every test's async code on a pool of as many threads as the machine has
/// cores: two here. A test that blocks one of them for seconds (a server shutting down, a generator
/// writing 50,000 events) leaves the other tests one thread, and two such tests leave them none,
/// so a test that watches a running command (to kill it in the middle of its work) sees nothing
/// for seconds and the moment passes. Blocking calls in tests therefore go through here.
public enum BlockingWork {
    private static let condition = NSCondition()
    nonisolated(unsafe) private static var running = 0
    private static let waitAtExit: Void = {
        atexit { BlockingWork.waitForStarted(timeout: 120) }
    }()

    /// Runs `work` on a new thread and waits for it without holding a thread of the pool.
    public static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Starts `work` on a new thread and returns at once: for `defer` blocks, which cannot await.
    /// The test process waits for it at exit (up to two minutes), so no server outlives the run.
    public static func start(_ work: @escaping @Sendable () -> Void) {
        _ = waitAtExit
        condition.lock()
        running += 1
        condition.unlock()
        Thread.detachNewThread {
            work()
            condition.lock()
            running -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits until every piece of work from `start` has finished, or `timeout` seconds.
    static func waitForStarted(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while running > 0, condition.wait(until: deadline) {}
        condition.unlock()
    }
}

extension EmbeddedCluster {
    /// For `defer` blocks: stops the server and removes the cluster, then removes `folder` (which
    /// may hold the cluster), on a thread of their own (see `BlockingWork`).
    public func destroyInBackground(thenRemoving folder: String? = nil) {
        BlockingWork.start {
            try? destroyBlocking()
            if let folder { try? FileManager.default.removeItem(atPath: folder) }
        }
    }
}

extension SpawnedProcess {
    /// For `defer` blocks: sends `signal`, waits up to `patience` seconds for the process to end,
    /// then kills it (SIGKILL) and waits a second more, then removes `folder`; on a thread of its
    /// own (see `BlockingWork`).
    public func stopInBackground(_ signal: Int32, patience: Double, thenRemoving folder: String) {
        BlockingWork.start { [self] in
            if isRunning { kill(pid, signal) }
            let deadline = Date().addingTimeInterval(patience)
            while isRunning, Date() < deadline { usleep(20_000) }
            if isRunning { kill(pid, SIGKILL) }
            for _ in 0..<50 where isRunning { usleep(20_000) }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}
