import Postgres

/// What a database error says about the session, for interfaces that do not speak SQLSTATE.
public enum DatabaseRefusal {
    /// Whether `error` says the session may not write: permission denied (42501) or a read-only
    /// transaction (25006), directly or as a transaction's failure.
    public static func mayNotWrite(_ error: any Error) -> Bool {
        sqlStates(of: error).contains { $0 == "42501" || $0 == "25006" }
    }

    /// Whether `error` is a table missing (42P01): views never built in this database.
    public static func isMissingTable(_ error: any Error) -> Bool {
        sqlStates(of: error).contains("42P01")
    }

    /// Whether `error` is a statement cancelled (57014), as `statement_timeout` cancels one.
    public static func wasCancelled(_ error: any Error) -> Bool {
        sqlStates(of: error).contains("57014")
    }

    static func sqlStates(of error: any Error) -> [String] {
        if let error = error as? PostgresError { return error.sqlState.map { [$0] } ?? [] }
        if let error = error as? PostgresTransactionError {
            return [error.beginError, error.bodyError as? PostgresError, error.commitError].compactMap { $0?.sqlState }
        }
        return []
    }
}
