import ConsultCore
import ConsultDomain
import Foundation
import Postgres
import TestSupport
import Testing

/// `JSONValue.jsonbText()` is what PostgreSQL prints for the value as jsonb: the writer's hashes
/// depend on it, and the database refuses a batch whose hashes were computed over another text.
@Suite("The text jsonb prints")
struct JSONBTextTests {
    /// Random values: objects with keys of many lengths and scripts, strings with every kind of
    /// character jsonb escapes or keeps, numbers as people write them.
    static func value(_ random: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let pieces = [
            "", "a", "ab", "가", "가나", "🙂", "\"", "\\", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}",
            "\u{202E}", "/", "é", "e\u{301}", "Z", "zz", "key", "Key", " ", "\r\n", "\u{8}", "\u{C}",
        ]
        func text() -> String {
            (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        let numbers = [
            "0", "1", "-1", "42", "1.5", "1.50", "-0.25", "0.0", "123456789012345678901234567890", "3.14159",
        ]
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(numbers.randomElement(using: &random)!)
        case 3, 4: return .string(text())
        case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(&random, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &random) { object[text()] = value(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test("2,000 random values and the sample dataset's data and metadata print as PostgreSQL prints them")
    func sameAsPostgreSQL() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        var values = (0..<2000).map { _ in Self.value(&random) }
        for line in SampleDataset.jsonl.split(separator: "\n") {
            let object = try JSONValue.parse(Array(line.utf8)).objectValue ?? JSONObject()
            values += [object["data"] ?? .null, object["metadata"] ?? .null]
        }
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let texts = values.map { $0.serialized() }
        let rows = try await connection.query(
            "SELECT v::jsonb::text FROM unnest(\(texts)::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i")
        #expect(rows.count == values.count)
        for (value, row) in zip(values, rows) {
            let printed: String = try row.decode(column: 0)
            #expect(value.jsonbText() == printed, "seed \(seed): \(value.serialized())")
        }
        await connection.close()
    }

    @Test("numbers numeric prints otherwise than written are not claimed")
    func unsureNumbers() {
        for lexeme in ["1e3", "1E-2", "-0", "-0.0", "2.5e+1"] {
            var object = JSONObject()
            object["n"] = .number(lexeme)
            #expect(JSONValue.object(object).jsonbText() == nil, "\(lexeme)")
        }
        var object = JSONObject()
        object["n"] = .number("-0.5")
        object["bb"] = .array([])
        object["c"] = .object(JSONObject())
        #expect(JSONValue.object(object).jsonbText() == #"{"c": {}, "n": -0.5, "bb": []}"#)
    }
}
