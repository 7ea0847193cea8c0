import ConsultCore
import ConsultDomain
import Foundation

/// Rows of a read command, printed as a table, a JSON array of objects or CSV.
///
/// Each row is an ordered JSON object with SPEC.md's camelCase keys: JSON prints it as is, CSV
/// prints every key as a column (arrays joined with `;`), and the table shows `tableColumns`.
struct RecordList {
    /// (header, key) pairs the table shows; keys may be composed in `tableCell`.
    var tableColumns: [(header: String, key: String)]
    var rows: [JSONObject] = []
    /// Cells only the table shows (composed from several keys), per row.
    var tableExtras: [[String: String]] = []
    /// Per row, the key whose cell holds a search match and where the match is in it, in characters.
    var tableMatches: [[String: Range<Int>]] = []
    /// Keys of every row, in order, for CSV (taken from the first row when empty).
    var keys: [String]

    init(keys: [String], tableColumns: [(String, String)]) {
        self.keys = keys
        self.tableColumns = tableColumns.map { (header: $0.0, key: $0.1) }
    }

    mutating func append(
        _ row: JSONObject, tableExtras extras: [String: String] = [:], tableMatches matches: [String: Range<Int>] = [:]
    ) {
        rows.append(row)
        tableExtras.append(extras)
        tableMatches.append(matches)
    }

    /// The first `count` rows with their table cells; every row when `count` is nil.
    func prefix(_ count: Int?) -> RecordList {
        guard let count, count < rows.count else { return self }
        var first = self
        first.rows = Array(rows.prefix(count))
        first.tableExtras = Array(tableExtras.prefix(count))
        return first
    }

    /// The rows as one JSON array, exactly as `render(.json, …)` gives them, passed to `write` in
    /// pieces of about a megabyte: a list of tens of thousands of rows is never held whole.
    func writeJSON(preamble: String, to write: ([UInt8]) -> Void) {
        let flushAt = 1 << 20
        var bytes = Array(preamble.utf8)
        bytes.reserveCapacity(flushAt + 64 * 1024)
        bytes.append(UInt8(ascii: "["))
        for (position, row) in rows.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.object(row).serialize(into: &bytes)
            if bytes.count >= flushAt {
                write(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
        }
        bytes.append(contentsOf: "]\n".utf8)
        write(bytes)
    }

    /// The line a table starts with: the date it answers for, and what the tracker knew then.
    static func caption(on date: CalendarDate, recordedAsOf: String? = nil) -> String {
        "On \(date)" + (recordedAsOf.map { ", as recorded by \($0)" } ?? ", as recorded now") + ":"
    }

    /// The rows in `format`; a table (or its empty message) starts with `caption` when given.
    func render(_ format: OutputFormat, emptyMessage: String, caption: String? = nil) -> String {
        let text = render(format, emptyMessage: emptyMessage)
        guard format == .table, let caption else { return text }
        return caption + "\n" + text
    }

    private func render(_ format: OutputFormat, emptyMessage: String) -> String {
        switch format {
        case .json:
            var bytes: [UInt8] = []
            writeJSON(preamble: "") { bytes += $0 }
            return String(decoding: bytes, as: UTF8.self)
        case .csv:
            return CSVWriter.rows(rows, keys: keys)
        case .table:
            guard !rows.isEmpty else { return emptyMessage + "\n" }
            var table = TextTable(headers: tableColumns.map(\.header))
            // Ids and dates are what a person copies into the next command: never cut. When the
            // rest cannot fit, the widest other columns are left out, never the last one (the
            // summary or text itself).
            let whole = tableColumns.indices.filter { Self.keptWhole(tableColumns[$0].key) }
            table.keptWhole = Set(whole)
            // A cell that starts with a date (the original due) is left out rather than cut.
            table.droppable = Set(
                tableColumns.indices.dropLast().filter {
                    !whole.contains($0) || tableColumns[$0].key == "originalDue"
                })
            for (row, extras) in zip(rows, tableExtras) {
                table.rows.append(
                    tableColumns.map { extras[$0.key] ?? Self.flatten(row[$0.key] ?? .null, separator: ", ") })
            }
            table.matches = tableMatches.map { matches in
                var byColumn: [Int: Range<Int>] = [:]
                for (index, column) in tableColumns.enumerated() { byColumn[index] = matches[column.key] }
                return byColumn
            }
            return table.render(maximumWidth: Terminal.columns())
        }
    }

    /// Whether the column of `key` holds ids, dates or counts, which are never cut.
    static func keptWhole(_ key: String) -> Bool {
        key == "id" || key.hasSuffix("Id") || key.hasSuffix("Ids")
            || ["madeOn", "dueBy", "checkOn", "date", "days", "statusOn", "originalDue"].contains(key)
            || [
                "statements", "requests", "commitments", "commitmentsMade", "commitmentsOwned", "outstanding",
                "overdue", "participantCount", "done", "due",
            ].contains(key)
    }

    /// A JSON value as one cell (see `CSVWriter.cell`).
    static func flatten(_ value: JSONValue, separator: String) -> String {
        CSVWriter.cell(value, separator: separator)
    }
}
