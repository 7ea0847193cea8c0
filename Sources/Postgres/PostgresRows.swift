import CLibPQ

/// The rows a statement returned. Owns its `PGresult` and frees it once.
///
/// A `PGresult` does not refer back to its connection and is never changed after it is made,
/// so reading it from any thread is safe.
public final class PostgresRows: @unchecked Sendable, RandomAccessCollection {
    private let result: OpaquePointer?
    public let count: Int
    public let columnNames: [String]
    /// The command tag's row count (`INSERT 0 5` → 5), when there is one.
    public let affectedRows: Int?

    init(taking result: OpaquePointer?) {
        self.result = result
        count = result.map { Int(PQntuples($0)) } ?? 0
        let fields = result.map { Int(PQnfields($0)) } ?? 0
        columnNames = (0..<fields).map { String(cString: PQfname(result, Int32($0))) }
        if let result, let tuples = PQcmdTuples(result), tuples.pointee != 0 {
            affectedRows = Int(String(cString: tuples))
        } else {
            affectedRows = nil
        }
    }

    deinit {
        PQclear(result)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(rows: self, index: position)
    }

    /// The index of the column named `name`.
    public func columnIndex(_ name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    func bytes(row: Int, column: Int) -> UnsafeBufferPointer<UInt8> {
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        guard let value = PQgetvalue(result, Int32(row), Int32(column)) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        // char and UInt8 have the same layout; the memory lives as long as the result.
        return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length)
    }
}

/// One row of a result. Decode columns by index or name; errors name the column and the type.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, column: Int) throws -> Value {
        guard column >= 0 && column < rows.columnNames.count else {
            throw PostgresError(kind: .decoding, message: "The result has no column \(column).")
        }
        if rows.isNull(row: index, column: column) {
            guard let value = Value.postgresNull else {
                throw PostgresError(
                    kind: .decoding,
                    message: "Column \"\(rows.columnNames[column])\" is NULL, but \(Value.self) was expected.",
                    column: rows.columnNames[column])
            }
            return value
        }
        let bytes = rows.bytes(row: index, column: column)
        guard let value = Value(postgresText: bytes) else {
            let text = String(decoding: bytes.prefix(40), as: UTF8.self)
            throw PostgresError(
                kind: .decoding,
                message:
                    "Column \"\(rows.columnNames[column])\" holds \"\(text)\", which is not a valid \(Value.self).",
                column: rows.columnNames[column])
        }
        return value
    }

    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, column name: String) throws -> Value {
        guard let column = rows.columnIndex(name) else {
            throw PostgresError(kind: .decoding, message: "The result has no column named \"\(name)\".")
        }
        return try decode(type, column: column)
    }

    /// The raw text of a column, without copying, for callers that parse it themselves.
    public func withBytes<R>(column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        if rows.isNull(row: index, column: column) { return nil }
        return try body(rows.bytes(row: index, column: column))
    }
}
