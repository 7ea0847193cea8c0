import ConsultDomain
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// View rows go in with COPY: every value must arrive as the column's type reads it, whatever
/// characters it holds.
@Suite("View rows written with COPY")
struct ViewTableCopyTests {
    static let table = ViewTable(
        "view_copy_probe", key: ["stream_id", "n"],
        columns: [
            ("n", "integer"), ("label", "text"), ("tags", "text[]"), ("on_date", "date"), ("total", "bigint"),
            ("payload", "jsonb"), ("id", "uuid"),
        ])

    @Test("text, arrays, dates, numbers, jsonb and uuids with hostile characters round-trip; JSON null is NULL")
    func roundTrip() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let hostile = [
            "plain", "tab\there", "new\nline", "carriage\rreturn", #"back\slash"#, #"\N"#, #"quote "inside""#,
            "{braces,comma}", "NULL", "", " ", "과학기술정보통신부", "🙂", "\u{202E}reversed",
        ]
        var rows: [JSONObject] = []
        for (index, text) in hostile.enumerated() {
            var row = JSONObject()
            row["stream_id"] = .string("s-\(index)")
            row["n"] = .number(String(index))
            row["label"] = .string(text)
            row["tags"] = .array([.string(text), .string("b"), .null])
            row["on_date"] = .string("2024-02-29")
            row["total"] = .number("9007199254740993")
            row["payload"] = index % 2 == 0 ? .string(text) : .object(JSONObject([("k", .string(text))]))
            row["id"] = .string("00000000-0000-4000-8000-00000000000\(index % 10)")
            rows.append(row)
        }
        var nulls = JSONObject()
        nulls["stream_id"] = .string("s-null")
        nulls["n"] = .number("99")
        for column in ["label", "tags", "on_date", "total", "payload", "id"] { nulls[column] = .null }
        rows.append(nulls)

        try await connection.withTransaction { [rows] connection in
            for statement in Self.table.createStatements(suffix: "") {
                try connection.query(PostgresQuery(unsafeSQL: statement))
            }
            try Self.table.insert(rows, suffix: "", on: connection)
        }
        let stored = try await connection.query(
            """
            SELECT n, label, array_length(tags, 1), on_date::text, total, payload::text, id::text FROM view_copy_probe
            WHERE n < 99 ORDER BY n
            """)
        #expect(stored.count == hostile.count)
        for (index, text) in hostile.enumerated() {
            let row = stored[index]
            #expect(try row.decode(String.self, column: 1) == text)
            #expect(try row.decode(Int.self, column: 2) == 3)
            #expect(try row.decode(String.self, column: 3) == "2024-02-29")
            #expect(try row.decode(Int64.self, column: 4) == 9_007_199_254_740_993)
            let payload = try JSONValue.parse(Array(try row.decode(String.self, column: 5).utf8))
            #expect(payload == (index % 2 == 0 ? .string(text) : .object(JSONObject([("k", .string(text))]))))
        }
        let allNull: Bool = try await connection.query(
            """
            SELECT label IS NULL AND tags IS NULL AND on_date IS NULL AND total IS NULL AND payload IS NULL
                   AND id IS NULL
            FROM view_copy_probe WHERE n = 99
            """)[0].decode(column: 0)
        #expect(allNull)
        // The array elements, one by one, as PostgreSQL sees them.
        let elements = try await connection.query(
            "SELECT tags[1], tags[2], tags[3] IS NULL FROM view_copy_probe WHERE n < 99 ORDER BY n")
        for (index, text) in hostile.enumerated() {
            #expect(try elements[index].decode(String.self, column: 0) == text)
            #expect(try elements[index].decode(String.self, column: 1) == "b")
            #expect(try elements[index].decode(Bool.self, column: 2))
        }
        await connection.close()
    }
}
