import ConsultDomain
import Foundation
import TestSupport
import Testing

/// `consult export` carries each event's hash; `consult log --file` of an export recomputes the
/// chains and refuses a changed file whole.
@Suite("Exports carry their hash chains, and logging one checks them")
struct ExportChainTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A store holding the view fixtures, and its export's lines.
    static func exported() async throws -> (TestDatabase, [String]) {
        let database = try await TestDatabase.create()
        for batch in 1...3 {
            let path = fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
            let logged = try await ConsultProcess.run(
                ["log", "--file", path], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        let export = try await ConsultProcess.run(["export"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(export.status == 0, "\(export.stderr)")
        return (database, export.stdout.split(separator: "\n").map(String.init))
    }

    static func log(_ lines: [String], into database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func object(_ line: String) throws -> JSONObject {
        try #require(try JSONValue.parse(Array(line.utf8)).objectValue)
    }

    @Test("an export logs into a fresh store and again into its own, its chains checked; key order does not matter")
    func roundTrip() async throws {
        let (original, lines) = try await Self.exported()
        // Event lines, then each stream's head and the end line.
        let events = lines.prefix { $0.contains(#""recorded":{"stream":"#) }
        #expect(lines.dropFirst(events.count).dropLast().allSatisfy { $0.hasPrefix(#"{"head":{"stream":"#) })
        #expect(lines.last?.hasPrefix(#"{"end":{"events":\#(events.count),"streams":"#) == true)
        let fresh = try await TestDatabase.create()
        let logged = try await Self.log(lines, into: fresh)
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout.contains("The export's hash chains check out: \(events.count) events"))
        #expect(try await ConsultProcess.run(["verify"], environment: ["CONSULT_DATABASE_URL": fresh.url]).status == 0)
        let again = try await Self.log(lines, into: original)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Recorded no new events"))

        // The same values with the keys of data in another order, and other spacing: the chains
        // are over the values, not the text.
        var reordered = lines
        var first = try Self.object(lines[0])
        let data = try #require(first["data"]?.objectValue)
        first["data"] = .object(JSONObject(data.members.reversed()))
        reordered[0] = JSONValue.object(first).serialized().replacingOccurrences(of: ",", with: ", ")
        let other = try await TestDatabase.create()
        let relogged = try await Self.log(reordered, into: other)
        #expect(relogged.status == 0, "\(relogged.stderr)")
    }

    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        var change: @Sendable ([String]) throws -> [String]
        var expected: String
        var testDescription: String { name }
    }

    /// The event lines' streams (nil for a closing line).
    static func streams(_ lines: [String]) throws -> [String?] {
        try lines.map { try object($0)["recorded"]?.objectValue?["stream"]?.stringValue }
    }

    /// The index of the line holding version `version` of the longest stream (its last line when
    /// nil); throws when the stream has no such version.
    static func line(ofVersion version: Int? = nil, in lines: [String]) throws -> Int {
        let streams = try streams(lines)
        let counts = Dictionary(grouping: streams.compactMap { $0 }, by: { $0 })
        let longest = try #require(counts.max { $0.value.count < $1.value.count }).key
        let indices = streams.indices.filter { streams[$0] == longest }
        let wanted = (version ?? indices.count) - 1
        guard indices.indices.contains(wanted) else { throw CocoaError(.featureUnsupported) }
        return indices[wanted]
    }

    static let tamperings: [Tampering] = [
        Tampering(
            name: "a value in data changed",
            change: { lines in
                var lines = lines
                let index = try line(ofVersion: 2, in: lines)
                var object = try object(lines[index])
                var data = try #require(object["data"]?.objectValue)
                data["note"] = .string("바뀐 내용")
                object["data"] = .object(data)
                lines[index] = JSONValue.object(object).serialized()
                return lines
            }, expected: "does not match its hash"),
        Tampering(
            name: "a recording time changed",
            change: { lines in
                var lines = lines
                let index = try line(ofVersion: 1, in: lines)
                lines[index] = lines[index].replacingOccurrences(of: #""recordedAt":"20"#, with: #""recordedAt":"19"#)
                return lines
            }, expected: "does not match its hash"),
        Tampering(
            name: "a line in the middle of a stream removed",
            change: { lines in
                var lines = lines
                lines.remove(at: try line(ofVersion: 2, in: lines))
                return lines
            }, expected: "lines were removed or moved"),
        Tampering(
            name: "two lines of a stream swapped",
            change: { lines in
                var lines = lines
                lines.swapAt(try line(ofVersion: 1, in: lines), try line(ofVersion: 2, in: lines))
                return lines
            }, expected: "lines were removed or moved"),
        Tampering(
            name: "a hash replaced",
            change: { lines in
                var lines = lines
                let index = try line(ofVersion: 1, in: lines)
                var object = try object(lines[index])
                var recorded = try #require(object["recorded"]?.objectValue)
                recorded["hash"] = .string(String(repeating: "ab", count: 32))
                object["recorded"] = .object(recorded)
                lines[index] = JSONValue.object(object).serialized()
                return lines
            }, expected: "does not match its hash"),
        Tampering(
            name: "the last line of a stream removed",
            change: { lines in
                var lines = lines
                var last = try line(ofVersion: 1, in: lines)
                // The longest stream's last line: the highest version that has a line.
                var version = 1
                while let index = try? line(ofVersion: version + 1, in: lines) {
                    last = index
                    version += 1
                }
                lines.remove(at: last)
                return lines
            }, expected: "the stream's last line was removed"),
        Tampering(
            name: "the end line removed", change: { Array($0.dropLast()) }, expected: "the file was cut"),
        Tampering(
            name: "the hash taken off one line",
            change: { lines in
                var lines = lines
                let index = try line(ofVersion: 2, in: lines)
                var object = try object(lines[index])
                object["recorded"] = nil
                lines[index] = JSONValue.object(object).serialized()
                return lines
            }, expected: "has no \"recorded\" hash"),
    ]

    @Test("a changed export is refused whole, naming the line", arguments: tamperings)
    func tampered(_ tampering: Tampering) async throws {
        let (_, lines) = try await Self.exported()
        let changed = try tampering.change(lines)
        let fresh = try await TestDatabase.create()
        let logged = try await Self.log(changed, into: fresh)
        #expect(logged.status == 65, "\(logged.stdout)")
        #expect(logged.stderr.contains(tampering.expected), "\(logged.stderr)")
        #expect(logged.stderr.contains("nothing was written"), "\(logged.stderr)")
        let connection = try await fresh.connect()
        #expect(try await connection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0) == 0)
        await connection.close()
    }
}
