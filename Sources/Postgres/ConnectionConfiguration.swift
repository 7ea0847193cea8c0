/// How to reach a server: libpq keyword/value pairs, passed to `PQconnectdbParams` as they are.
///
/// Nothing is ever assembled into a connection string, so no value can inject another keyword,
/// and a password given in a URL never reaches a log line: `description` shows no values.
public struct ConnectionConfiguration: Sendable, CustomStringConvertible {
    public var parameters: [(keyword: String, value: String)]

    public init(parameters: [(keyword: String, value: String)]) {
        self.parameters = parameters
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
