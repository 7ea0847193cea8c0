import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import Testing

/// `tools/app-role.sql`: consult runs as a role that may only read and append to the log.
@Suite("Running as a role that may only read and append to the log")
struct AppRoleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/ConsultCLITests/Fixtures")

    @Test("log, project, replay, read and verify work; changing the log or its guards is refused")
    func appRole() async throws {
        let database = try await TestDatabase.create()
        let admin = try await database.connect()
        let role = "consult_app_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.execute(unsafeScript: "CREATE ROLE \(role) LOGIN")
        // Views built by the owner before the grant become the role's.
        let first = try await ConsultProcess.run(
            ["log", "--file", Self.fixtures.appendingPathComponent("views-batch1.jsonl").path],
            environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            try await ConsultProcess.run(["project"], environment: ["CONSULT_DATABASE_URL": database.url]).status == 0)

        let binaries = try await ServerBinaries.locate(environment: ProcessInfo.processInfo.environment)
        let psql = try await SpawnedProcess.run(
            binaries.directory + "/psql",
            [
                database.url, "-q", "-v", "role=\(role)", "-f",
                Self.root.appendingPathComponent("tools/app-role.sql").path,
            ])
        #expect(psql.status == 0, "\(psql.stderr)")

        let url = database.url.replacingOccurrences(
            of: #"^postgresql://[^@]*@"#, with: "postgresql://\(role)@", options: .regularExpression)
        func consult(_ arguments: String...) async throws -> ConsultProcess.Outcome {
            try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": url])
        }
        for batch in 2...3 {
            let logged = try await consult(
                "log", "--file", Self.fixtures.appendingPathComponent("views-batch\(batch).jsonl").path)
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        let project = try await consult("project")
        #expect(project.status == 0, "\(project.stderr)")
        let replay = try await consult("replay")
        #expect(replay.status == 0, "\(replay.stderr)")
        let commitments = try await consult("commitments", "--format", "json")
        #expect(commitments.status == 0, "\(commitments.stderr)")
        let verify = try await consult("verify")
        #expect(verify.status == 0, "\(verify.stderr)")

        // As the role, directly: every way of changing the log is refused.
        let configuration = ConnectionConfiguration.url(url)
        let connection = try await Connection.connect(configuration, logger: TestDatabase.logger)
        for statement in [
            "UPDATE events SET data = '{}' WHERE position = 1",
            "DELETE FROM events WHERE position = 1",
            "TRUNCATE events",
            "ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete",
            "ALTER TABLE events DISABLE TRIGGER events_chain",
            "UPDATE event_stream_heads SET version = version + 1",
            "DELETE FROM event_stream_heads",
            "INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, recorded_at) "
                + "VALUES (1, 'x', 1, 'T', gen_random_uuid(), '{}', now() - interval '1 year')",
            "INSERT INTO consult_log_epochs (epoch, system_identifier) VALUES (99, 1)",
        ] {
            let refused = await #expect(throws: PostgresError.self, "\(statement)") {
                try await connection.execute(unsafeScript: statement)
            }
            #expect(
                refused?.sqlState == "42501" || refused?.message.contains("must be owner") == true,
                "\(statement): \(refused?.message ?? "")")
        }
        // It may supply a hash (consult log computes its batches' hashes), but only the right one.
        let wrongHash = await #expect(throws: PostgresError.self) {
            try await connection.execute(
                unsafeScript: "INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, hash) "
                    + "VALUES (consult_log_epoch(), 'x', 1, 'T', gen_random_uuid(), '{}', "
                    + "decode(repeat('00', 32), 'hex'))")
        }
        #expect(wrongHash?.sqlState == "CH001", "\(wrongHash?.message ?? "")")
        // Tables of its own in pg_temp cannot stand in for the ones the log's functions write,
        // which run with the owner's rights and a fixed search_path.
        try await connection.execute(
            unsafeScript: """
                CREATE TEMP TABLE event_stream_heads (stream_id text, version integer, hash bytea);
                CREATE TEMP TABLE consult_log_epochs (epoch integer, system_identifier bigint);
                CREATE TEMP TABLE events (LIKE public.events);
                """)
        let epoch: Int32 = try await connection.query("SELECT consult_log_epoch()")[0].decode(column: 0)
        try await connection.query(
            """
            INSERT INTO public.events (epoch, stream_id, stream_version, type, event_id, data)
            VALUES (\(epoch), 'stakeholder-temp', 1, 'StakeholderRegistered', \(UUID()),
                    '{"stakeholderId":"temp","name":"T","kind":"organization","sector":"association"}')
            """)
        for table in ["event_stream_heads", "consult_log_epochs", "events"] {
            let count: Int = try await connection.query("SELECT count(*) FROM pg_temp.\(unescaped: table)")[0]
                .decode(column: 0)
            #expect(count == 0, "the log's functions wrote to the session's own \(table)")
        }
        let head: Int = try await connection.query(
            "SELECT count(*) FROM public.event_stream_heads WHERE stream_id = 'stakeholder-temp'")[0].decode(column: 0)
        #expect(head == 1)
        await connection.close()
        let verified = try await consult("verify")
        #expect(verified.status == 0, "\(verified.stderr)")
        await admin.close()
    }
}
