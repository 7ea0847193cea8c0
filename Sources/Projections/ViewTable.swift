import Postgres

/// One table of a view, as SQL sees it: its name, column definitions, key and indexes. Every view
/// table starts with `stream_id`: its rows are derived from that stream (and the streams it names),
/// so a batch replaces the rows of the streams it touched. A `ViewSchema` makes it from the
/// table's typed columns.
///
/// Names are the program's own constants, never input; a suffix names the same table built for a
/// replay (`__replay`) or a verification (`__verify`, temporary).
public struct ViewTable: Sendable {
    /// A column's definition.
    public struct Column: Sendable {
        /// The column's name.
        public var name: String
        /// A PostgreSQL type: `text`, `text[]`, `date`, `integer`, `bigint`, `jsonb`, `uuid`.
        public var type: String
    }

    /// The table's name, without a suffix.
    public let name: String
    /// The columns, `stream_id` first.
    public let columns: [Column]
    /// The primary key's columns.
    public let key: [String]
    /// The columns of each index; or, as its one element, the rest of a `CREATE INDEX ON table`
    /// statement starting with `USING` (a method, an expression, a predicate).
    public let indexes: [[String]]

    init(_ name: String, key: [String], indexes: [[String]], columns: [Column]) {
        self.name = name
        self.columns = columns
        self.key = key
        self.indexes = indexes
    }

    func named(_ suffix: String) -> String { name + suffix }

    /// The statements that create the table (temporary ones are dropped at the end of the transaction).
    func createStatements(suffix: String, temporary: Bool = false) -> [String] {
        let table = named(suffix)
        let definitions = columns.map { "\($0.name) \($0.type)" } + ["PRIMARY KEY (\(key.joined(separator: ", ")))"]
        let create =
            temporary
            ? "CREATE TEMPORARY TABLE \(table) (\(definitions.joined(separator: ", "))) ON COMMIT DROP"
            : "CREATE TABLE \(table) (\(definitions.joined(separator: ", ")))"
        // Indexes go unnamed: PostgreSQL picks names that do not collide when a rebuilt table is
        // renamed into place next to the names of the old one.
        return [create]
            + indexes.map { index in
                if index.count == 1, index[0].hasPrefix("USING ") { return "CREATE INDEX ON \(table) \(index[0])" }
                return "CREATE INDEX ON \(table) (\(index.joined(separator: ", ")))"
            }
    }

    /// Deletes the rows of `streams`.
    func delete(streams: [String], suffix: String, on connection: isolated Connection) throws {
        try connection.query("DELETE FROM \(unescaped: named(suffix)) WHERE stream_id = ANY(\(streams)::text[])")
    }

    /// Inserts `rows` with one COPY into every column, in order; `write` writes one row's fields.
    func copy<Row>(
        _ rows: [Row], suffix: String, on connection: isolated Connection,
        write: (Row, inout CopyInWriter) -> Void
    ) throws {
        guard !rows.isEmpty else { return }
        let names = columns.map(\.name).joined(separator: ", ")
        try connection.copyIn("COPY \(named(suffix)) (\(names)) FROM STDIN") { writer in
            for row in rows {
                write(row, &writer)
                try writer.endRow()
            }
        }
    }
}
