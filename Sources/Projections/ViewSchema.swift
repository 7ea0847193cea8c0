import Postgres

/// The typed row of a view table. Its schema lists each column once; that list makes the table's
/// `CREATE TABLE`, its COPY rows and the decoding of the rows a query selects with
/// `ViewSchema.columnList`.
protocol ViewRow: Sendable {
    /// The stream the row is derived from: the first column of every view table, `stream_id`.
    var streamID: String { get set }
    /// A row for the decoder to fill in, column by column.
    init()
}

/// A view table and its typed rows: the table (name, key, indexes) and one `ViewColumn` per
/// column, in the table's order, after `stream_id`.
///
/// To add a column, add a property to the row type and its line here: the DDL, COPY and the
/// decoder follow. (A changed table changes its view's `fingerprint`, so the view is rebuilt.)
struct ViewSchema<Row: ViewRow>: Sendable {
    /// The table as the runner creates, swaps and compares it.
    let table: ViewTable
    /// Every column, `stream_id` first (those `only` chose, in a schema it made).
    let columns: [ViewColumn<Row>]

    init(_ name: String, key: [String], indexes: [[String]] = [], columns: [ViewColumn<Row>]) {
        self.columns = [.column("stream_id", .text, \.streamID)] + columns
        table = ViewTable(
            name, key: key, indexes: indexes,
            columns: self.columns.map { ViewTable.Column(name: $0.name, type: $0.type) })
    }

    private init(table: ViewTable, columns: [ViewColumn<Row>]) {
        self.table = table
        self.columns = columns
    }

    /// The columns that hold `properties` only, in the table's order, for a query that reads
    /// fewer columns than the table has: `columnList` names those, and `decode` leaves the other
    /// properties as `Row()` makes them.
    func only(_ properties: [PartialKeyPath<Row>]) -> ViewSchema {
        let wanted = Set(properties.map { $0 as AnyKeyPath })
        return ViewSchema(table: table, columns: columns.filter { wanted.contains($0.property as AnyKeyPath) })
    }

    /// `a.stream_id, a.commitment_id, …`: every column, in order, as `decode` reads them, each
    /// qualified by `alias` when a query joins other tables.
    func columnList(qualifiedBy alias: String? = nil) -> String {
        let prefix = alias.map { $0 + "." } ?? ""
        return columns.map { prefix + $0.name }.joined(separator: ", ")
    }

    /// The row in the first columns of `row`, selected with `columnList`. Columns a query selects
    /// after those (counts, say) start at index `columns.count`.
    func decode(_ row: PostgresRow) throws -> Row {
        var decoded = Row()
        for (index, column) in columns.enumerated() {
            try column.read(row, index, &decoded)
        }
        return decoded
    }

    /// Deletes the rows of `streams` and inserts `rows`.
    func replace(streams: [String], with rows: [Row], suffix: String, on connection: isolated Connection) throws {
        guard !streams.isEmpty else { return }
        try table.delete(streams: streams, suffix: suffix, on: connection)
        try insert(rows, suffix: suffix, on: connection)
    }

    /// Inserts `rows` with one COPY, each value written as the text its column's type reads.
    func insert(_ rows: [Row], suffix: String, on connection: isolated Connection) throws {
        try table.copy(rows, suffix: suffix, on: connection) { row, writer in
            for (index, column) in columns.enumerated() {
                if index > 0 { writer.endField() }
                column.write(row, &writer)
            }
        }
    }
}
