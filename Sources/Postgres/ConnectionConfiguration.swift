/// How to reach a server: libpq keyword/value pairs, passed to `PQconnectdbParams` as they are.
///
/// Nothing is ever assembled into a connection string, so no value can inject another keyword,
/// and a password given in a URL never reaches a log line: `description` shows no values.
public struct ConnectionConfiguration: Sendable, CustomStringConvertible {
    public var parameters: [(keyword: String, value: String)]
    /// What stands between the client and the server; nil: find out when connecting.
    public var pooler: Pooler?

    public init(parameters: [(keyword: String, value: String)], pooler: Pooler? = nil) {
        self.parameters = parameters
        self.pooler = pooler
    }

    /// A connection pooler in front of the server, which decides what session state a client may
    /// keep between transactions.
    public enum Pooler: String, Sendable, CaseIterable {
        /// No pooler: one server session for the connection's life.
        case none
        /// Session pooling (PgBouncer `pool_mode = session`): one server session for the client
        /// connection's life, reset (DISCARD ALL) when it ends.
        case session
        /// Transaction pooling (PgBouncer `pool_mode = transaction`): each transaction may run on
        /// another server session, so nothing may outlive a transaction — no named prepared
        /// statements, no session advisory locks, no LISTEN.
        case transaction

        /// Whether the server session stays the same from one transaction to the next.
        public var keepsSession: Bool { self != .transaction }
    }

    /// A `postgresql://` URL or a `key=value` connection string; libpq parses it.
    public static func url(_ url: String) -> ConnectionConfiguration {
        ConnectionConfiguration(parameters: [("dbname", url)])
    }

    /// libpq's own `PG*` environment variables and defaults.
    public static var environment: ConnectionConfiguration {
        ConnectionConfiguration(parameters: [])
    }

    /// The same server with another database.
    public func database(_ name: String) -> ConnectionConfiguration {
        var copy = self
        copy.parameters.append(("dbname", name))
        return copy
    }

    public var description: String {
        "ConnectionConfiguration(\(parameters.map(\.keyword).joined(separator: ", ")))"
    }
}
