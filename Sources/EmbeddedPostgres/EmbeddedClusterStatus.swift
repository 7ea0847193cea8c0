/// Whether the embedded cluster exists and runs.
public enum EmbeddedClusterStatus: Sendable, Equatable {
    /// No initialized data directory exists yet.
    case notCreated
    /// The data directory exists and no server runs on it.
    case stopped
    /// A server runs on the data directory; `pid` is the postmaster's process id.
    case running(pid: Int)
}
