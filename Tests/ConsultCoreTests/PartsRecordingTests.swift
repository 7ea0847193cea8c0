import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// A file longer than a part is written in parts in one transaction (`EventRecorder.record` with a
/// reader): the same events stored, and the same report of what is wrong, as when it is held whole.
@Suite("Recording a file in parts")
struct PartsRecordingTests {
    /// What recording a file came to: its summary and the events it stored, or its failure.
    enum Result: Equatable, CustomStringConvertible {
        case recorded(events: Int, appended: Int, duplicates: Int, duplicateLines: [Int], stored: [String])
        case refused(ConsultFailure.Kind, String)

        var description: String {
            switch self {
            case .recorded(let events, let appended, let duplicates, let lines, let stored):
                "recorded \(appended) of \(events), \(duplicates) duplicates \(lines): \(stored.count) stored"
            case .refused(let kind, let text): "refused (\(kind)): \(text)"
            }
        }

        var isRefusal: Bool { if case .refused = self { true } else { false } }
    }

    static func record(
        _ text: String, in log: any EventLog, partEvents: Int, dryRun: Bool = false
    ) async throws -> Result {
        let reader = EventFileReader(JSONLinesReader(text: text), sourceName: "f.jsonl")
        do {
            let summary = try await EventRecorder.record(
                reader, sourceName: "f.jsonl", store: log, dryRun: dryRun, partEvents: partEvents)
            // The events of the file's own ids, as stored.
            var ids: [UUID] = []
            for line in text.split(separator: "\n") {
                if case .object(let object)? = try? JSONValue.parse(Array(line.utf8)),
                    let id = object["id"]?.stringValue.flatMap(UUID.init(uuidString:))
                {
                    ids.append(id)
                }
            }
            let stored = try await log.events(ids: ids).map {
                "\($0.streamID) v\($0.streamVersion) \($0.type) s\($0.schemaVersion) \($0.id) \($0.data) \($0.metadata)"
            }
            return .recorded(
                events: summary.events, appended: summary.appended, duplicates: summary.duplicates,
                duplicateLines: summary.duplicateLines, stored: stored)
        } catch let failure as ConsultFailure {
            return .refused(failure.kind, failure.description)
        }
    }

    static let sample = SampleDataset.jsonl.split(separator: "\n").map { try! JSONValue.parse(Array($0.utf8)) }

    /// Seeded mutations of the sample dataset (lines dropped, doubled, moved, cut, bytes and values
    /// changed), each recorded whole into one log and in parts of 1 to 6 events into another.
    @Test(
        "mutated files: in parts, the same events stored and the same problems reported", arguments: StoreKind.allCases)
    func sameAsWhole(_ kind: StoreKind) async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let whole = try await kind.makeLog()
        let parts = try await kind.makeLog()
        let rounds = kind == .postgres ? 12 : 120
        var refused = 0
        var storeRefusals = 0
        for round in 0..<rounds {
            var uuids: [String: String] = [:]
            var lines = Self.sample.map {
                MutationFuzzTests.renamed($0, round: round, uuids: &uuids, random: &random).serialized()
            }
            // One round in ten is the file as it is, which must be recorded.
            if round % 10 != 0 {
                for _ in 0..<Int.random(in: 1...3, using: &random) { MutationFuzzTests.mutate(&lines, using: &random) }
            }
            let text = lines.joined(separator: "\n")
            let partEvents = Int.random(in: 1...6, using: &random)
            let expected = try await Self.record(text, in: whole, partEvents: .max)
            let found = try await Self.record(text, in: parts, partEvents: partEvents)
            if round % 10 == 0 { #expect(!expected.isRefusal, "round \(round): \(expected)") }
            if expected.isRefusal { refused += 1 }
            if case .refused(let wholeKind, let wholeText) = expected, case .refused(let kind, let text) = found,
                wholeText != text
            {
                // A store's refusal (an id reused with other content, a stale version) comes when a
                // part is written: before later parts' rules are checked, where a batch held whole
                // has every rule checked first. Either way the file is refused and nothing written.
                #expect(
                    text.hasPrefix("Line ") || wholeText.hasPrefix("Line "),
                    "round \(round), parts of \(partEvents), seed \(seed):\n\(expected)\n\(found)")
                #expect(kind == .invalidInput || kind == .conflict || wholeKind != kind)
                storeRefusals += 1
                continue
            }
            #expect(expected == found, "round \(round), parts of \(partEvents), seed \(seed):\n\(expected)\n\(found)")
        }
        print("parts vs whole (seed \(seed)): \(rounds) files, \(refused) refused, \(storeRefusals) by the store")
        #expect(refused > 0 && refused < rounds)
    }

    static func line(_ id: Int, _ type: String, _ data: String, extra: String = "") -> String {
        #"{"type":"\#(type)","id":"00000000-0000-4000-8000-\#(String(format: "%012d", id))"\#(extra),"data":{\#(data)}}"#
    }

    static let stakeholderA = line(
        1, "StakeholderRegistered", #""stakeholderId":"a","name":"A","kind":"person","sector":"other""#)
    /// Refused (an unknown kind), but its id is defined for the lines after it.
    static let refusedB = line(
        2, "StakeholderRegistered", #""stakeholderId":"b","name":"B","kind":"alien","sector":"other""#)
    static let changeA = line(3, "StakeholderChanged", #""stakeholderId":"a","on":"2024-01-01","title":"대표""#)
    static let correctA = line(
        4, "RecordCorrected",
        #""correctsEventId":"00000000-0000-4000-8000-000000000001","changes":{"name":"에이"},"reason":"spelling""#)
    static let changeB = line(5, "StakeholderChanged", #""stakeholderId":"b","on":"2024-01-02","title":"x""#)
    static let changeC = line(6, "StakeholderChanged", #""stakeholderId":"c","on":"2024-01-02","title":"x""#)
    static let retractChange = line(
        7, "RecordRetracted", #""retractsEventId":"00000000-0000-4000-8000-000000000003","reason":"wrong""#)

    @Test(
        "corrections and retractions of earlier parts' events are written in their streams",
        arguments: StoreKind.allCases)
    func acrossParts(_ kind: StoreKind) async throws {
        let text = [Self.stakeholderA, Self.changeA, Self.correctA, Self.retractChange].joined(separator: "\n")
        let log = try await kind.makeLog()
        let result = try await Self.record(text, in: log, partEvents: 1)
        guard case .recorded(4, 4, 0, [], let stored) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(stored.map { $0.prefix(while: { $0 != " " }) } == Array(repeating: "stakeholder-a", count: 4))
        #expect(stored.map { $0.split(separator: " ")[1] } == ["v1", "v2", "v3", "v4"])
        #expect(
            try await Self.record(text, in: log, partEvents: 2)
                == .recorded(
                    events: 4, appended: 0, duplicates: 4, duplicateLines: [1, 2, 3, 4], stored: stored))
    }

    @Test("a refused registration is named once; later parts may name its id; every other violation is named")
    func violationsAcrossParts() async throws {
        let text = [Self.stakeholderA, Self.refusedB, Self.changeA, Self.changeB, Self.changeC].joined(separator: "\n")
        for kind in StoreKind.allCases {
            let whole = try await Self.record(text, in: try await kind.makeLog(), partEvents: .max)
            let log = try await kind.makeLog()
            let parts = try await Self.record(text, in: log, partEvents: 2)
            #expect(parts == whole)
            guard case .refused(.invalidInput, let message) = parts else {
                Issue.record("\(parts)")
                continue
            }
            #expect(message.hasPrefix("f.jsonl has 2 invalid lines; nothing was written."), "\(message)")
            #expect(message.contains("line 2: data.kind"))
            #expect(message.contains(#"line 5: data.stakeholderId stakeholder "c" is not recorded"#))
            #expect(!message.contains("line 4"))
            #expect(try await log.readAll(after: .start, limit: 10).isEmpty)
        }
    }

    @Test("a line that is not an event in a later part: only such lines are reported, and nothing is written")
    func parseProblemLate() async throws {
        let text = [Self.stakeholderA, Self.changeC, Self.changeA, "{not json", Self.changeA].joined(separator: "\n")
        let log = try await StoreKind.postgres.makeLog()
        let parts = try await Self.record(text, in: log, partEvents: 1)
        #expect(parts == (try await Self.record(text, in: InMemoryEventLog.ticking(), partEvents: .max)))
        guard case .refused(.invalidInput, let message) = parts else {
            Issue.record("\(parts)")
            return
        }
        #expect(message.hasPrefix("f.jsonl has 1 invalid line; nothing was written.\nline 4: not valid JSON"))
        #expect(try await log.readAll(after: .start, limit: 10).isEmpty)
    }

    @Test("a dry run in parts checks every part and writes nothing")
    func dryRun() async throws {
        let text = [Self.stakeholderA, Self.changeA, Self.correctA, Self.retractChange].joined(separator: "\n")
        let log = try await StoreKind.postgres.makeLog()
        let result = try await Self.record(text, in: log, partEvents: 1, dryRun: true)
        #expect(result == .recorded(events: 4, appended: 4, duplicates: 0, duplicateLines: [], stored: []))
        #expect(try await log.readAll(after: .start, limit: 10).isEmpty)
        // Still all or nothing: the same file with a violation in its last part.
        let refused = try await Self.record(text + "\n" + Self.changeC, in: log, partEvents: 1, dryRun: true)
        #expect(refused.isRefusal)
    }

    @Test("a stale expected version in a later part is a conflict naming its line")
    func conflictLate() async throws {
        let stale = Self.line(
            8, "StakeholderChanged", #""stakeholderId":"a","on":"2024-02-01","title":"y""#,
            extra: #","expectedVersion":1"#)
        let text = [Self.stakeholderA, Self.changeA, stale].joined(separator: "\n")
        let log = try await StoreKind.postgres.makeLog()
        let result = try await Self.record(text, in: log, partEvents: 1)
        guard case .refused(.conflict, let message) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(message.hasPrefix("Line 3: Stream stakeholder-a is at version 2"), "\(message)")
        #expect(message.contains("Since version 1, stakeholder-a got: v2 StakeholderChanged"), "\(message)")
        #expect(try await log.readAll(after: .start, limit: 10).isEmpty)
    }

    @Test("an export's line after a first part that is not one is refused")
    func exportLineLate() async throws {
        let exported =
            String(Self.changeA.dropLast())
            + #","recorded":{"stream":"stakeholder-a","version":2,"schemaVersion":1,"#
            + #""recordedAt":"2023-11-14T22:13:20.000000Z","hash":"\#(String(repeating: "0", count: 64))"}}"#
        let text = [Self.stakeholderA, exported].joined(separator: "\n")
        let log = try await StoreKind.postgres.makeLog()
        let result = try await Self.record(text, in: log, partEvents: 1)
        guard case .refused(.invalidInput, let message) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(message.hasPrefix("Line 2 of f.jsonl belongs to an export"), "\(message)")
        #expect(try await log.readAll(after: .start, limit: 10).isEmpty)
    }
}
