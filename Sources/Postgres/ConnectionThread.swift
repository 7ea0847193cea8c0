import Foundation

/// A serial executor that runs every job on one dedicated thread.
///
/// libpq calls block. Running them on Swift's cooperative pool would starve it, so each
/// `Connection` actor uses one of these as its executor: all of its work, and so every call on
/// its `PGconn`, happens on a single thread that nothing else uses.
final class ConnectionThread: SerialExecutor, @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var isStopping = false
    /// The dedicated thread, once it runs.
    private var threadID: pthread_t?
    private let condition = NSCondition()

    /// `name` is for debuggers and `ps`; Linux keeps at most 15 bytes of it.
    init(name: String) {
        // Set from the thread itself, and at most 15 bytes: Linux ignores longer thread names.
        let thread = Thread { [self] in
            Thread.current.name = name
            self.condition.lock()
            self.threadID = pthread_self()
            self.condition.unlock()
            self.runLoop()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on this executor's thread.
    var isCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    func checkIsolated() {
        precondition(isCurrentThread, "Expected to run on the connection's own thread.")
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs already queued, then end.
    func stop() {
        condition.lock()
        isStopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !isStopping {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedSerialExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
