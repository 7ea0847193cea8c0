import Foundation
import Postgres
import TestSupport
import Testing

/// Column text parsed without going through Foundation's formatters.
@Suite("decoding column text")
struct DecodingTests {
    @Test("uuids and integers round-trip at their limits; malformed text is refused")
    func limits() async throws {
        let connection = try await TestDatabase.create(migrated: false).connect()
        let id = UUID()
        let row = try await connection.query(
            """
            SELECT \(id)::uuid, (-9223372036854775808)::bigint, 9223372036854775807::bigint,
                   (-2147483648)::integer, '18446744073709551615', '0', 'ABCDEF01-2345-6789-ABCD-EF0123456789'::text,
                   '12a', '-', '', '99999999999999999999', '0123e4567-e89b-12d3-a456-426614174000'
            """)[0]
        #expect(try row.decode(UUID.self, column: 0) == id)
        #expect(try row.decode(Int64.self, column: 1) == .min)
        #expect(try row.decode(Int64.self, column: 2) == .max)
        #expect(try row.decode(Int32.self, column: 3) == .min)
        #expect(try row.decode(UInt64.self, column: 4) == .max)
        #expect(try row.decode(Int.self, column: 5) == 0)
        #expect(try row.decode(UUID.self, column: 6) == UUID(uuidString: "ABCDEF01-2345-6789-ABCD-EF0123456789"))
        for column in 7...10 {
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, column: column) }
        }
        #expect(throws: PostgresError.self) { try row.decode(UUID.self, column: 11) }
        #expect(throws: PostgresError.self) { try row.decode(UInt64.self, column: 8) }
        await connection.close()
    }
}
