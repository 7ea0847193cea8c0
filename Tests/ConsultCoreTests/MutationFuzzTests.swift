import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// Seeded random mutations of a valid batch, through the real parser, rules and store, as
/// `consult log --file` runs them: a refused batch writes nothing, an accepted one is written
/// whole. (tools/fuzz covers the parser and rules alone, guided by coverage, much faster.)
@Suite("Mutated batches against a real store")
struct MutationFuzzTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ConsultCLITests/Fixtures/views-batch1.jsonl")
    static let iterations = 2000

    @Test("2,000 mutated batches: each is written whole or not at all")
    func mutatedBatches() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let base = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").map {
            try JSONValue.parse(Array($0.utf8))
        }
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let connection = try await database.connect()
        func count() async throws -> Int {
            try await connection.query("SELECT count(*) FROM events")[0].decode(column: 0)
        }
        var accepted = 0
        var refusedByParser = 0
        var refusedByRules = 0
        for iteration in 0..<Self.iterations {
            // Fresh record and event ids for this round, so rounds do not see each other's records.
            var uuids: [String: String] = [:]
            var lines = base.map { Self.renamed($0, round: iteration, uuids: &uuids, random: &random).serialized() }
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                Self.mutate(&lines, using: &random)
            }
            let input = lines.joined(separator: "\n")
            let before = try await count()
            var reader = JSONLinesReader(bytes: Array(input.utf8))
            let parsed: EventFileParser.Parsed
            do {
                parsed = try EventFileParser.parse(&reader, sourceName: "round \(iteration)")
            } catch let failure as ConsultFailure {
                #expect(failure.exitCode == 65, "round \(iteration), seed \(seed): \(failure)")
                refusedByParser += 1
                #expect(try await count() == before)
                continue
            }
            do {
                let outcomes = try await store.append(
                    parsed.events,
                    check: { lookup in try BatchChecker.check(parsed, sourceName: "round", lookup: lookup) })
                let appended = outcomes.filter { if case .appended = $0 { true } else { false } }.count
                #expect(appended == Set(parsed.events.map(\.id)).count, "round \(iteration), seed \(seed)")
                #expect(try await count() == before + appended, "round \(iteration), seed \(seed)")
                accepted += 1
            } catch let failure as ConsultFailure {
                #expect(failure.exitCode == 65, "round \(iteration), seed \(seed): \(failure)")
                refusedByRules += 1
                #expect(try await count() == before, "round \(iteration) wrote a refused batch (seed \(seed))")
            } catch let error as EventStoreError {
                #expect(ConsultFailure.from(error).exitCode == 65, "round \(iteration), seed \(seed): \(error)")
                refusedByRules += 1
                #expect(try await count() == before, "round \(iteration) wrote a refused batch (seed \(seed))")
            }
        }
        print(
            "mutation fuzz (seed \(seed)): \(Self.iterations) batches, \(accepted) accepted, "
                + "\(refusedByParser) refused by the parser, \(refusedByRules) by the rules or the store")
        #expect(accepted > 0 && refusedByParser + refusedByRules > 0)
        let verify = try await ConsultProcess.run(["verify"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(verify.status == 0, "\(verify.stderr)")
        await connection.close()
    }

    /// `value` with every record id suffixed by the round and every event id replaced (the same
    /// way throughout the round).
    static func renamed(
        _ value: JSONValue, round: Int, uuids: inout [String: String], random: inout SplitMix64
    ) -> JSONValue {
        func uuid(_ text: String) -> String {
            if let known = uuids[text] { return known }
            let (high, low) = (random.next(), random.next())
            let bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (8 * UInt64($0 % 8))) }
            let fresh = UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                )
            ).uuidString.lowercased()
            uuids[text] = fresh
            return fresh
        }
        func record(_ value: JSONValue) -> JSONValue {
            if case .string(let id) = value, Slug.isValid(id) { return .string("\(id)-r\(round)") }
            return value
        }
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object {
                if key == "id" || key == "correctsEventId" || key == "retractsEventId", case .string(let text) = member
                {
                    out[key] = .string(uuid(text))
                } else if key.hasSuffix("Id") {
                    out[key] = record(member)
                } else if key.hasSuffix("Ids"), case .array(let items) = member {
                    out[key] = .array(items.map(record))
                } else {
                    out[key] = renamed(member, round: round, uuids: &uuids, random: &random)
                }
            }
            return .object(out)
        case .array(let items):
            return .array(items.map { renamed($0, round: round, uuids: &uuids, random: &random) })
        default:
            return value
        }
    }

    /// One random change: a line dropped, doubled, moved or cut; a byte changed; a value replaced.
    static func mutate(_ lines: inout [String], using random: inout SplitMix64) {
        guard !lines.isEmpty else { return }
        let index = Int.random(in: 0..<lines.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            lines.remove(at: index)
        case 1:
            lines.insert(lines[index], at: Int.random(in: 0...lines.count, using: &random))
        case 2:
            lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
        case 3:
            var bytes = Array(lines[index].utf8)
            if !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            lines[index] = String(decoding: bytes, as: UTF8.self)
        case 4:
            lines[index] = String(lines[index].prefix(Int.random(in: 0...lines[index].count, using: &random)))
        default:
            // A string value replaced by something odd.
            let odd = [
                "", " ", "\u{0}", "\\", "2023-02-30", "9999-12-31", "-1", String(repeating: "가", count: 5000),
                "🙂", "\u{202E}", "msit", "00000000-0000-4000-8000-000000000001",
            ]
            guard case .object(var object)? = try? JSONValue.parse(Array(lines[index].utf8)) else { return }
            let replacement = JSONValue.string(odd[Int.random(in: 0..<odd.count, using: &random)])
            if case .object(var data)? = object["data"], let key = data.keys.randomElement(using: &random) {
                data[key] = replacement
                object["data"] = .object(data)
            } else if let key = object.keys.randomElement(using: &random) {
                object[key] = replacement
            }
            lines[index] = JSONValue.object(object).serialized()
        }
    }
}
