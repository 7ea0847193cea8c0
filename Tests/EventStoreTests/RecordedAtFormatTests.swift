import Postgres
import TestSupport
import Testing

@testable import EventStore

/// Recording times are read as microseconds and formatted in Swift; the text must be what
/// PostgreSQL's `to_char` gave before.
@Suite("recording times")
struct RecordedAtFormatTests {
    @Test("formatted in Swift exactly as to_char formats them, across dates, leap days and 1970")
    func sameAsToChar() async throws {
        let connection = try await TestDatabase.create(migrated: false).connect()
        let rows = try await connection.query(
            """
            SELECT (extract(epoch FROM t) * 1000000)::bigint,
                   to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            FROM unnest(ARRAY[
                '2024-05-01 09:00:00+09', '2024-02-29 23:59:59.999999+00', '2000-01-01 00:00:00+00',
                '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.5+00', '1900-03-01 12:34:56.000001+00',
                '2026-11-23 16:30:00.123456+00', '2100-12-31 23:59:59+00'
            ]::timestamptz[]) AS t
            UNION ALL
            SELECT (extract(epoch FROM t) * 1000000)::bigint,
                   to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            FROM generate_series('1999-12-25'::timestamptz, '2030-01-01'::timestamptz, '7 days 3 hours 17 minutes 1.000013 seconds') AS t
            """)
        #expect(rows.count > 1500)
        for row in rows {
            let micros: Int64 = try row.decode(column: 0)
            let expected: String = try row.decode(column: 1)
            #expect(RecordedEvent.rfc3339(microseconds: micros) == expected)
        }
        await connection.close()
    }
}
