import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Tampering by someone with superuser rights, who sets the log's triggers aside, changes rows and
/// puts the triggers back: `consult verify` names what changed, from the hash chains and heads.
@Suite("Tamper evidence: hash chains and stream heads")
struct TamperEvidenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// One way of tampering: SQL run with the triggers disabled, and what verify must say.
    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        /// `{long}` is a stream of at least three events, `{single}` a stream of one; `{long.N}` is the
        /// id of version N of the long stream.
        var sql: String
        /// Fragments the report must contain, with the same placeholders.
        var expected: [String]
        var testDescription: String { name }
    }

    static let tamperings: [Tampering] = [
        Tampering(
            name: "content edited",
            sql: "UPDATE events SET data = jsonb_set(data, '{note}', '\"changed\"') "
                + "WHERE stream_id = '{long}' AND stream_version = 2",
            expected: ["Event {long.2}", "version 2) does not match its hash"]),
        Tampering(
            name: "recording time moved",
            sql: "UPDATE events SET recorded_at = recorded_at - interval '1 day' "
                + "WHERE stream_id = '{long}' AND stream_version = 2",
            expected: ["Event {long.2}", "does not match its hash"]),
        Tampering(
            name: "metadata edited",
            sql: "UPDATE events SET metadata = '{\"recordedBy\": \"someone else\"}' "
                + "WHERE stream_id = '{long}' AND stream_version = 1",
            expected: ["Event {long.1}", "does not match its hash"]),
        Tampering(
            name: "two events swapped",
            sql: """
                UPDATE events SET stream_version = 1000 WHERE stream_id = '{long}' AND stream_version = 1;
                UPDATE events SET stream_version = 1 WHERE stream_id = '{long}' AND stream_version = 2;
                UPDATE events SET stream_version = 2 WHERE stream_id = '{long}' AND stream_version = 1000;
                """,
            expected: ["Event {long.2}", "version 1) does not match its hash"]),
        Tampering(
            name: "an event in the middle deleted",
            sql: "DELETE FROM events WHERE stream_id = '{long}' AND stream_version = 2",
            expected: ["Stream {long} goes from version 1 to 3"]),
        Tampering(
            name: "the first event deleted",
            sql: "DELETE FROM events WHERE stream_id = '{long}' AND stream_version = 1",
            expected: ["Stream {long} begins at version 2"]),
        Tampering(
            name: "the last event deleted",
            sql: "DELETE FROM events WHERE stream_id = '{long}' AND stream_version = {long.count}",
            expected: ["Stream {long} ends at version {long.count-1}", "last event was deleted"]),
        Tampering(
            name: "a whole stream deleted",
            sql: "DELETE FROM events WHERE stream_id = '{single}'",
            expected: ["Stream {single} was recorded up to version 1, but none of its events is left"]),
        Tampering(
            name: "an event edited and its own hash recomputed",
            sql: """
                UPDATE events e SET data = jsonb_set(e.data, '{note}', '"changed"'),
                    hash = sha256(p.hash || consult_event_encoding(e.event_id, e.stream_id, e.stream_version, e.type,
                        e.schema_version, e.recorded_at, jsonb_set(e.data, '{note}', '"changed"'), e.metadata))
                FROM events p
                WHERE e.stream_id = '{long}' AND e.stream_version = 2 AND p.stream_id = e.stream_id
                  AND p.stream_version = 1
                """,
            expected: ["Event {long.3}", "the event before it in its stream"]),
        Tampering(
            name: "an event added with a well-formed hash, past the heads",
            sql: """
                INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, hash)
                SELECT e.epoch, e.stream_id, 2, 'RecordRetracted', forged.id, forged.data,
                       sha256(e.hash || consult_event_encoding(forged.id, e.stream_id, 2, 'RecordRetracted', 1, now(),
                           forged.data, '{}'))
                FROM events e,
                     LATERAL (SELECT 'f0f0f0f0-0000-4000-8000-00000000f0f0'::uuid AS id,
                                     jsonb_build_object('retractsEventId', e.event_id::text, 'reason', 'forged') AS data
                             ) AS forged
                WHERE e.stream_id = '{single}'
                """,
            expected: ["Stream {single} has version 2, but its recorded head is version 1"]),
    ]

    @Test("each kind of tampering is named by verify", arguments: tamperings)
    func tampering(_ tampering: Tampering) async throws {
        let database = try await TestDatabase.create()
        for batch in 1...3 {
            let path = Self.fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
            let logged = try await ConsultProcess.run(
                ["log", "--file", path], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        let clean = try await ConsultProcess.run(["verify"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(clean.status == 0, "\(clean.stderr)")

        let connection = try await database.connect()
        let long: String = try await connection.query(
            """
            SELECT stream_id FROM events GROUP BY stream_id HAVING count(*) >= 3
            ORDER BY count(*) DESC, stream_id LIMIT 1
            """)[0].decode(column: 0)
        let single: String = try await connection.query(
            "SELECT stream_id FROM events GROUP BY stream_id HAVING count(*) = 1 ORDER BY stream_id LIMIT 1")[0]
            .decode(column: 0)
        var placeholders = ["{long}": long, "{single}": single]
        let versions = try await connection.query(
            "SELECT stream_version, event_id::text FROM events WHERE stream_id = \(long) ORDER BY stream_version")
        for row in versions {
            placeholders["{long.\(try row.decode(Int.self, column: 0))}"] = try row.decode(String.self, column: 1)
        }
        placeholders["{long.count}"] = "\(versions.count)"
        placeholders["{long.count-1}"] = "\(versions.count - 1)"
        func fill(_ text: String) -> String {
            // Longest placeholders first, so {long.count} is not read as {long} followed by text.
            placeholders.keys.sorted { $0.count > $1.count }.reduce(text) {
                $0.replacingOccurrences(of: $1, with: placeholders[$1]!)
            }
        }

        try await connection.execute(
            unsafeScript: """
                BEGIN;
                ALTER TABLE events DISABLE TRIGGER USER;
                ALTER TABLE event_stream_heads DISABLE TRIGGER USER;
                \(fill(tampering.sql));
                ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
                ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;
                ALTER TABLE events ENABLE ALWAYS TRIGGER events_chain;
                ALTER TABLE events ENABLE ALWAYS TRIGGER events_advance_stream_heads;
                ALTER TABLE event_stream_heads ENABLE ALWAYS TRIGGER event_stream_heads_forward_only;
                ALTER TABLE event_stream_heads ENABLE ALWAYS TRIGGER event_stream_heads_refuse_truncate;
                COMMIT;
                """)
        let verified = try await ConsultProcess.run(["verify"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(verified.status == 1, "\(verified.stdout)")
        for fragment in tampering.expected {
            #expect(verified.stderr.contains(fill(fragment)), "\(fill(fragment)) not in: \(verified.stderr)")
        }
        await connection.close()
    }

    @Test("a writer past the application cannot choose an event's hash, and a disabled trigger is reported")
    func triggerSetsTheHash() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        // A hash of the writer's choosing is refused (migration 0009: a supplied hash must be the
        // computed one, as a restore supplies it); without one the trigger computes it.
        let refused = await #expect(throws: PostgresError.self) {
            try await connection.query(
                """
                INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, hash)
                VALUES (consult_log_epoch(), 'stakeholder-kim', 1, 'StakeholderRegistered', \(UUID()),
                        '{"stakeholderId":"kim","name":"김","kind":"person"}', decode(repeat('00', 32), 'hex'))
                """)
        }
        #expect(refused?.sqlState == "CH001")
        try await connection.query(
            """
            INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data)
            VALUES (consult_log_epoch(), 'stakeholder-kim', 1, 'StakeholderRegistered', \(UUID()),
                    '{"stakeholderId":"kim","name":"김","kind":"person"}')
            """)
        let stored: String = try await connection.query("SELECT encode(hash, 'hex') FROM events")[0].decode(column: 0)
        #expect(stored != String(repeating: "0", count: 64))
        let head: String = try await connection.query(
            "SELECT encode(hash, 'hex') FROM event_stream_heads WHERE stream_id = 'stakeholder-kim'")[0].decode(
                column: 0)
        #expect(head == stored)
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 1, "\(report.problems)")

        // Heads only move forward.
        await #expect(throws: PostgresError.self) {
            try await connection.query("UPDATE event_stream_heads SET version = 0")
        }
        await #expect(throws: PostgresError.self) { try await connection.query("DELETE FROM event_stream_heads") }

        try await connection.execute(unsafeScript: "ALTER TABLE events DISABLE TRIGGER events_chain")
        let verified = try await ConsultProcess.run(["verify"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(verified.status == 1)
        #expect(
            verified.stderr.contains("The trigger events_chain on events, which guards the log, is not enabled ALWAYS"))
        await connection.close()
    }
}

/// The chains are recomputed in Swift: its SHA-256 must agree with PostgreSQL's.
@Suite("SHA-256")
struct SHA256Tests {
    @Test("known digests, and PostgreSQL's sha256 for every length across the padding boundaries")
    func digests() async throws {
        #expect(
            HashChainsTestHex.hex(SHA256.hash([UInt8]()))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            HashChainsTestHex.hex(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var million = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { million.update(chunk) }
        #expect(
            HashChainsTestHex.hex(million.finalize())
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")

        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        var generator = SystemRandomNumberGenerator()
        var inputs: [[UInt8]] = []
        for length in 0..<300 { inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        let expected = try await connection.query(
            "SELECT encode(sha256(decode(h, 'hex')), 'hex') FROM unnest(\(inputs.map(HashChainsTestHex.hex))::text[]) WITH ORDINALITY AS i(h, n) ORDER BY n"
        )
        for (index, input) in inputs.enumerated() {
            // Fed in uneven pieces too, to exercise the buffering.
            var pieces = SHA256()
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + 1 + offset % 70)
                pieces.update(input[offset..<end])
                offset = end
            }
            let whole = HashChainsTestHex.hex(SHA256.hash(input))
            #expect(whole == (try expected[index].decode(String.self, column: 0)), "length \(index)")
            #expect(HashChainsTestHex.hex(pieces.finalize()) == whole)
        }
        await connection.close()
    }
}

enum HashChainsTestHex {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
