/// An error from PostgreSQL or from talking to it.
///
/// Carries the server's SQLSTATE, message, detail and constraint when there are some, so callers
/// can tell a unique violation on one constraint from anything else.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached, or the connection was lost.
        case connection
        /// The server refused a statement (see `sqlState`).
        case server
        /// A value in a result could not be decoded into the requested Swift type.
        case decoding
        /// Anything libpq reported that is none of the above.
        case client
    }

    public var kind: Kind
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    /// The primary message, one sentence for people.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The constraint that was violated, when the server names one.
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// Where the error happened, innermost first, one line each: a function, or the row of a COPY
    /// (`COPY events, line 12`), as the server reports it.
    public var context: String?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.context = context
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += " \(detail)" }
        return text
    }

    /// `23505`: a unique constraint was violated.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// A named prepared statement that this connection made is missing (`26000`), or one of its
    /// names is already taken (`42P05`): the server session changed under the connection, as
    /// behind a pooler in transaction mode that was taken for none.
    public var isSessionLost: Bool { sqlState == "26000" || sqlState == "42P05" }
    /// Class 08 or a lost connection: the database is unavailable rather than the request wrong.
    public var isConnectionFailure: Bool {
        kind == .connection || sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P03"
    }
}

/// A transaction that did not commit, with each stage's failure kept apart (as postgres-nio's
/// `PostgresTransactionError` does): BEGIN, the body, ROLLBACK after a failed body, COMMIT.
///
/// A body that throws while its rollback succeeds does not produce this error: the body's own
/// error reaches the caller unchanged, so callers keep handling their own errors (a refused
/// batch, a dry run, a unique violation to retry). Everything else does.
public struct PostgresTransactionError: Error, Sendable, CustomStringConvertible {
    /// BEGIN failed; nothing ran.
    public var beginError: PostgresError?
    /// The body's error, when the rollback after it failed too.
    public var bodyError: (any Error)?
    /// ROLLBACK after the body's error failed; the connection was closed.
    public var rollbackError: PostgresError?
    /// COMMIT failed, or the transaction had been aborted by an error the body caught.
    public var commitError: PostgresError?

    public init(
        beginError: PostgresError? = nil, bodyError: (any Error)? = nil, rollbackError: PostgresError? = nil,
        commitError: PostgresError? = nil
    ) {
        self.beginError = beginError
        self.bodyError = bodyError
        self.rollbackError = rollbackError
        self.commitError = commitError
    }

    /// The connection was lost during COMMIT: the transaction may or may not have been committed.
    public var isCommitOutcomeUnknown: Bool { commitError?.isConnectionFailure ?? false }

    public var description: String {
        if let beginError { return "The transaction could not begin: \(beginError)" }
        if let commitError { return "The transaction did not commit: \(commitError)" }
        let body = bodyError.map { "\($0)" } ?? "The transaction failed"
        return rollbackError.map { "\(body) (and the rollback failed too: \($0.message))" } ?? body
    }
}
