import Foundation
import Postgres
import TestSupport
import Testing

@Suite("The PostgreSQL layer")
struct ConnectionTests {
    @Test("interpolated values are bound as $n parameters, never spliced into the SQL")
    func parameterBinding() async throws {
        let hostile = "'; DROP TABLE x; --"
        let query: PostgresQuery =
            "SELECT \(hostile)::text, \(42), \(Optional<String>.none)::text, \(["a\"b", "c\\d"])::text[]"
        #expect(query.sql == "SELECT $1::text, $2, $3::text, $4::text[]")
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        let rows = try await connection.query(query)
        #expect(try rows[0].decode(String.self, column: 0) == hostile)
        #expect(try rows[0].decode(Int.self, column: 1) == 42)
        #expect(try rows[0].decode(String?.self, column: 2) == nil)
        #expect(try rows[0].decode(String.self, column: 3) == #"{"a\"b","c\\d"}"#)
        let korean = try await connection.query("SELECT \("과학기술정보통신부")::text AS name, length(\("한국어")::text)")
        #expect(try korean[0].decode(String.self, column: "name") == "과학기술정보통신부")
        #expect(try korean[0].decode(Int.self, column: 1) == 3)
    }

    @Test("decoding errors name the column and the type")
    func decodingErrors() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        let rows = try await connection.query("SELECT 'abc'::text AS label, NULL::int AS missing")
        let wrongType = #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: "label") }
        #expect(wrongType?.message.contains("label") == true)
        #expect(wrongType?.message.contains("Int") == true)
        let null = #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: 1) }
        #expect(null?.message.contains("missing") == true)
        #expect(try rows[0].decode(Int?.self, column: 1) == nil)
    }

    @Test("server errors carry SQLSTATE, message, detail and constraint")
    func serverErrors() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.execute(unsafeScript: "CREATE TABLE t (id int CONSTRAINT t_id_key UNIQUE)")
        try await connection.query("INSERT INTO t VALUES (\(1))")
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("INSERT INTO t VALUES (\(1))")
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.isUniqueViolation == true)
        #expect(error?.constraint == "t_id_key")
        #expect(error?.detail?.contains("already exists") == true)
        #expect(error?.kind == .server)
        // The connection is still usable after an error.
        #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactions() async throws {
        struct Refused: Error {}
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.execute(unsafeScript: "CREATE TABLE t (id int)")
        try await connection.withTransaction { connection in
            try connection.query("INSERT INTO t VALUES (\(1))")
        }
        await #expect(throws: Refused.self) {
            try await connection.withTransaction { connection in
                try connection.query("INSERT INTO t VALUES (\(2))")
                throw Refused()
            }
        }
        await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { connection in
                try connection.query("INSERT INTO t VALUES (\(3))")
                try connection.query("SELECT 1/0")
            }
        }
        let rows = try await connection.query("SELECT array_agg(id ORDER BY id)::text FROM t")
        #expect(try rows[0].decode(String.self, column: 0) == "{1}")
    }

    @Test("a transaction's failures keep BEGIN, body, ROLLBACK and COMMIT apart")
    func transactionStages() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.execute(
            unsafeScript: """
                CREATE TABLE parent (id int PRIMARY KEY);
                CREATE TABLE child (parent int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)
                """)
        // Checked at COMMIT: the commit is what fails, with the server's error.
        do {
            try await connection.withTransaction { connection in
                try connection.query("INSERT INTO child VALUES (\(7))")
            }
            Issue.record("the commit should have failed")
        } catch let error as PostgresTransactionError {
            #expect(error.beginError == nil && error.bodyError == nil && error.rollbackError == nil)
            #expect(error.commitError?.sqlState == "23503")
            #expect(!error.isCommitOutcomeUnknown)
        }
        // A body that caught its own statement's error: the transaction is aborted, so it is the
        // commit that fails, not a silent rollback that looks like success.
        do {
            try await connection.withTransaction { connection in
                _ = try? connection.query("SELECT 1/0")
            }
            Issue.record("the commit should have failed")
        } catch let error as PostgresTransactionError {
            #expect(error.commitError?.message.contains("aborted") == true)
        }
        // BEGIN on a closed connection.
        await connection.close()
        do {
            try await connection.withTransaction { _ in }
            Issue.record("BEGIN should have failed")
        } catch let error as PostgresTransactionError {
            #expect(error.beginError != nil && error.commitError == nil)
            #expect(error.beginError?.isConnectionFailure == true)
        }
    }

    @Test("an unreachable server is a connection error whose message holds no password")
    func unreachable() async throws {
        let configuration = ConnectionConfiguration.url(
            "postgresql://someone:s3cret-pass@/db?host=/nonexistent-folder&port=5999")
        let error = await #expect(throws: PostgresError.self) {
            try await Connection.connect(configuration, logger: TestDatabase.logger)
        }
        #expect(error?.isConnectionFailure == true)
        #expect(error?.message.contains("s3cret-pass") == false)
        #expect(!"\(configuration)".contains("s3cret-pass"))
    }

    @Test("libpq calls run on the connection's own thread, never on the caller's")
    func dedicatedThread() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        for _ in 0..<20 {
            #expect(try await connection.withTransaction { connection in connection.isOnConnectionThread })
        }
        let other = try await database.connect()
        #expect(try await other.withTransaction { _ in connection.isOnConnectionThread } == false)
        #expect(!connection.isOnConnectionThread)
    }

    @Test("COPY FROM STDIN stores text with tabs, newlines and backslashes unchanged, in order")
    func copyInRoundTrip() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.query("CREATE TABLE copied (n int, t text, j jsonb)")
        let texts = ["plain", "tab\there", "line\nbreak\r\n", #"back\slash \N"#, "과학기술정보통신부", ""]
        let json = #"{"quote": "a \"b\" \\ c", "ko": "한국어"}"#
        let stored = try await connection.withTransaction { connection in
            try connection.copyIn("COPY copied (n, t, j) FROM STDIN") { writer in
                for round in 0..<3000 {  // more than one piece of a megabyte
                    for (index, text) in texts.enumerated() {
                        writer.appendPlain(round * texts.count + index)
                        writer.endField()
                        writer.appendText(text + String(repeating: "x", count: 50))
                        writer.endField()
                        writer.appendText(json)
                        try writer.endRow()
                    }
                }
            }
        }
        #expect(stored == 3000 * texts.count)
        let rows = try await connection.query("SELECT n, t, j::text FROM copied WHERE n < \(texts.count) ORDER BY n")
        for (index, text) in texts.enumerated() {
            #expect(try rows[index].decode(String.self, column: 1) == text + String(repeating: "x", count: 50))
        }
        #expect(try rows[0].decode(String.self, column: 2) == #"{"ko": "한국어", "quote": "a \"b\" \\ c"}"#)
    }

    @Test("a COPY whose producer throws stores nothing, rethrows, and leaves the connection usable")
    func copyInCancelled() async throws {
        struct Stop: Error {}
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.query("CREATE TABLE copied (n int)")
        await #expect(throws: Stop.self) {
            try await connection.withTransaction { connection in
                try connection.copyIn("COPY copied (n) FROM STDIN") { writer in
                    writer.appendPlain(1)
                    try writer.endRow()
                    throw Stop()
                }
            }
        }
        // A row the server refuses is a server error, and nothing is stored either.
        await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { connection in
                try connection.copyIn("COPY copied (n) FROM STDIN") { writer in
                    writer.appendText("not a number")
                    try writer.endRow()
                }
            }
        }
        #expect(try await connection.query("SELECT count(*) FROM copied")[0].decode(Int.self, column: 0) == 0)
        #expect(try await connection.query("SELECT 7")[0].decode(Int.self, column: 0) == 7)
    }

    @Test("uuids are sent as PostgreSQL prints them")
    func uuidText() async throws {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.postgresText == id.uuidString.lowercased())
        }
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        let ids = (0..<200).map { _ in UUID() }
        let rows = try await connection.query("SELECT u::text FROM unnest(\(ids)::uuid[]) AS u")
        #expect(try rows.map { try $0.decode(String.self, column: 0) } == ids.map(\.postgresText))
    }
}
