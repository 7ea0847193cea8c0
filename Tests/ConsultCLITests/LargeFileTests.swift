import Foundation
import TestSupport
import Testing

/// `log --file` of a file longer than one part (`EventRecorder.partEvents`): written in parts in
/// one transaction, still all or nothing, and reported as one batch.
@Suite("log --file of a file longer than a part")
struct LargeFileTests {
    @Test("recorded whole, then again as duplicates; a violation on its last line writes nothing")
    func largeFile() async throws {
        let events = 12_000
        let file = try await LoadFile.generate(events, prefix: "large")
        defer { try? FileManager.default.removeItem(at: file) }
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        let connection = try await database.connect()
        func count() async throws -> Int {
            try await connection.query("SELECT count(*) FROM events")[0].decode(column: 0)
        }

        let logged = try await ConsultProcess.run(["log", "--file", file.path], environment: environment)
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout == "Recorded \(events) events (positions 1–\(events)).\n", "\(logged.stdout)")
        #expect(try await count() == events)

        let again = try await ConsultProcess.run(["log", "--file", file.path], environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        let lines = (1...20).map(String.init).joined(separator: ", ")
        #expect(
            again.stdout
                == "Recorded no new events.\n\(events) events were already recorded (same id), skipped: lines \(lines), ….\n",
            "\(again.stdout)")

        // The same file with its last line naming a stakeholder nobody registered, into an empty store.
        var text = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        text[text.count - 1] =
            #"{"type":"StakeholderChanged","data":{"stakeholderId":"nobody","on":"2024-01-01","title":"x"}}"#
        let broken = file.deletingLastPathComponent().appendingPathComponent("broken-\(UUID().uuidString).jsonl")
        try text.joined(separator: "\n").write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let empty = try await TestDatabase.create()
        let refused = try await ConsultProcess.run(
            ["log", "--file", broken.path], environment: ["CONSULT_DATABASE_URL": empty.url])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("has 1 invalid line; nothing was written."), "\(refused.stderr)")
        #expect(refused.stderr.contains(#"line \#(events): data.stakeholderId stakeholder "nobody" is not recorded"#))
        let emptyConnection = try await empty.connect()
        #expect(try await emptyConnection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0) == 0)
        await emptyConnection.close()
        await connection.close()
    }
}
