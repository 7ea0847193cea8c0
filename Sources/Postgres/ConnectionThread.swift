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
    private let condition = NSCondition()

    /// `name` is for debuggers and `ps`; Linux keeps at most 15 bytes of it.
    init(name: String) {
        // Set from the thread itself, and at most 15 bytes: Linux ignores longer thread names.
        let thread = Thread { [self] in
            Thread.current.name = name
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
