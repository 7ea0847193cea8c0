import ConsultDomain
import Postgres

/// One table of a view. Every view table starts with `stream_id`: its rows are derived from that
/// stream (and the streams it names), so a batch replaces the rows of the streams it touched.
///
/// Names are the program's own constants, never input; a suffix names the same table built for a
/// replay (`__replay`) or a verification (`__verify`, temporary).
public struct ViewTable: Sendable {
    public struct Column: Sendable {
        public var name: String
        /// A PostgreSQL type: `text`, `text[]`, `date`, `integer`, `bigint`, `jsonb`, `uuid`.
        public var type: String
    }

    public let name: String
    public let columns: [Column]
    public let key: [String]
    public let indexes: [[String]]

    public init(_ name: String, key: [String], indexes: [[String]] = [], columns: [(String, String)]) {
        self.name = name
        self.columns = [Column(name: "stream_id", type: "text")] + columns.map { Column(name: $0.0, type: $0.1) }
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
        return [create] + indexes.map { "CREATE INDEX ON \(table) (\($0.joined(separator: ", ")))" }
    }

    /// Deletes the rows of `streams` and inserts `rows` (objects keyed by column name).
    func replace(streams: [String], with rows: [JSONObject], suffix: String, on connection: isolated Connection)
        throws
    {
        guard !streams.isEmpty else { return }
        try connection.query("DELETE FROM \(unescaped: named(suffix)) WHERE stream_id = ANY(\(streams)::text[])")
        try insert(rows, suffix: suffix, on: connection)
    }

    /// Inserts `rows` with one COPY, each value written as the text its column's type reads.
    func insert(_ rows: [JSONObject], suffix: String, on connection: isolated Connection) throws {
        guard !rows.isEmpty else { return }
        let names = columns.map(\.name).joined(separator: ", ")
        try connection.copyIn("COPY \(named(suffix)) (\(names)) FROM STDIN") { writer in
            for row in rows {
                for (index, column) in columns.enumerated() {
                    if index > 0 { writer.endField() }
                    Self.write(row[column.name], as: column.type, into: &writer)
                }
                try writer.endRow()
            }
        }
    }

    /// A value as the text PostgreSQL reads for `type`: JSON for `jsonb`, an array literal for
    /// `text[]`, the plain string or number otherwise; JSON null or a missing value is NULL.
    static func write(_ value: JSONValue?, as type: String, into writer: inout CopyInWriter) {
        switch value {
        case nil, .null?:
            writer.appendNull()
        case let value? where type == "jsonb":
            writer.appendText(value.serialized())
        case .string(let text)?:
            writer.appendText(text)
        case .number(let text)?:
            writer.appendText(text)
        case .bool(let flag)?:
            writer.appendText(flag ? "true" : "false")
        case .array(let items)? where type.hasSuffix("[]"):
            writer.appendText(arrayLiteral(items))
        case let value?:
            writer.appendText(value.serialized())
        }
    }

    /// `{"a","b"}`: every element quoted, `"` and `\` escaped, JSON null as NULL.
    static func arrayLiteral(_ items: [JSONValue]) -> String {
        var text = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            let element: String
            switch item {
            case .null: text += "NULL"; continue
            case .string(let value): element = value
            case .number(let value): element = value
            default: element = item.serialized()
            }
            text += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}

/// Builds a view row: column name → JSON value, written by `ViewTable.insert` as its column type reads it.
struct Row {
    var object = JSONObject()

    subscript(column: String) -> String? {
        get { object[column]?.stringValue }
        set { object[column] = newValue.map(JSONValue.string) ?? .null }
    }

    mutating func set(_ column: String, _ value: CalendarDate?) {
        object[column] = value.map { .string($0.description) } ?? .null
    }

    mutating func set(_ column: String, _ value: Int?) {
        object[column] = value.map { .number(String($0)) } ?? .null
    }

    mutating func set(_ column: String, _ values: [String]) {
        object[column] = .array(values.map(JSONValue.string))
    }

    mutating func set(_ column: String, json value: JSONValue) {
        object[column] = value
    }
}
