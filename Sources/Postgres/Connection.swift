import CLibPQ
import Foundation
import Logging

/// One connection to PostgreSQL.
///
/// An actor whose executor is a dedicated thread (`ConnectionThread`): libpq blocks, so its calls
/// never run on Swift's cooperative pool, and since an actor runs one job at a time, no two
/// threads ever touch this `PGconn` at once. Inside the actor (and in `withTransaction` bodies)
/// queries are plain synchronous calls.
public actor Connection {
    private let thread: ConnectionThread
    private var handle: OpaquePointer?
    private let logger: Logger

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        thread.asUnownedSerialExecutor()
    }

    private init(thread: ConnectionThread, logger: Logger) {
        self.thread = thread
        self.logger = logger
    }

    // Runs on the connection's own thread, after its last job.
    isolated deinit {
        PQfinish(handle)
        thread.stop()
    }

    /// Opens a connection. The error's message is libpq's, which never contains a password.
    public static func connect(
        _ configuration: ConnectionConfiguration, applicationName: String = "consult", logger: Logger
    ) async throws -> Connection {
        let connection = Connection(thread: ConnectionThread(name: "consult-pg"), logger: logger)
        try await connection.open(configuration, applicationName: applicationName)
        return connection
    }

    private func open(_ configuration: ConnectionConfiguration, applicationName: String) throws {
        // The URL (if any) comes first and is expanded; the pairs after it override it.
        var pairs = configuration.parameters
        pairs.append(("client_encoding", "UTF8"))
        if !configuration.parameters.contains(where: { $0.keyword == "application_name" }) {
            pairs.append(("fallback_application_name", applicationName))
        }
        let connection = withCStrings(pairs.map(\.keyword)) { keywords in
            withCStrings(pairs.map(\.value)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        // PQfinish is needed even when the connection failed.
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { Self.errorText($0) } ?? "out of memory"
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: "Could not connect to PostgreSQL: \(message)")
        }
        // libpq prints notices to stderr by default; they are not for the user.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        pooler = try configuration.pooler ?? detectPooler(connection)
        logger.debug(
            "connected",
            metadata: ["server_version": "\(PQserverVersion(connection))", "pooler": "\(pooler.rawValue)"])
    }

    /// What stands between this client and the server: given in the configuration, or detected.
    public private(set) var pooler: ConnectionConfiguration.Pooler = .none

    /// Whether the server session stays the same between transactions, so that session state (named
    /// prepared statements, session advisory locks, LISTEN) may be kept.
    public var keepsSession: Bool { pooler.keepsSession }

    /// A pooler is taken to be in the way when the port the client reached is not the one the server
    /// listens on (PgBouncer listens on 6432 in front of 5432). It is then assumed to pool
    /// transactions, the strictest case: that costs only the prepared statements. A pooler on the
    /// server's own port goes unseen; the configuration (`pooler`) says so then, and a statement
    /// that goes missing is reported as such (`PostgresError.isSessionLost`).
    private func detectPooler(_ connection: OpaquePointer) throws -> ConnectionConfiguration.Pooler {
        guard let reached = PQport(connection).flatMap({ Int(String(cString: $0)) }) else { return .none }
        let rows = try check(
            PQexec(connection, "SELECT current_setting('port')"), connection: connection)
        let listening = try rows[0].decode(String.self, column: 0)
        return Int(listening) == reached ? .none : .transaction
    }

    /// Closes the connection now rather than when the actor goes away.
    public func close() {
        PQfinish(handle)
        handle = nil
    }

    /// Whether this code runs on the connection's dedicated thread (for tests and assertions).
    public nonisolated var isOnConnectionThread: Bool { thread.isCurrentThread }

    /// Whether the connection is still usable.
    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int {
        handle.map { Int(PQserverVersion($0)) } ?? 0
    }

    /// Runs one statement with its parameters and returns its rows.
    ///
    /// Queries (SELECT, WITH, INSERT, UPDATE, DELETE) are prepared on first use and kept by their
    /// text, so a statement run again is not parsed and planned again: appends and batches repeat
    /// the same few statements thousands of times. A query marked `plannedForItsValues()` is not.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        let connection = try liveHandle()
        if !query.isPlannedForItsValues, keepsSession,
            let name = try preparedStatement(for: query.sql, connection: connection)
        {
            let result = withCStringsOrNull(query.bindings) { values in
                PQexecPrepared(connection, name, Int32(query.bindings.count), values, nil, nil, 0)
            }
            return try check(result, connection: connection)
        }
        let result = withCStringsOrNull(query.bindings) { values in
            PQexecParams(connection, query.sql, Int32(query.bindings.count), nil, values, nil, nil, 0)
        }
        return try check(result, connection: connection)
    }

    /// Statements prepared on this connection, by text; bounded, after which queries run unprepared.
    private var prepared: [String: String] = [:]
    private static let preparedLimit = 500

    private func preparedStatement(for sql: String, connection: OpaquePointer) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit, Self.isPreparable(sql) else { return nil }
        let name = "consult_\(prepared.count)"
        _ = try check(PQprepare(connection, name, sql, 0, nil), connection: connection)
        prepared[sql] = name
        return name
    }

    private static func isPreparable(_ sql: String) -> Bool {
        let start = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" }.prefix(6).uppercased()
        return ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains { start.hasPrefix($0) }
    }

    /// Runs trusted SQL that may hold several statements (migrations). No parameters.
    public func execute(unsafeScript sql: String) throws {
        let connection = try liveHandle()
        _ = try check(PQexec(connection, sql), connection: connection)
    }

    /// Opens a transaction that outlives any one call, for a connection that only holds
    /// transaction-scoped locks until `rollback()`; work in transactions goes through `withTransaction`.
    public func begin() throws {
        try execute(unsafeScript: "BEGIN")
    }

    /// Ends the transaction that `begin()` opened, undoing it (which releases its locks).
    public func rollback() throws {
        try execute(unsafeScript: "ROLLBACK")
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// The body runs on this connection's thread with the connection isolated, so it makes
    /// synchronous calls and cannot interleave with other users of the connection.
    @discardableResult
    public func withTransaction<Result: Sendable>(
        _ isolation: TransactionIsolation = .readCommitted,
        _ body: @Sendable (isolated Connection) throws -> Result
    ) throws -> Result {
        do {
            try execute(unsafeScript: "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        } catch let error as PostgresError {
            throw PostgresTransactionError(beginError: error)
        }
        let result: Result
        do {
            result = try body(self)
        } catch {
            do {
                try execute(unsafeScript: "ROLLBACK")
            } catch let rollbackError as PostgresError {
                close()
                throw PostgresTransactionError(bodyError: error, rollbackError: rollbackError)
            }
            throw error
        }
        // A statement that failed inside the body (and was caught there) aborted the transaction;
        // COMMIT would then quietly roll back, so it must not look like success.
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            let aborted = PostgresError(
                kind: .client, message: "The transaction was aborted by an earlier error, so nothing was committed.")
            do {
                try execute(unsafeScript: "ROLLBACK")
            } catch let rollbackError as PostgresError {
                close()
                throw PostgresTransactionError(rollbackError: rollbackError, commitError: aborted)
            }
            throw PostgresTransactionError(commitError: aborted)
        }
        do {
            try execute(unsafeScript: "COMMIT")
        } catch let error as PostgresError {
            throw PostgresTransactionError(commitError: error)
        }
        return result
    }

    /// Sends `NOTIFY channel, payload` (outside any transaction of the caller's making).
    public func notify(channel: String, payload: String = "") throws {
        try query("SELECT pg_notify(\(channel), \(payload))")
    }

    /// The live `PGconn`, for this module's extensions; only on the connection's own thread.
    func requireHandle() throws -> OpaquePointer {
        try liveHandle()
    }

    private func liveHandle() throws -> OpaquePointer {
        assert(thread.isCurrentThread, "libpq is only called on the connection's own thread")
        guard let handle else {
            throw PostgresError(kind: .connection, message: "The connection to PostgreSQL is closed.")
        }
        return handle
    }

    func check(_ result: OpaquePointer?, connection: OpaquePointer) throws -> PostgresRows {
        let rows = PostgresRows(taking: result)  // frees the result on every path below
        guard let result else {
            throw PostgresError(kind: .connection, message: "PostgreSQL did not answer: \(Self.errorText(connection))")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return rows
        default:
            throw Self.error(from: result, connection: connection)
        }
    }

    private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? errorText(connection)
        let lost = PQstatus(connection) != CONNECTION_OK
        return PostgresError(
            kind: lost || sqlState == nil ? .connection : .server,
            sqlState: sqlState,
            message: message,
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            constraint: field(UInt8(ascii: "n")),
            table: field(UInt8(ascii: "t")),
            column: field(UInt8(ascii: "c")),
            context: field(UInt8(ascii: "W")))
    }

    private static func errorText(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: " \n")
    }
}

/// Transaction isolation levels.
public enum TransactionIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        return String(scalars)
    }
}

/// Calls `body` with a NUL-terminated array of C strings that live for the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

/// Like `withCStrings`, but nil stays a null pointer (SQL NULL) and there is no terminator.
private func withCStringsOrNull<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
