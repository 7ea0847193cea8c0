import ConsultDomain
import Foundation
import TestSupport
import Testing

/// `consult restore`: an export loaded into an empty store exactly, or refused whole.
@Suite("consult restore loads a whole export exactly, or nothing")
struct RestoreCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sample = root.appendingPathComponent("examples/sample-dataset.jsonl").path
    static let oldExport = root.appendingPathComponent("Tests/ConsultCLITests/Fixtures/schema-v1/export.jsonl").path

    static func consult(_ arguments: [String], _ database: TestDatabase, stdin: Data? = nil) async throws
        -> ConsultProcess.Outcome
    {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url], stdin: stdin)
    }

    static func restore(_ lines: [String], into database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await consult(["restore", "-"], database, stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func eventCount(_ database: TestDatabase) async throws -> Int {
        let connection = try await database.connect()
        defer { Task { await connection.close() } }
        return try await connection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0)
    }

    /// A store holding the sample dataset, and its export.
    static func sampleStore() async throws -> (TestDatabase, String) {
        let database = try await TestDatabase.create()
        let logged = try await consult(["log", "--file", sample], database)
        #expect(logged.status == 0, "\(logged.stderr)")
        let export = try await consult(["export"], database)
        #expect(export.status == 0, "\(export.stderr)")
        return (database, export.stdout)
    }

    @Test("the sample dataset's export restores byte for byte, with its views built and verified")
    func sampleRoundTrip() async throws {
        let (original, export) = try await Self.sampleStore()
        let lines = export.split(separator: "\n").map(String.init)
        #expect(lines.last?.hasPrefix(#"{"end":{"events":122,"streams":"#) == true, "\(lines.last ?? "")")
        let copy = try await TestDatabase.create()
        let restored = try await Self.restore(lines, into: copy)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("Restored 122 events in "), "\(restored.stdout)")
        #expect(try await Self.consult(["export"], copy).stdout == export)
        for read in [
            ["commitments", "--format", "json"], ["history", "seoul-ai-hub-genai-programs", "--format", "json"],
        ] {
            #expect(try await Self.consult(read, copy).stdout == (try await Self.consult(read, original)).stdout)
        }
        let verified = try await Self.consult(["verify"], copy)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// `tools/generate-dataset count`, written to a temporary file.
    static func generated(_ count: Int, prefix: String) async throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "consult-restore-\(prefix)-\(UUID().uuidString).jsonl")
        let generated = try await SpawnedProcess.run(
            "/usr/bin/env",
            ["python3", root.appendingPathComponent("tools/generate-dataset").path, String(count), "--prefix", prefix],
            output: file.path)
        guard generated.status == 0 else {
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [NSLocalizedDescriptionKey: "generate-dataset failed: \(generated.stderr)"])
        }
        return file
    }

    /// 10,000 events in the debug build of the tests, about 15 s here (100,000 and 1,000,000 were
    /// restored by hand, in release: BENCHMARKS.md); the same code path.
    static let generatedEvents = 10_000

    @Test("a generated log with corrections and retractions restores byte for byte, answering the past the same")
    func generatedRoundTrip() async throws {
        let file = try await Self.generated(Self.generatedEvents, prefix: "restore")
        defer { try? FileManager.default.removeItem(at: file) }
        let original = try await TestDatabase.create()
        let first = try await Self.consult(["log", "--file", file.path, "--quiet"], original)
        #expect(first.status == 0, "\(first.stderr)")

        // A second batch, recorded after T: retractions of progress reports and a correction.
        let between = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)).description
        try await Task.sleep(for: .milliseconds(20))
        let text = try String(contentsOf: file, encoding: .utf8)
        let progress = try text.split(separator: "\n").compactMap { line -> String? in
            let object = try #require(try JSONValue.parse(String(line)).objectValue)
            return object["type"]?.stringValue == "CommitmentProgressed" ? object["id"]?.stringValue : nil
        }
        #expect(progress.count > 100)
        let second = stride(from: 0, to: 100, by: 5).map { index in
            #"{"type":"RecordRetracted","data":{"retractsEventId":"\#(progress[index])","reason":"출처 확인 결과 사실이 아님"}}"#
        }
        let logged = try await Self.consult(
            ["log", "--file", "-"], original, stdin: Data((second.joined(separator: "\n") + "\n").utf8))
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(text.contains(#""type":"RecordCorrected""#))

        let export = try await Self.consult(["export", "--quiet"], original)
        #expect(export.status == 0, "\(export.stderr)")
        let copy = try await TestDatabase.create()
        let restored = try await Self.consult(
            ["restore", "-", "--quiet"], copy, stdin: Data(export.stdout.utf8))
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("Restored \(Self.generatedEvents + 20) events"), "\(restored.stdout)")
        let again = try await Self.consult(["export", "--quiet"], copy)
        #expect(again.stdout == export.stdout, "the restored store's export differs from the file")

        // What the tracker knew at T, before the retractions, is answered the same by the copy.
        let asOfT = ["commitments", "--recorded-as-of", between, "--format", "json"]
        let before = try await Self.consult(asOfT, original)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(try await Self.consult(asOfT, copy).stdout == before.stdout)
        let now = ["commitments", "--format", "json"]
        let current = try await Self.consult(now, original).stdout
        #expect(current != before.stdout, "the retractions change the answer after T")
        #expect(try await Self.consult(now, copy).stdout == current)
    }

    /// The tamperings and line helpers of `log --file`'s export tests.
    typealias Tampering = ExportChainTests.Tampering

    static let tamperings: [Tampering] = [
        Tampering(
            name: "a value changed",
            change: { lines in
                var lines = lines
                let index = try ExportChainTests.line(ofVersion: 2, in: lines)
                lines[index] = lines[index].replacingOccurrences(of: #""data":{""#, with: #""data":{"extra":1,""#)
                return lines
            }, expected: "does not match its hash"),
        Tampering(
            name: "a recording time changed",
            change: { lines in
                var lines = lines
                let index = try ExportChainTests.line(ofVersion: 1, in: lines)
                lines[index] = lines[index].replacingOccurrences(of: #""recordedAt":"20"#, with: #""recordedAt":"19"#)
                return lines
            }, expected: "does not match its hash"),
        Tampering(
            name: "a line removed in the middle of a stream",
            change: { lines in
                var lines = lines
                lines.remove(at: try ExportChainTests.line(ofVersion: 2, in: lines))
                return lines
            }, expected: "lines were removed or moved"),
        Tampering(
            name: "the last line of a stream removed",
            change: { lines in
                var lines = lines
                lines.remove(at: try ExportChainTests.line(in: lines))
                return lines
            }, expected: "last line was removed"),
        Tampering(
            name: "the last line of the file removed",
            change: { Array($0.dropLast()) }, expected: "the file was cut"),
        Tampering(
            name: "two event lines of different streams swapped",
            change: { lines in
                var lines = lines
                let streams = try ExportChainTests.streams(lines)
                let other = try #require(streams.indices.first { $0 > 0 && streams[$0] != streams[0] })
                lines.swapAt(0, other)
                return lines
            }, expected: "their digest differs"),
        Tampering(
            name: "two lines of one stream swapped",
            change: { lines in
                var lines = lines
                lines.swapAt(
                    try ExportChainTests.line(ofVersion: 1, in: lines),
                    try ExportChainTests.line(ofVersion: 2, in: lines))
                return lines
            }, expected: "lines were removed or moved"),
        Tampering(
            name: "a head changed",
            change: { lines in
                var lines = lines
                let index = try #require(lines.firstIndex { $0.hasPrefix(#"{"head":"#) })
                // One hex digit of its hash changed.
                var head = Array(lines[index])
                let digit = try #require(lines[index].range(of: #""hash":""#)).upperBound.utf16Offset(in: lines[index])
                head[digit] = head[digit] == "0" ? "1" : "0"
                lines[index] = String(head)
                return lines
            }, expected: "does not match the stream's last line"),
        Tampering(
            name: "the end line changed",
            change: { lines in
                var lines = lines
                lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(
                    of: #""streams":"#, with: #""streams":1"#)
                return lines
            }, expected: "(the end line) counts"),
    ]

    @Test("a tampered export is refused whole, naming the line, and the store stays empty", arguments: tamperings)
    func tampered(_ tampering: Tampering) async throws {
        let (_, export) = try await Self.sampleStore()
        let changed = try tampering.change(export.split(separator: "\n").map(String.init))
        let copy = try await TestDatabase.create()
        let restored = try await Self.restore(changed, into: copy)
        #expect(restored.status == 65, "\(restored.stdout)")
        #expect(restored.stderr.contains(tampering.expected), "\(restored.stderr)")
        #expect(restored.stderr.contains("nothing was written"), "\(restored.stderr)")
        #expect(try await Self.eventCount(copy) == 0)
    }

    @Test("a store that is not empty is refused, and keeps what it held")
    func notEmpty() async throws {
        let (original, export) = try await Self.sampleStore()
        let restored = try await Self.consult(["restore", "-"], original, stdin: Data(export.utf8))
        #expect(restored.status == 65)
        #expect(restored.stderr.contains("The store is not empty (it holds 122 events)"), "\(restored.stderr)")
        #expect(try await Self.eventCount(original) == 122)
    }

    @Test("an export made with --since is refused: it continues an earlier one")
    func sinceRefused() async throws {
        let (original, _) = try await Self.sampleStore()
        let partial = try await Self.consult(["export", "--since", "100"], original)
        let copy = try await TestDatabase.create()
        let restored = try await Self.consult(["restore", "-"], copy, stdin: Data(partial.stdout.utf8))
        #expect(restored.status == 65)
        #expect(restored.stderr.contains("made with consult export --since"), "\(restored.stderr)")
        #expect(try await Self.eventCount(copy) == 0)
    }

    @Test("an export written before heads existed: log --file takes it, restore says why it will not")
    func olderExport() async throws {
        let copy = try await TestDatabase.create()
        let restored = try await Self.consult(["restore", Self.oldExport], copy)
        #expect(restored.status == 65)
        #expect(
            restored.stderr.contains("is not a complete export written by this version of consult"),
            "\(restored.stderr)")
        #expect(restored.stderr.contains("consult log --file takes an older export"))
        #expect(try await Self.eventCount(copy) == 0)
        let logged = try await Self.consult(["log", "--file", Self.oldExport], copy)
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout.contains("The export's hash chains check out"), "\(logged.stdout)")
    }
}
