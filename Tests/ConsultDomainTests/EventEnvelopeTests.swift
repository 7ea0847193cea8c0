import ConsultDomain
import Foundation
import Testing

/// Parses `json` as JSON (which must succeed) and then as an envelope.
private func parseEnvelope(_ json: String) throws -> Result<EventEnvelope, Violations> {
    EventEnvelope.parse(try JSONValue.parse(json))
}

/// The envelope `json` describes; records an issue and throws when it has violations.
private func validEnvelope(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> EventEnvelope {
    switch try parseEnvelope(json) {
    case .success(let envelope):
        return envelope
    case .failure(let violations):
        Issue.record("expected a valid envelope, got \(violations.items)", sourceLocation: sourceLocation)
        throw violations
    }
}

/// The violations `json` has; records an issue and returns none when it is valid.
private func violations(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Violation] {
    switch try parseEnvelope(json) {
    case .success(let envelope):
        Issue.record("expected violations, got \(envelope)", sourceLocation: sourceLocation)
        return []
    case .failure(let violations):
        return violations.items
    }
}

/// One invalid input and the fields its violations must name, in order.
struct ViolationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    var fields: [String]
    /// A fragment every violation's message must contain, when given.
    var message: String?

    init(_ name: String, _ json: String, fields: [String], message: String? = nil) {
        self.name = name
        self.json = json
        self.fields = fields
        self.message = message
    }

    var testDescription: String { name }
}

private let target = "1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0001"
private let registered = #""type":"StakeholderRegistered""#

private let violationCases: [ViolationCase] = [
    ViolationCase("missing type", #"{"data":{"stakeholderId":"msit"}}"#, fields: ["type"], message: "is required"),
    ViolationCase(
        "type not a string", #"{"type":7,"data":{"stakeholderId":"msit"}}"#, fields: ["type"],
        message: "must be a string, not number"),
    ViolationCase(
        "type null", #"{"type":null,"data":{"stakeholderId":"msit"}}"#, fields: ["type"],
        message: "must be a string, not null"),
    ViolationCase(
        "unknown type", #"{"type":"StakeholderDeleted","data":{"stakeholderId":"msit"}}"#, fields: ["type"],
        message: "\"StakeholderDeleted\" is not a known event type"),
    ViolationCase(
        "type in the wrong case", #"{"type":"stakeholderRegistered","data":{"stakeholderId":"msit"}}"#,
        fields: ["type"], message: "is not a known event type"),
    ViolationCase("missing data", #"{\#(registered)}"#, fields: ["data"], message: "is required"),
    ViolationCase(
        "data an array", #"{\#(registered),"data":[]}"#, fields: ["data"], message: "must be an object, not array"),
    ViolationCase(
        "data a string", #"{\#(registered),"data":"msit"}"#, fields: ["data"],
        message: "must be an object, not string"),
    ViolationCase(
        "data null", #"{\#(registered),"data":null}"#, fields: ["data"], message: "must be an object, not null"),
    ViolationCase(
        "id not a UUID", #"{\#(registered),"id":"not-a-uuid","data":{"stakeholderId":"msit"}}"#, fields: ["id"],
        message: "\"not-a-uuid\" is not a UUID"),
    ViolationCase(
        "id a UUID with a character too many", #"{\#(registered),"id":"\#(target)0","data":{"stakeholderId":"msit"}}"#,
        fields: ["id"], message: "is not a UUID"),
    ViolationCase(
        "id not a string", #"{\#(registered),"id":42,"data":{"stakeholderId":"msit"}}"#, fields: ["id"],
        message: "must be a UUID string, not number"),
    ViolationCase(
        "expectedVersion negative", #"{\#(registered),"expectedVersion":-1,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "must be an integer ≥ 0, not -1"),
    ViolationCase(
        "expectedVersion fractional", #"{\#(registered),"expectedVersion":1.5,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 1.5"),
    ViolationCase(
        "expectedVersion with a zero fraction",
        #"{\#(registered),"expectedVersion":1.0,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 1.0"),
    ViolationCase(
        "expectedVersion with an exponent", #"{\#(registered),"expectedVersion":1e2,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 1e2"),
    ViolationCase(
        "expectedVersion a string", #"{\#(registered),"expectedVersion":"3","data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "must be an integer ≥ 0, not string"),
    ViolationCase(
        "expectedVersion null", #"{\#(registered),"expectedVersion":null,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not null"),
    ViolationCase(
        "expectedVersion too large",
        #"{\#(registered),"expectedVersion":3000000000,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 3000000000"),
    ViolationCase(
        "expectedVersion one above Int32.max",
        #"{\#(registered),"expectedVersion":2147483648,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 2147483648"),
    ViolationCase(
        "expectedVersion beyond Int64",
        #"{\#(registered),"expectedVersion":99999999999999999999,"data":{"stakeholderId":"msit"}}"#,
        fields: ["expectedVersion"], message: "not 99999999999999999999"),
    ViolationCase(
        "metadata a string", #"{\#(registered),"data":{"stakeholderId":"msit"},"metadata":"tests"}"#,
        fields: ["metadata"], message: "must be an object, not string"),
    ViolationCase(
        "metadata an array", #"{\#(registered),"data":{"stakeholderId":"msit"},"metadata":[]}"#,
        fields: ["metadata"], message: "must be an object, not array"),
    ViolationCase(
        "metadata null", #"{\#(registered),"data":{"stakeholderId":"msit"},"metadata":null}"#,
        fields: ["metadata"], message: "must be an object, not null"),
    ViolationCase(
        "unknown top-level key", #"{\#(registered),"data":{"stakeholderId":"msit"},"stream":"stakeholder-msit"}"#,
        fields: ["stream"],
        message: "is not a known field (expected type, id, expectedVersion, data, metadata, recorded)"),
    ViolationCase(
        "recorded with a short hash",
        #"{\#(registered),"id":"00000000-0000-4000-8000-000000000001","data":{"stakeholderId":"msit"},"#
            + #""recorded":{"stream":"s","version":1,"schemaVersion":1,"recordedAt":"2024-01-01T00:00:00Z","hash":"ab"}}"#,
        fields: ["recorded.hash"], message: "must be 64 hexadecimal digits"),
    ViolationCase(
        "recorded with a version 0",
        #"{\#(registered),"id":"00000000-0000-4000-8000-000000000001","data":{"stakeholderId":"msit"},"#
            + #""recorded":{"stream":"s","version":0,"schemaVersion":1,"recordedAt":"2024-01-01T00:00:00Z","#
            + #""hash":"\#(String(repeating: "0", count: 64))"}}"#,
        fields: ["recorded.version"], message: "must be an integer ≥ 1"),
    ViolationCase(
        "recorded that follows an event at version 1",
        #"{\#(registered),"id":"00000000-0000-4000-8000-000000000001","data":{"stakeholderId":"msit"},"#
            + #""recorded":{"stream":"s","version":1,"schemaVersion":1,"recordedAt":"2024-01-01T00:00:00Z","#
            + #""hash":"\#(String(repeating: "0", count: 64))","#
            + #""follows":{"id":"\#(target)","hash":"\#(String(repeating: "0", count: 64))"}}}"#,
        fields: ["recorded.follows"], message: "is only for a version after the first"),
    ViolationCase(
        "recorded that follows something that is not an event id",
        #"{\#(registered),"id":"00000000-0000-4000-8000-000000000001","data":{"stakeholderId":"msit"},"#
            + #""recorded":{"stream":"s","version":2,"schemaVersion":1,"recordedAt":"2024-01-01T00:00:00Z","#
            + #""hash":"\#(String(repeating: "0", count: 64))","#
            + #""follows":{"id":"msit","hash":"\#(String(repeating: "0", count: 64))"}}}"#,
        fields: ["recorded.follows.id"], message: "must be a UUID"),
    ViolationCase(
        "recorded without the event id",
        #"{\#(registered),"data":{"stakeholderId":"msit"},"#
            + #""recorded":{"stream":"s","version":1,"schemaVersion":1,"recordedAt":"2024-01-01T00:00:00Z","#
            + #""hash":"\#(String(repeating: "0", count: 64))"}}"#,
        fields: ["id"], message: "is required with recorded"),
    ViolationCase(
        "top-level key in the wrong case", #"{\#(registered),"Data":{"stakeholderId":"msit"}}"#,
        fields: ["Data", "data"]),
    ViolationCase(
        "missing id field", #"{\#(registered),"data":{"name":"MSIT"}}"#, fields: ["data.stakeholderId"],
        message: "is required"),
    ViolationCase(
        "id field a number", #"{"type":"ConsultationHeld","data":{"consultationId":3}}"#,
        fields: ["data.consultationId"], message: "must be a string, not number"),
    ViolationCase(
        "id field null", #"{"type":"RequestMade","data":{"requestId":null}}"#, fields: ["data.requestId"],
        message: "must be a string, not null"),
    ViolationCase(
        "id field not a slug", #"{"type":"CommitmentMade","data":{"commitmentId":"GPU 2024"}}"#,
        fields: ["data.commitmentId"], message: "\"GPU 2024\" is not a valid id (\(Slug.rule))"),
    ViolationCase(
        "id field empty", #"{"type":"FollowUpScheduled","data":{"commitmentId":""}}"#,
        fields: ["data.commitmentId"], message: "is not a valid id"),
    ViolationCase(
        "id field under the wrong name", #"{"type":"StatementRecorded","data":{"stakeholderId":"msit"}}"#,
        fields: ["data.consultationId"], message: "is required"),
    ViolationCase(
        "correction target not a UUID", #"{"type":"RecordCorrected","data":{"correctsEventId":"msit"}}"#,
        fields: ["data.correctsEventId"], message: "\"msit\" is not a UUID"),
    ViolationCase(
        "correction target missing", #"{"type":"RecordCorrected","data":{"retractsEventId":"\#(target)"}}"#,
        fields: ["data.correctsEventId"], message: "is required"),
    ViolationCase(
        "correction target a number", #"{"type":"RecordCorrected","data":{"correctsEventId":1}}"#,
        fields: ["data.correctsEventId"], message: "must be a UUID string, not number"),
    ViolationCase(
        "retraction target not a UUID", #"{"type":"RecordRetracted","data":{"retractsEventId":"\#(target)x"}}"#,
        fields: ["data.retractsEventId"], message: "is not a UUID"),
    ViolationCase(
        "retraction target missing", #"{"type":"RecordRetracted","data":{}}"#, fields: ["data.retractsEventId"],
        message: "is required"),
    ViolationCase(
        "retraction target an object", #"{"type":"RecordRetracted","data":{"retractsEventId":{}}}"#,
        fields: ["data.retractsEventId"], message: "must be a UUID string, not object"),
    ViolationCase(
        "U+0000 in a nested string",
        #"{\#(registered),"data":{"stakeholderId":"msit","names":{"ko":["과기정통부","a\u0000b"]}}}"#,
        fields: ["data.names.ko[1]"], message: "contains the character U+0000"),
    ViolationCase(
        "U+0000 in a metadata string", #"{\#(registered),"data":{"stakeholderId":"msit"},"metadata":{"by":"\u0000"}}"#,
        fields: ["metadata.by"], message: "contains the character U+0000"),
    ViolationCase(
        "U+0000 in a key inside data", #"{\#(registered),"data":{"stakeholderId":"msit","a\u0000":1}}"#,
        fields: ["data"], message: "has a key containing U+0000"),
    ViolationCase(
        "U+0000 in a nested key", #"{\#(registered),"data":{"stakeholderId":"msit","x":[{"\u0000":true}]}}"#,
        fields: ["data.x[0]"], message: "has a key containing U+0000"),
]

@Suite("EventEnvelope")
struct EventEnvelopeTests {
    // MARK: - Streams

    /// The data field naming the stream of `type`, and the stream's prefix, written out independently of
    /// `EventType.streamRule`.
    private static func recordStream(of type: EventType) -> (field: String, prefix: String)? {
        switch type {
        case .stakeholderRegistered, .stakeholderChanged: ("stakeholderId", "stakeholder")
        case .consultationHeld, .statementRecorded: ("consultationId", "consultation")
        case .requestMade, .requestAnswered: ("requestId", "request")
        case .commitmentMade, .commitmentRestated, .commitmentProgressed, .followUpScheduled:
            ("commitmentId", "commitment")
        case .recordCorrected, .recordRetracted: nil
        }
    }

    @Test("there are twelve event types, named as in the spec")
    func twelveTypes() {
        #expect(
            EventType.allCases.map(\.rawValue) == [
                "StakeholderRegistered", "StakeholderChanged", "ConsultationHeld", "StatementRecorded",
                "RequestMade", "RequestAnswered", "CommitmentMade", "CommitmentRestated", "CommitmentProgressed",
                "FollowUpScheduled", "RecordCorrected", "RecordRetracted",
            ])
    }

    @Test("each event type derives its stream from its data", arguments: EventType.allCases)
    func streamOfEachType(type: EventType) throws {
        let json: String
        let expected: EventStream
        if let record = Self.recordStream(of: type) {
            json = #"{"type":"\#(type.rawValue)","data":{"\#(record.field)":"ai-strategy-dialogue-3","note":"x"}}"#
            expected = .named("\(record.prefix)-ai-strategy-dialogue-3")
        } else {
            let field = type == .recordCorrected ? "correctsEventId" : "retractsEventId"
            json = #"{"type":"\#(type.rawValue)","data":{"\#(field)":"\#(target)","note":"x"}}"#
            expected = .ofEvent(try #require(UUID(uuidString: target)))
        }
        let envelope = try validEnvelope(json)
        #expect(envelope.type == type)
        #expect(envelope.stream == expected)
        #expect(envelope.data["note"] == .string("x"))
    }

    @Test("corrections and retractions go to the stream of the event they name")
    func targetStreams() throws {
        let id = try #require(UUID(uuidString: target))
        let corrected = try validEnvelope(
            #"{"type":"RecordCorrected","data":{"correctsEventId":"\#(target)","reason":"typo","changes":{}}}"#)
        #expect(corrected.type == .recordCorrected)
        #expect(corrected.stream == .ofEvent(id))

        let retracted = try validEnvelope(
            #"{"type":"RecordRetracted","data":{"retractsEventId":"\#(target.uppercased())","reason":"duplicate"}}"#)
        #expect(retracted.type == .recordRetracted)
        #expect(retracted.stream == .ofEvent(id))
    }

    @Test("a correction's own stream-looking fields play no part")
    func correctionIgnoresRecordIDs() throws {
        let id = try #require(UUID(uuidString: target))
        let envelope = try validEnvelope(
            #"{"type":"RecordCorrected","data":{"correctsEventId":"\#(target)","stakeholderId":"msit"}}"#)
        #expect(envelope.stream == .ofEvent(id))
    }

    // MARK: - Violations

    @Test("each violation names its field", arguments: violationCases)
    func violation(_ example: ViolationCase) throws {
        let found = try violations(example.json)
        #expect(found.map(\.field) == example.fields, "\(found)")
        if let fragment = example.message {
            for violation in found {
                #expect(violation.message.contains(fragment), "\(violation)")
            }
        }
    }

    @Test("U+0000 in a top-level key is reported with the unknown key")
    func nulInTopLevelKey() throws {
        let found = try violations(#"{\#(registered),"data":{"stakeholderId":"msit"},"x\u0000":1}"#)
        #expect(found.map(\.field) == ["x\u{0}", ""], "\(found)")
        #expect(found.last?.message.contains("has a key containing U+0000") == true)
    }

    @Test("U+0000 in the type and in the id field is reported next to the other problems")
    func nulInCheckedStrings() throws {
        let found = try violations(#"{"type":"CommitmentMade\u0000","data":{"commitmentId":"msit\u0000"}}"#)
        #expect(found.map(\.field) == ["type", "type", "data.commitmentId"], "\(found)")

        let inID = try violations(#"{"type":"CommitmentMade","data":{"commitmentId":"msit\u0000"}}"#)
        #expect(inID.map(\.field) == ["data.commitmentId", "data.commitmentId"], "\(inID)")
    }

    @Test("every violation in one object is reported")
    func allViolationsReported() throws {
        let envelopeLevel = try violations(
            #"{"type":"Nope","id":7,"expectedVersion":-1,"data":5,"metadata":[],"extra":true,"stream":"x"}"#)
        #expect(
            envelopeLevel.map(\.field) == ["extra", "stream", "type", "data", "id", "expectedVersion", "metadata"],
            "\(envelopeLevel)")

        let withData = try violations(
            #"""
            {"type":"CommitmentMade","id":"x","expectedVersion":1.5,"metadata":{"k":"\u0000"},\#
            "data":{"commitmentId":"Bad Id","notes":["\u0000"]}}
            """#)
        #expect(
            withData.map(\.field) == ["id", "expectedVersion", "metadata.k", "data.notes[0]", "data.commitmentId"],
            "\(withData)")
    }

    @Test("no stream violation is added when the type or the data is already wrong")
    func noStreamViolationWithoutTypeAndData() throws {
        #expect(try violations(#"{"type":"Nope","data":{}}"#).map(\.field) == ["type"])
        #expect(try violations(#"{"type":"RecordRetracted","data":[]}"#).map(\.field) == ["data"])
        #expect(try violations(#"{}"#).map(\.field) == ["type", "data"])
    }

    @Test(
        "a top-level value that is not an object is one violation without a field",
        arguments: [
            (#"[]"#, "array"), (#""text""#, "string"), ("null", "null"), ("1", "number"), ("true", "boolean"),
            (#"[{"type":"StakeholderRegistered","data":{"stakeholderId":"msit"}}]"#, "array"),
        ])
    func notAnObject(json: String, typeName: String) throws {
        let found = try violations(json)
        #expect(found == [Violation(field: "", message: "must be a JSON object, not \(typeName)")])
        #expect(found.first?.description == "must be a JSON object, not \(typeName)")
    }

    @Test("a violation's description puts its field first")
    func violationDescription() throws {
        let found = try violations(#"{"type":"RequestMade","data":{"requestId":"A"}}"#)
        let violation = try #require(found.first)
        #expect(violation.description == "data.requestId \"A\" is not a valid id (\(Slug.rule))")
    }

    // MARK: - Valid envelopes

    @Test("a valid envelope keeps its id, expectedVersion, data and metadata")
    func keepsOptionalFields() throws {
        let json = #"""
            {"type":"StakeholderRegistered","id":"\#(target.uppercased())","expectedVersion":12,\#
            "data":{"stakeholderId":"msit","name":"과학기술정보통신부","tags":["a",1,null]},\#
            "metadata":{"recordedBy":"tests","source":{"page":3}}}
            """#
        let envelope = try validEnvelope(json)
        #expect(envelope.type == .stakeholderRegistered)
        #expect(envelope.id == UUID(uuidString: target))
        #expect(envelope.expectedVersion == 12)
        #expect(envelope.stream == .named("stakeholder-msit"))
        let data = JSONObject([
            ("stakeholderId", .string("msit")), ("name", .string("과학기술정보통신부")),
            ("tags", .array([.string("a"), .number("1"), .null])),
        ])
        #expect(envelope.data == data)
        let metadata = JSONObject([
            ("recordedBy", .string("tests")), ("source", .object(JSONObject([("page", .number("3"))]))),
        ])
        #expect(envelope.metadata == metadata)
    }

    @Test("optional fields default to no id, no expected version and empty metadata")
    func defaults() throws {
        let envelope = try validEnvelope(#"{"data":{"commitmentId":"gpu"},"type":"CommitmentProgressed"}"#)
        #expect(envelope.id == nil)
        #expect(envelope.expectedVersion == nil)
        #expect(envelope.metadata.isEmpty)
        #expect(envelope.stream == .named("commitment-gpu"))
    }

    @Test(
        "expectedVersion accepts integers from 0 to Int32.max",
        arguments: [("0", 0), ("-0", 0), ("1", 1), ("2147483647", 2_147_483_647)])
    func expectedVersionAccepted(lexeme: String, version: Int) throws {
        let envelope = try validEnvelope(
            #"{"type":"RequestAnswered","expectedVersion":\#(lexeme),"data":{"requestId":"r-1"}}"#)
        #expect(envelope.expectedVersion == version)
    }

    @Test("an empty metadata object is kept as empty")
    func emptyMetadata() throws {
        let envelope = try validEnvelope(#"{"type":"RequestMade","data":{"requestId":"r"},"metadata":{}}"#)
        #expect(envelope.metadata == JSONObject())
    }

    @Test("the envelope's keys are listed in export order")
    func keys() {
        #expect(EventEnvelope.keys == ["type", "id", "expectedVersion", "data", "metadata", "recorded"])
    }

    // MARK: - Slugs

    @Test(
        "valid slugs",
        arguments: [
            "msit", "a", "0", "ai-strategy-dialogue-3", "x.y_z", "3d", "a--b", "a.", "z_",
            String(repeating: "a", count: 100), "9" + String(repeating: "-", count: 99),
        ])
    func validSlug(_ slug: String) {
        #expect(Slug.isValid(slug))
    }

    @Test(
        "invalid slugs",
        arguments: [
            "", "MSIT", "mSit", "-msit", ".msit", "_msit", String(repeating: "a", count: 101), "a b", " a", "a ",
            "과기정통부", "a과", "a/b", "a\nb", "a\u{0}", "é", "a+b", "a:b", "ａ",
        ])
    func invalidSlug(_ slug: String) {
        #expect(!Slug.isValid(slug))
    }

    @Test("a record id of 100 characters is accepted and one of 101 is not")
    func slugLengthInEnvelope() throws {
        let hundred = String(repeating: "m", count: 100)
        let envelope = try validEnvelope(#"{"type":"StakeholderChanged","data":{"stakeholderId":"\#(hundred)"}}"#)
        #expect(envelope.stream == .named("stakeholder-\(hundred)"))
        let found = try violations(#"{"type":"StakeholderChanged","data":{"stakeholderId":"\#(hundred)m"}}"#)
        #expect(found.map(\.field) == ["data.stakeholderId"])
    }
}
