import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock(2)` on a file, held for the duration of a closure.
///
/// `flock` locks belong to the open file description, so two tasks or threads of one process that each open the
/// file exclude each other just like two processes do, and the lock may be released from another thread than the
/// one that took it.
struct FileLock: Sendable {
    /// The lock file; created (mode 0600) if missing.
    var path: String

    /// Waits for the exclusive lock, runs `body`, then releases the lock and closes the file on every path.
    ///
    /// A lock held by someone else is waited for on a dedicated thread, never on a thread of Swift's cooperative
    /// pool. That pool has only as many threads as cores: a few commands or tests waiting in a blocking `flock`
    /// there would leave the holder's own awaits (it is spawning `initdb` and `pg_ctl`) no thread to resume on,
    /// and nothing would ever release the lock. A thread rather than polling with `LOCK_NB` and `Task.sleep`,
    /// because the kernel then hands the lock over the moment it is released, with no polling delay added to every
    /// waiting start. The price is that a task cancelled while it waits still waits for the lock; the holder's
    /// steps are bounded (`pg_ctl -t 60`), so the wait is too.
    func withExclusiveLock<T>(
        _ body: () async throws(EmbeddedPostgresError) -> T
    ) async throws(EmbeddedPostgresError) -> T {
        let fd = try openLockFile()
        defer { close(fd) }
        if !(try takeLockIfFree(fd)) {
            try await waitForLockOnDedicatedThread(fd)
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }

    /// Like ``withExclusiveLock(_:)`` but blocking the calling thread while it waits; only for code that
    /// cannot await (``EmbeddedCluster/destroyBlocking()``).
    func withExclusiveLockBlocking<T>(
        _ body: () throws(EmbeddedPostgresError) -> T
    ) throws(EmbeddedPostgresError) -> T {
        let fd = try openLockFile()
        defer { close(fd) }
        try Self.lockBlocking(fd, path: path)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func openLockFile() throws(EmbeddedPostgresError) -> Int32 {
        // O_CLOEXEC keeps the descriptor (and so the lock) out of the long-lived postmaster we spawn.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EmbeddedPostgresError(.io, "Could not open the lock file \(path): \(systemError()).")
        }
        return fd
    }

    /// Takes the lock without waiting if nobody holds it, so the usual uncontended case starts no thread.
    private func takeLockIfFree(_ fd: Int32) throws(EmbeddedPostgresError) -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        guard errno == EWOULDBLOCK || errno == EINTR else {
            throw EmbeddedPostgresError(.io, "Could not lock \(path): \(systemError()).")
        }
        return false
    }

    private func waitForLockOnDedicatedThread(_ fd: Int32) async throws(EmbeddedPostgresError) {
        let path = self.path
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<EmbeddedPostgresError?, Never>) in
            let thread = Thread {
                do throws(EmbeddedPostgresError) {
                    try Self.lockBlocking(fd, path: path)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
            thread.name = "consult.flock"
            thread.start()
        }
        if let outcome { throw outcome }
    }

    private static func lockBlocking(_ fd: Int32, path: String) throws(EmbeddedPostgresError) {
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw EmbeddedPostgresError(.io, "Could not lock \(path): \(systemError()).")
            }
        }
    }
}

/// The text for the current `errno`.
func systemError() -> String {
    String(cString: strerror(errno))
}
