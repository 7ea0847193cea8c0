import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// Recording a batch (`EventRecorder`): parse, rules, append, all or nothing; the same on every
/// store.
@Suite("Recording batches")
struct RecordingTests {
    static func parse(_ text: String, sourceName: String = "batch.jsonl") throws -> EventFileParser.Parsed {
        var reader = JSONLinesReader(text: text)
        return try EventFileParser.parse(&reader, sourceName: sourceName)
    }

    /// Events stored. (Not a tailing read: another test's open transaction in the shared cluster
    /// may hold that back for a while.)
    static func count(_ log: any EventLog) async throws -> Int {
        if let store = log as? PostgresEventStore { return Int(try await store.status().eventCount) }
        return try await log.readAll(after: .start, limit: 100_000).count
    }

    @Test("the sample dataset records whole, and recording it again writes nothing", arguments: StoreKind.allCases)
    func sampleDataset(_ kind: StoreKind) async throws {
        let log = try await kind.makeLog()
        let parsed = try Self.parse(SampleDataset.jsonl, sourceName: "The sample dataset")
        let outcomes = try #require(try await EventRecorder.record(parsed, sourceName: "sample", store: log))
        #expect(outcomes.count == parsed.events.count)
        #expect(outcomes.allSatisfy { if case .appended = $0 { true } else { false } })
        let again = try #require(try await EventRecorder.record(parsed, sourceName: "sample", store: log))
        #expect(again.allSatisfy { if case .duplicate = $0 { true } else { false } })
        #expect(try await Self.count(log) == parsed.events.count)
    }

    static let stakeholder =
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A","kind":"person","sector":"other"}}"#
    static let unknownSpeaker =
        #"{"type":"StatementRecorded","data":{"consultationId":"nowhere","statementId":"s1","speakerId":"b","#
        + #""summary":"요약","topics":[]}}"#

    @Test("a batch that breaks a rule is refused whole, naming the line and field", arguments: StoreKind.allCases)
    func refusedWhole(_ kind: StoreKind) async throws {
        let log = try await kind.makeLog()
        let parsed = try Self.parse(Self.stakeholder + "\n" + Self.unknownSpeaker + "\n")
        let failure = await #expect(throws: ConsultFailure.self) {
            try await EventRecorder.record(parsed, sourceName: "batch.jsonl", store: log)
        }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message == "batch.jsonl has 1 invalid line; nothing was written.")
        #expect(failure?.details.contains { $0.hasPrefix("line 2: data.") } == true)
        #expect(try await Self.count(log) == 0)
    }

    @Test("a dry run checks everything and writes nothing", arguments: StoreKind.allCases)
    func dryRun(_ kind: StoreKind) async throws {
        let log = try await kind.makeLog()
        let parsed = try Self.parse(Self.stakeholder)
        #expect(try await EventRecorder.record(parsed, sourceName: "batch", store: log, dryRun: true) == nil)
        #expect(try await Self.count(log) == 0)
    }

    @Test("a stale expected version is a conflict that says what changed since", arguments: StoreKind.allCases)
    func conflict(_ kind: StoreKind) async throws {
        let log = try await kind.makeLog()
        _ = try await EventRecorder.record(try Self.parse(Self.stakeholder), sourceName: "batch", store: log)
        let change =
            #"{"type":"StakeholderChanged","expectedVersion":0,"data":{"stakeholderId":"a","on":"2024-01-01","title":"대표"}}"#
        let failure = await #expect(throws: ConsultFailure.self) {
            try await EventRecorder.record(try Self.parse(change), sourceName: "batch", store: log)
        }
        #expect(failure?.kind == .conflict)
        #expect(failure?.message.hasPrefix("Line 1: ") == true)
        // Repeating it cannot succeed: the message says where the stream is and what it got.
        #expect(
            failure?.message.contains("log again with --expected-version 1") == true, "\(String(describing: failure))")
        #expect(
            failure?.details.first?.hasPrefix("Since version 0, stakeholder-a got: v1 StakeholderRegistered") == true)
        #expect(try await Self.count(log) == 1)
    }

    @Test("an export's hash chains are recomputed, and a changed line refuses the whole file")
    func exportChains() async throws {
        // Two events of one stream, exported with the chain an in-memory log computes (over the
        // canonical text the parser produces).
        let lines = [
            Self.stakeholder,
            #"{"type":"StakeholderChanged","data":{"stakeholderId":"a","on":"2024-01-01","title":"대표"}}"#,
        ]
        var exported: [String] = []
        var previous = HashChains.origin
        for (index, line) in lines.enumerated() {
            let event = try Self.parse(line).events[0]
            let micros: Int64 = 1_700_000_000_000_000 + Int64(index)
            let hash = HashChains.hash(
                previous: previous,
                texts: [
                    event.id.uuidString.lowercased(), "stakeholder-a", String(index + 1), event.type, "1",
                    String(micros), event.data, event.metadata,
                ])
            previous = hash
            let recordedAt = "2023-11-14T22:13:20.00000\(index)Z"
            let hex = hash.map { String(format: "%02x", $0) }.joined()
            exported.append(
                String(line.dropLast()) + #","id":"\#(event.id.uuidString.lowercased())","recorded":{"stream":"#
                    + #""stakeholder-a","version":\#(index + 1),"schemaVersion":1,"recordedAt":"\#(recordedAt)","#
                    + #""hash":"\#(hex)"}}"#)
        }
        let log = InMemoryEventLog.ticking()
        let parsed = try Self.parse(exported.joined(separator: "\n"), sourceName: "export.jsonl")
        #expect(parsed.isExport)
        let outcomes = try #require(try await EventRecorder.record(parsed, sourceName: "export.jsonl", store: log))
        #expect(outcomes.count == 2)

        let changed = exported[1].replacingOccurrences(of: "대표", with: "이사")
        let tampered = try Self.parse(exported[0] + "\n" + changed, sourceName: "export.jsonl")
        let failure = await #expect(throws: ConsultFailure.self) {
            try await EventRecorder.record(tampered, sourceName: "export.jsonl", store: InMemoryEventLog.ticking())
        }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("Line 2 of export.jsonl") == true)
        #expect(failure?.message.contains("does not match its hash") == true)
    }
}
