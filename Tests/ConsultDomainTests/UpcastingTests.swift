import Foundation
import Testing

@testable import ConsultDomain

/// The registry of upcasters (SPEC.md, "Schema versions"): each step table-tested, the versions it
/// implies, input in either shape, and corrections written against either.
@Suite("Upcasting: schema versions of event types")
struct UpcastingTests {
    static func object(_ text: String) -> JSONObject {
        (try? JSONValue.parse(text))?.objectValue ?? JSONObject()
    }

    @Test("ConsultationHeld is at version 2, every other type at version 1")
    func currentVersions() {
        for type in EventType.allCases {
            #expect(type.schemaVersion == (type == .consultationHeld ? 2 : 1), "\(type)")
        }
        #expect(Upcasting.currentVersions.contains("ConsultationHeld:2"))
    }

    @Test("one step per type and version, each reading an earlier version than the current")
    func registryIsWellFormed() {
        var seen = Set<String>()
        for step in Upcasting.registry {
            #expect(seen.insert("\(step.type.rawValue):\(step.from)").inserted, "two steps from one version")
            #expect(step.from >= 1 && step.from < step.type.schemaVersion)
            #expect(step.fields.contains { $0.name == step.marker }, "the old shape holds its marker")
            #expect(!EventSchema.fields(of: step.type).contains { $0.name == step.marker }, "the new one does not")
            #expect(EventSchema.fields(of: step.type).contains { $0.name == step.replacedBy })
        }
    }

    /// (version-1 data, the same as version 2).
    static let consultationSteps: [(String, String)] = [
        (
            #"{"consultationId":"c","kind":"forum","title":"T","date":"2023-03-08","organizerIds":[],"participants":[],"sources":[{"publisher":"P"}]}"#,
            #"{"consultationId":"c","kind":"forum","title":"T","startsOn":"2023-03-08","organizerIds":[],"participants":[],"sources":[{"publisher":"P"}]}"#
        ),
        (
            #"{"consultationId":"c","kind":"hearing","title":"T","date":"2024-02-29","venue":"국회","organizerIds":["a"],"participants":[{"stakeholderId":"a","role":"host"}],"sources":[{"publisher":"P"}]}"#,
            #"{"consultationId":"c","kind":"hearing","title":"T","startsOn":"2024-02-29","venue":"국회","organizerIds":["a"],"participants":[{"stakeholderId":"a","role":"host"}],"sources":[{"publisher":"P"}]}"#
        ),
        // Data that is already in the current shape passes unchanged.
        (
            #"{"consultationId":"c","startsOn":"2023-03-08","endsOn":"2023-04-17"}"#,
            #"{"consultationId":"c","startsOn":"2023-03-08","endsOn":"2023-04-17"}"#
        ),
    ]

    @Test("ConsultationHeld 1 → 2: date becomes startsOn, no endsOn, everything else as it was", arguments: 0..<3)
    func consultationDays(row: Int) {
        let (old, new) = Self.consultationSteps[row]
        let upcast = Upcasting.upcast(Self.object(old), of: .consultationHeld, from: 1)
        #expect(upcast == Self.object(new))
        #expect(upcast["endsOn"] == nil || Self.object(old)["endsOn"] != nil)
        #expect(ShapeRules.check(upcast, of: .consultationHeld).isEmpty || row == 2)
    }

    @Test("current data and other types are never changed")
    func currentIsUnchanged() {
        let data = Self.object(#"{"consultationId":"c","startsOn":"2023-03-08","date":"kept"}"#)
        #expect(Upcasting.upcast(data, of: .consultationHeld, from: 2) == data)
        let statement = Self.object(#"{"consultationId":"c","date":"2023-03-08"}"#)
        #expect(Upcasting.upcast(statement, of: .statementRecorded, from: 1) == statement)
    }

    @Test("input in either shape: date is version 1, startsOn version 2, both at once a violation")
    func inputVersion() throws {
        #expect(
            try Upcasting.inputVersion(of: .consultationHeld, data: Self.object(#"{"date":"2023-03-08"}"#)).get() == 1)
        #expect(
            try Upcasting.inputVersion(of: .consultationHeld, data: Self.object(#"{"startsOn":"2023-03-08"}"#)).get()
                == 2)
        #expect(try Upcasting.inputVersion(of: .consultationHeld, data: JSONObject()).get() == 2)
        #expect(try Upcasting.inputVersion(of: .statementRecorded, data: Self.object(#"{"date":"x"}"#)).get() == 1)
        guard
            case .failure(let violation) = Upcasting.inputVersion(
                of: .consultationHeld, data: Self.object(#"{"date":"2023-03-08","startsOn":"2023-03-08"}"#))
        else {
            Issue.record("both shapes at once were accepted")
            return
        }
        #expect(violation.field == "data.date")
        #expect(violation.message.contains("data.startsOn are both given"))
    }

    @Test("a correction's changes are upcast as the target's fields: date → startsOn")
    func changes() {
        #expect(
            Upcasting.upcastChanges(Self.object(#"{"date":"2023-03-09","title":"T"}"#), of: .consultationHeld)
                == Self.object(#"{"startsOn":"2023-03-09","title":"T"}"#))
        let other = Self.object(#"{"date":"x"}"#)
        #expect(Upcasting.upcastChanges(other, of: .commitmentMade) == other)
    }

    @Test("a version-1 envelope is recognised, checked in its own shape and upcast for the rules")
    func envelope() throws {
        let line = try JSONValue.parse(
            #"{"type":"ConsultationHeld","data":\#(Self.consultationSteps[0].0)}"#)
        guard case .success(let envelope) = EventEnvelope.parse(line) else {
            Issue.record("a version-1 line was refused")
            return
        }
        #expect(envelope.schemaVersion == 1)
        #expect(envelope.currentData == Self.object(Self.consultationSteps[0].1))
        #expect(ShapeRules.check(envelope.data, of: .consultationHeld, version: 1).isEmpty)
        // In version 1's shape an endsOn is unknown; in version 2's a date is.
        var withEnd = envelope.data
        withEnd["endsOn"] = .string("2023-03-09")
        #expect(ShapeRules.check(withEnd, of: .consultationHeld, version: 1).map(\.field) == ["data.endsOn"])
        #expect(
            ShapeRules.check(Self.object(#"{"x":1}"#), of: .consultationHeld, version: 3).first?.message.contains(
                "does not know") == true)
    }

    @Test("an export line whose recorded schema version does not match its data's shape is refused")
    func recordedVersionMismatch() throws {
        let hash = String(repeating: "ab", count: 32)
        let line = try JSONValue.parse(
            #"{"type":"ConsultationHeld","id":"8a1f0c52-0d3e-4c1a-9b6e-3f1d2a7c0001","data":\#(Self.consultationSteps[0].0),"recorded":{"stream":"consultation-c","version":1,"schemaVersion":2,"recordedAt":"2026-12-02T00:52:37.583472Z","hash":"\#(hash)"}}"#
        )
        guard case .failure(let violations) = EventEnvelope.parse(line) else {
            Issue.record("a mismatched schema version was accepted")
            return
        }
        #expect(violations.items.map(\.field) == ["recorded.schemaVersion"])
    }
}
