#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock(2)` on a file, held for the duration of a closure.
///
/// `flock` locks belong to the open file description, so two threads of one process that each open the file
/// exclude each other just like two processes do.
struct FileLock: Sendable {
    /// The lock file; created (mode 0600) if missing.
    var path: String

    /// Waits for the exclusive lock, runs `body`, then releases the lock and closes the file on every path.
    func withExclusiveLock<T>(
        _ body: () throws(EmbeddedPostgresError) -> T
    ) throws(EmbeddedPostgresError) -> T {
        // O_CLOEXEC keeps the descriptor (and so the lock) out of the long-lived postmaster we spawn.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EmbeddedPostgresError(.io, "Could not open the lock file \(path): \(systemError()).")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw EmbeddedPostgresError(.io, "Could not lock \(path): \(systemError()).")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// The text for the current `errno`.
func systemError() -> String {
    String(cString: strerror(errno))
}
