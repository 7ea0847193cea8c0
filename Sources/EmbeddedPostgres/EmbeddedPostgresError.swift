/// A failure while finding, creating, starting, stopping or using the embedded PostgreSQL cluster.
///
/// The first sentence of `message` is meant for people; anything after it (program output, paths searched)
/// is detail for diagnosis.
public struct EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, so callers can pick an exit code without parsing the message.
    public enum Kind: Sendable {
        /// No folder holds `initdb`, `pg_ctl` and `postgres` (the CLI maps this to exit code 69).
        case serverBinariesNotFound
        /// Running as root and the unprivileged server user (or `runuser`) is missing or unusable.
        case serverUserMissing
        /// `initdb` failed; the partial data directory was removed.
        case initFailed
        /// The server did not start or did not report whether it runs.
        case startFailed
        /// The server did not stop.
        case stopFailed
        /// The `consult` database could not be checked or created.
        case databaseFailed
        /// The Unix socket path would exceed the operating system's limit.
        case pathTooLong
        /// A file or folder could not be created, read, changed or removed.
        case io
    }

    /// What went wrong.
    public var kind: Kind
    /// A one-sentence explanation for people, optionally followed by details.
    public var message: String

    /// Creates an error of the given kind.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
