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
    /// A row of every column type, each value nullable.
    struct Probe: ViewRow {
        var streamID = ""
        var n = 0
        var label: String?
        var tags: [String?]?
        var onDate: CalendarDate?
        var total: Int64?
        var payload: JSONValue?
        var id: UUID?
    }

    static let probe = ViewSchema<Probe>(
        "view_copy_probe", key: ["stream_id", "n"],
        columns: [
            .column("n", .integer, \.n), .column("label", .text, \.label), .column("tags", .textArray, \.tags),
            .column("on_date", .date, \.onDate), .column("total", .bigint, \.total),
            .column("payload", .jsonb, \.payload), .column("id", .uuid, \.id),
        ])

    @Test("text, arrays, dates, numbers, jsonb and uuids with hostile characters round-trip; JSON null is NULL")
    func roundTrip() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let hostile = [
            "plain", "tab\there", "new\nline", "carriage\rreturn", #"back\slash"#, #"\N"#, #"quote "inside""#,
            "{braces,comma}", "NULL", "", " ", "과학기술정보통신부", "🙂", "\u{202E}reversed",
        ]
        var rows: [Probe] = []
        for (index, text) in hostile.enumerated() {
            var row = Probe()
            row.streamID = "s-\(index)"
            row.n = index
            row.label = text
            row.tags = [text, "b", nil]
            row.onDate = CalendarDate("2024-02-29")
            row.total = 9_007_199_254_740_993
            row.payload = index % 2 == 0 ? .string(text) : .object(JSONObject([("k", .string(text))]))
            row.id = UUID(uuidString: "00000000-0000-4000-8000-00000000000\(index % 10)")
            rows.append(row)
        }
        var nulls = Probe()
        nulls.streamID = "s-null"
        nulls.n = 99
        nulls.payload = .null  // JSON null, written as NULL like the missing values
        rows.append(nulls)

        try await connection.withTransaction { [rows] connection in
            for statement in Self.probe.table.createStatements(suffix: "") {
                try connection.query(PostgresQuery(unsafeSQL: statement))
            }
            try Self.probe.insert(rows, suffix: "", on: connection)
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
