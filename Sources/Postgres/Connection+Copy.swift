import CLibPQ

extension Connection {
    /// Runs `COPY … FROM STDIN` (text format) and streams the rows `produce` writes through the
    /// writer; returns the number of rows the server stored.
    ///
    /// Rows leave in pieces of about a megabyte while `produce` is still writing, so the server
    /// stores one piece while the next is built. If `produce` throws, the copy is cancelled and
    /// the statement fails (inside a transaction, that transaction is then aborted), with the
    /// server's error when it had refused a row already sent, else with what `produce` threw.
    ///
    /// `statement` is trusted SQL naming the table and columns; the data never goes into it.
    @discardableResult
    public func copyIn(_ statement: String, _ produce: (inout CopyInWriter) throws -> Void) throws -> Int {
        let connection = try requireHandle()
        let started = PQexec(connection, statement)
        guard let started, PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try check(started, connection: connection)
            throw PostgresError(kind: .client, message: "COPY did not start: the statement is not COPY … FROM STDIN.")
        }
        PQclear(started)
        var writer = CopyInWriter(connection: connection)
        var failure: (any Error)?
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            failure = error
        }
        let ended =
            failure == nil ? PQputCopyEnd(connection, nil) : PQputCopyEnd(connection, "cancelled by the client")
        // The copy's result, then nil; every result is read so the connection is ready again.
        var outcome: Result<Int, any Error> = .success(0)
        while let result = PQgetResult(connection) {
            // Still in COPY: the end could not be sent, and libpq would return this forever.
            if PQresultStatus(result) == PGRES_COPY_IN {
                PQclear(result)
                outcome = .failure(
                    PostgresError(kind: .connection, message: "The end of a COPY could not be sent."))
                break
            }
            do {
                let rows = try check(result, connection: connection)
                outcome = .success(rows.affectedRows ?? 0)
            } catch {
                outcome = .failure(error)
            }
        }
        if let failure {
            // The server refused a row sent before `produce` failed: that came first, so it is what
            // the caller hears. Otherwise the server only echoes the cancellation (57014).
            if case .failure(let refused as PostgresError) = outcome, refused.kind == .server,
                refused.sqlState != "57014"
            {
                throw refused
            }
            throw failure
        }
        if ended != 1 {
            throw PostgresError(kind: .connection, message: "The end of a COPY could not be sent.")
        }
        return try outcome.get()
    }
}

/// Writes rows for `Connection.copyIn` in PostgreSQL's COPY text format: fields separated by tabs,
/// rows ended by newlines, text fields escaped with `appendText`.
public struct CopyInWriter: ~Copyable {
    private let connection: OpaquePointer
    private var buffer: [UInt8] = []
    private static let pieceSize = 1 << 20

    fileprivate init(connection: OpaquePointer) {
        self.connection = connection
        buffer.reserveCapacity(Self.pieceSize + 64 << 10)
    }

    /// A text field: backslash, tab, newline and carriage return are escaped. Runs of bytes that
    /// need no escape are copied at once (a byte-by-byte append was a tenth of a replay's CPU).
    public mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let escaped: UInt8
                switch utf8[position] {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
                case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
                default: continue
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(escaped)
                runStart = position + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }

    /// A NULL field.
    public mutating func appendNull() {
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(UInt8(ascii: "N"))
    }

    /// A field whose text needs no escaping (numbers, uuids).
    public mutating func appendPlain(_ value: some PostgresEncodable) {
        buffer.append(contentsOf: value.postgresText.utf8)
    }

    /// Ends a field: the tab before the next one.
    public mutating func endField() {
        buffer.append(UInt8(ascii: "\t"))
    }

    /// Ends a row; sends what was written once a piece is full.
    public mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.pieceSize { try flush() }
    }

    fileprivate mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else {
            throw PostgresError(kind: .connection, message: "COPY data could not be sent: the connection was lost.")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
