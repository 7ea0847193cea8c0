import ConsultDomain
import Foundation
import Postgres

/// One column of a view table, defined once: its name, its PostgreSQL type, and the property of
/// the table's row type it holds. The same definition writes the column's COPY field and reads the
/// column back from a query that selects it.
struct ViewColumn<Row>: Sendable {
    /// The column's name in the table.
    let name: String
    /// A PostgreSQL type: `text`, `text[]`, `date`, `integer`, `bigint`, `jsonb`, `uuid`.
    let type: String
    /// Writes the row's value as the column's COPY text field (or NULL).
    let write: @Sendable (Row, inout CopyInWriter) -> Void
    /// Reads the column at an index of a result into the row.
    let read: @Sendable (PostgresRow, Int, inout Row) throws -> Void
    /// The property the column holds.
    let property: any PartialKeyPath<Row> & Sendable

    /// A column holding a property that is never NULL.
    static func column<Value>(
        _ name: String, _ type: ViewColumnType<Value>, _ property: any WritableKeyPath<Row, Value> & Sendable
    ) -> ViewColumn {
        ViewColumn(
            name: name, type: type.name, write: { row, writer in type.write(row[keyPath: property], &writer) },
            read: { result, index, row in row[keyPath: property] = try type.read(result, index, name) },
            property: property)
    }

    /// A column holding an optional property: nil is NULL.
    static func column<Value>(
        _ name: String, _ type: ViewColumnType<Value>, _ property: any WritableKeyPath<Row, Value?> & Sendable
    ) -> ViewColumn {
        ViewColumn(
            name: name, type: type.name,
            write: { row, writer in
                if let value = row[keyPath: property] { type.write(value, &writer) } else { writer.appendNull() }
            },
            read: { result, index, row in
                row[keyPath: property] = try result.isNull(column: index) ? nil : type.read(result, index, name)
            }, property: property)
    }
}

/// How a Swift value is stored in a column of a PostgreSQL type: the COPY text written for it,
/// and how the text PostgreSQL returns for the column (selected as is) is parsed back.
struct ViewColumnType<Value>: Sendable {
    /// The PostgreSQL type, as the `CREATE TABLE` statement names it.
    let name: String
    /// Writes a value as a COPY text field.
    let write: @Sendable (Value, inout CopyInWriter) -> Void
    /// Parses the text of a column that is not NULL; nil when it is not a value of this type.
    let parse: @Sendable (UnsafeBufferPointer<UInt8>) -> Value?

    /// Reads the value of column `index`, which must not be NULL; errors name the column.
    func read(_ row: PostgresRow, _ index: Int, _ column: String) throws -> Value {
        guard let parsed = row.withBytes(column: index, parse) else {
            throw PostgresError(
                kind: .decoding, message: "Column \"\(column)\" is NULL, but \(Value.self) was expected.",
                column: column)
        }
        guard let value = parsed else {
            throw PostgresError(
                kind: .decoding, message: "Column \"\(column)\" holds a value that is not a valid \(name).",
                column: column)
        }
        return value
    }
}

extension PostgresRow {
    /// Whether column `index` is NULL.
    func isNull(column index: Int) -> Bool {
        withBytes(column: index) { _ in () } == nil
    }
}

extension ViewColumnType where Value == String {
    /// `text`, written escaped.
    static let text = ViewColumnType(
        name: "text", write: { value, writer in writer.appendText(value) },
        parse: { String(decoding: $0, as: UTF8.self) })
}

extension ViewColumnType where Value == CalendarDate {
    /// `date`, as `YYYY-MM-DD` (PostgreSQL's ISO output, the default `DateStyle`).
    static let date = ViewColumnType(
        name: "date", write: { value, writer in writer.appendText(value.description) },
        parse: { CalendarDate(String(decoding: $0, as: UTF8.self)) })
}

extension ViewColumnType where Value == Int {
    /// `integer`.
    static let integer = ViewColumnType(
        name: "integer", write: { value, writer in writer.appendText(String(value)) },
        parse: { Int(postgresText: $0) })
}

extension ViewColumnType where Value == Int64 {
    /// `bigint`.
    static let bigint = ViewColumnType(
        name: "bigint", write: { value, writer in writer.appendText(String(value)) },
        parse: { Int64(postgresText: $0) })
}

extension ViewColumnType where Value == UUID {
    /// `uuid`, written in lower case.
    static let uuid = ViewColumnType(
        name: "uuid", write: { value, writer in writer.appendText(value.uuidString.lowercased()) },
        parse: { UUID(postgresText: $0) })
}

extension ViewColumnType where Value == [String] {
    /// `text[]`: every element quoted.
    static let textArray = ViewColumnType(
        name: "text[]", write: { values, writer in writer.appendText(ArrayLiteral.text(values)) },
        parse: { ArrayLiteral.parse($0)?.map { $0 ?? "" } })
}

extension ViewColumnType where Value == [String?] {
    /// `text[]` whose elements may be NULL.
    static let textArray = ViewColumnType(
        name: "text[]", write: { values, writer in writer.appendText(ArrayLiteral.text(values)) },
        parse: { ArrayLiteral.parse($0) })
}

extension ViewColumnType where Value == JSONValue {
    /// `jsonb`, written as JSON text. JSON null is written as NULL (and so reads back as NULL).
    static let jsonb = ViewColumnType(
        name: "jsonb",
        write: { value, writer in
            if value == .null { writer.appendNull() } else { writer.appendText(value.serialized()) }
        },
        parse: { try? JSONValue.parse($0) })
}

extension ViewColumnType where Value == [JSONValue] {
    /// `jsonb` holding an array.
    static let jsonb = ViewColumnType(
        name: "jsonb", write: { values, writer in writer.appendText(JSONValue.array(values).serialized()) },
        parse: { (try? JSONValue.parse($0))?.arrayValue })
}

extension ViewColumnType where Value == JSONObject {
    /// `text` holding a JSON object: for a value only read back whole and parsed by the program,
    /// where converting it to `jsonb` would cost the server work nobody uses.
    static let jsonText = ViewColumnType(
        name: "text", write: { value, writer in writer.appendText(JSONValue.object(value).serialized()) },
        parse: { (try? JSONValue.parse($0))?.objectValue })
}

/// PostgreSQL's array literal for `text[]`: `{"a","b",NULL}`.
enum ArrayLiteral {
    /// Every element quoted, `"` and `\` escaped; nil is NULL.
    static func text(_ items: some Sequence<String?>) -> String {
        var text = "{"
        var first = true
        for item in items {
            if !first { text += "," }
            first = false
            guard let item else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in item.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }

    /// Every element quoted, `"` and `\` escaped.
    static func text(_ items: [String]) -> String {
        text(items.lazy.map { Optional($0) })
    }

    /// The elements of a one-dimensional array as PostgreSQL prints it: `{}`, `{a,"b c",NULL}`
    /// (an element is quoted when it is empty, holds a space, `{`, `}`, `,`, `"` or `\`, or spells
    /// NULL; inside quotes, `\` escapes the next character). Nil when the text is not one.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String?]? {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var items: [String?] = []
        var index = 1
        let end = bytes.count - 1
        guard index < end else { return items }
        var element: [UInt8] = []
        while true {
            element.removeAll(keepingCapacity: true)
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { return nil }
                    element.append(bytes[index])
                    index += 1
                }
                guard index < end else { return nil }
                index += 1
                items.append(String(decoding: element, as: UTF8.self))
            } else {
                while index < end, bytes[index] != UInt8(ascii: ",") {
                    element.append(bytes[index])
                    index += 1
                }
                let text = String(decoding: element, as: UTF8.self)
                items.append(text.uppercased() == "NULL" ? nil : text)
            }
            if index == end { return items }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
            guard index < end else { return nil }
        }
    }
}
