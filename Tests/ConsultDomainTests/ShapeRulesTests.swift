import ConsultDomain
import Foundation
import Testing

private let minimal = RuleFixtures.minimal
private let maximal = RuleFixtures.maximal

/// One field of one event type.
struct EventField: Sendable, CustomTestStringConvertible {
    var type: EventType
    var name: String

    init(_ type: EventType, _ name: String) {
        self.type = type
        self.name = name
    }

    var testDescription: String { "\(type.rawValue).\(name)" }
}

/// Data of `type` that ShapeRules must refuse with exactly one violation at `field`.
struct RefusedShape: Sendable, CustomTestStringConvertible {
    var name: String
    var type: EventType
    var data: JSONObject
    var field: String
    /// A fragment of the violation's message.
    var message: String

    var testDescription: String { name }
}

/// `type`'s minimal data with `key` set to the JSON `json`, refused at `data.<key>` (or `field`).
private func refused(
    _ type: EventType, _ key: String, _ json: String, field: String? = nil, _ message: String
) -> RefusedShape {
    RefusedShape(
        name: "\(type.rawValue).\(key) = \(json.count > 40 ? String(json.prefix(37)) + "…" : json)", type: type,
        data: minimal(type).setting(key, json: json), field: field ?? "data.\(key)", message: message)
}

// MARK: - The fields of each type, as SPEC.md lists them

/// Required fields, per SPEC.md's table.
private let requiredFields: [EventType: [String]] = [
    .stakeholderRegistered: ["stakeholderId", "name", "kind", "sector"],
    .stakeholderChanged: ["stakeholderId", "on"],
    .consultationHeld: ["consultationId", "kind", "title", "startsOn", "organizerIds", "participants", "sources"],
    .statementRecorded: ["consultationId", "statementId", "speakerId", "summary", "topics"],
    .requestMade: ["consultationId", "requestId", "requesterId", "addressedToIds", "summary", "topics"],
    .requestAnswered: ["requestId", "on", "answeredById", "outcome", "reason"],
    .commitmentMade: ["commitmentId", "consultationId", "madeById", "ownerId", "summary", "topics"],
    .commitmentRestated: ["commitmentId", "consultationId", "byId", "on"],
    .commitmentProgressed: ["commitmentId", "on", "status", "note", "evidence"],
    .followUpScheduled: ["commitmentId", "checkOn"],
    .recordCorrected: ["correctsEventId", "reason", "changes"],
    .recordRetracted: ["retractsEventId", "reason"],
]

/// Optional fields, per SPEC.md's table.
private let optionalFields: [EventType: [String]] = [
    .stakeholderRegistered: ["affiliationId", "title", "party", "aliases"],
    .stakeholderChanged: ["name", "title", "affiliationId", "party", "sector"],
    .consultationHeld: ["endsOn", "venue"],
    .statementRecorded: ["quote", "on"],
    .requestMade: ["on"],
    .requestAnswered: ["commitmentIds", "evidence"],
    .commitmentMade: ["due", "dueText", "respondsToRequestIds", "on"],
    .commitmentRestated: ["note"],
    .commitmentProgressed: ["revisedDue", "assessment", "reason"],
    .followUpScheduled: ["assignee", "note"],
    .recordCorrected: [],
    .recordRetracted: [],
]

private let everyRequiredField = EventType.allCases.flatMap { type in
    requiredFields[type, default: []].map { EventField(type, $0) }
}

private let everyOptionalField = EventType.allCases.flatMap { type in
    optionalFields[type, default: []].map { EventField(type, $0) }
}

@Suite("ShapeRules: presence and unknown fields")
struct ShapePresenceTests {
    @Test("the schema has exactly SPEC.md's fields, required ones required", arguments: EventType.allCases)
    func schemaMatchesSpec(type: EventType) {
        let fields = EventSchema.fields(of: type)
        #expect(Set(fields.filter(\.isRequired).map(\.name)) == Set(requiredFields[type, default: []]))
        #expect(Set(fields.filter { !$0.isRequired }.map(\.name)) == Set(optionalFields[type, default: []]))
    }

    @Test("minimal data passes", arguments: EventType.allCases)
    func minimalPasses(type: EventType) {
        #expect(violationLines(ShapeRules.check(minimal(type), of: type)) == [])
    }

    @Test("data with every optional field passes", arguments: EventType.allCases)
    func maximalPasses(type: EventType) {
        let data = maximal(type)
        #expect(violationLines(ShapeRules.check(data, of: type)) == [])
        #expect(Set(data.keys) == Set(requiredFields[type, default: []] + optionalFields[type, default: []]))
    }

    @Test("a missing required field is named", arguments: everyRequiredField)
    func missingRequired(field: EventField) {
        let data = maximal(field.type).removing(field.name)
        #expect(violationLines(ShapeRules.check(data, of: field.type)) == ["data.\(field.name): is required"])
    }

    @Test("an optional field may be left out", arguments: everyOptionalField)
    func optionalMayBeMissing(field: EventField) {
        let data = maximal(field.type).removing(field.name)
        #expect(violationLines(ShapeRules.check(data, of: field.type)) == [])
    }

    @Test("an unknown field is refused", arguments: EventType.allCases)
    func unknownField(type: EventType) throws {
        let data = minimal(type).setting("colour", json: #""blue""#)
        let violations = ShapeRules.check(data, of: type)
        try #require(violations.count == 1, "\(violations)")
        #expect(violations[0].field == "data.colour")
        #expect(violations[0].message.hasPrefix("is not a field of \(type.rawValue)"), "\(violations[0])")
    }

    @Test(
        "field names are case-sensitive: a misspelt required field is unknown and the real one missing",
        arguments: [
            (EventType.statementRecorded, "speakerId", "speakerID"),
            (.commitmentMade, "ownerId", "owner_id"),
            (.consultationHeld, "startsOn", "StartsOn"),
        ])
    func misspeltField(type: EventType, name: String, misspelt: String) throws {
        let data = minimal(type)
        let value: JSONValue = try #require(data[name])
        let renamed = data.removing(name).setting(misspelt, value)
        let violations = ShapeRules.check(renamed, of: type)
        #expect(
            Set(violationLines(violations).map { $0.prefix { $0 != ":" } }) == ["data.\(misspelt)", "data.\(name)"])
        #expect(violations.contains(Violation(field: "data.\(name)", message: "is required")))
    }

    @Test("unknown fields inside sources and participants are refused with their path")
    func unknownNestedFields() {
        let consultation = minimal(.consultationHeld)
            .setting("sources", json: #"[{"publisher":"뉴스토마토"},{"publisher":"전자신문","author":"김기자"}]"#)
            .setting("participants", json: #"[{"stakeholderId":"msit","role":"host","seat":3}]"#)
        let fields = ShapeRules.check(consultation, of: .consultationHeld).map(\.field)
        #expect(fields.sorted() == ["data.participants[0].seat", "data.sources[1].author"])
    }

    @Test("a null value is not an absent one")
    func nullIsNotAbsent() {
        let violations = ShapeRules.check(
            maximal(.stakeholderRegistered).setting("title", .null), of: .stakeholderRegistered)
        #expect(violationLines(violations) == ["data.title: must be text (a string), not null"])
    }

    @Test("every violation of one event is reported")
    func severalViolations() {
        let data = RuleFixtures.object(
            #"{"stakeholderId":"MSIT","kind":"ministry","sector":"government","colour":"blue","aliases":"MSIT"}"#)
        let fields = ShapeRules.check(data, of: .stakeholderRegistered).map(\.field)
        #expect(Set(fields) == ["data.stakeholderId", "data.name", "data.kind", "data.colour", "data.aliases"])
        #expect(fields.count == 5)
    }

    @Test("StakeholderChanged that changes nothing is refused")
    func changesNothing() throws {
        let data = RuleFixtures.object(#"{"stakeholderId":"lee-jong-ho","on":"2024-01-10"}"#)
        let violations = ShapeRules.check(data, of: .stakeholderChanged)
        try #require(violations.count == 1, "\(violations)")
        #expect(violations[0].field == "data")
        #expect(violations[0].message.hasPrefix("changes nothing"), "\(violations[0])")
    }

    @Test(
        "StakeholderChanged with any one change passes",
        arguments: [
            ("name", #""이종호""#), ("title", #""전 장관""#), ("affiliationId", #""snu""#), ("party", #""무소속""#),
            ("sector", #""academia""#),
        ])
    func oneChange(key: String, json: String) {
        let data = RuleFixtures.object(#"{"stakeholderId":"lee-jong-ho","on":"2024-01-10"}"#).setting(key, json: json)
        #expect(violationLines(ShapeRules.check(data, of: .stakeholderChanged)) == [])
    }
}

// MARK: - JSON types

private let wrongTypes: [RefusedShape] = [
    refused(.stakeholderRegistered, "name", "42", "must be text (a string), not number"),
    refused(.stakeholderRegistered, "stakeholderId", "7", "must be an id (a string), not number"),
    refused(.stakeholderRegistered, "kind", "true", "must be a string, not boolean"),
    refused(.stakeholderRegistered, "name", #"{"ko":"과기정통부"}"#, "must be text (a string), not object"),
    refused(.stakeholderRegistered, "name", #"["과기정통부"]"#, "must be text (a string), not array"),
    refused(.stakeholderRegistered, "aliases", #""MSIT""#, "must be a list (an array), not string"),
    refused(.stakeholderRegistered, "aliases", "[42]", field: "data.aliases[0]", "must be text (a string), not number"),
    refused(.consultationHeld, "title", #"{"text":"전략대화"}"#, "must be text (a string), not object"),
    refused(.consultationHeld, "startsOn", "20230308", "must be a date string (YYYY-MM-DD), not number"),
    refused(.consultationHeld, "sources", #""뉴스토마토""#, "must be a list (an array), not string"),
    refused(.consultationHeld, "sources", #"{"publisher":"뉴스토마토"}"#, "must be a list (an array), not object"),
    refused(
        .consultationHeld, "sources", #"["뉴스토마토"]"#, field: "data.sources[0]",
        "must be a source object, not string"),
    refused(.consultationHeld, "organizerIds", #""msit""#, "must be a list (an array), not string"),
    refused(.consultationHeld, "organizerIds", "[1]", field: "data.organizerIds[0]", "must be an id (a string)"),
    refused(.consultationHeld, "participants", #""lee-jong-ho""#, "must be a list (an array), not string"),
    refused(
        .consultationHeld, "participants", #"["lee-jong-ho"]"#, field: "data.participants[0]",
        "must be a participant object, not string"),
    refused(.statementRecorded, "topics", #""data""#, "must be a list (an array), not string"),
    refused(.statementRecorded, "topics", "[7]", field: "data.topics[0]", "must be a string, not number"),
    refused(.statementRecorded, "summary", "null", "must be text (a string), not null"),
    refused(.statementRecorded, "speakerId", #"["naver"]"#, "must be an id (a string), not array"),
    refused(.requestMade, "addressedToIds", #""msit""#, "must be a list (an array), not string"),
    refused(.requestAnswered, "outcome", "1", "must be a string, not number"),
    refused(.requestAnswered, "on", "null", "must be a date string (YYYY-MM-DD), not null"),
    refused(.commitmentMade, "due", "2023", "must be a string (2023-03-31, 2023-03 or 2025), not number"),
    refused(.commitmentMade, "respondsToRequestIds", #""startups-gpu-access""#, "must be a list (an array)"),
    refused(.commitmentProgressed, "evidence", #"{"publisher":"과기정통부"}"#, "must be a list (an array), not object"),
    refused(.commitmentProgressed, "status", #"["fulfilled"]"#, "must be a string, not array"),
    refused(.followUpScheduled, "checkOn", "false", "must be a date string (YYYY-MM-DD), not boolean"),
    refused(.recordCorrected, "correctsEventId", "5", "must be an event id (a UUID string)"),
    refused(
        .recordCorrected, "changes", #""date=2023-03-09""#, "must be an object of the fields to replace, not string"),
    refused(.recordCorrected, "changes", "[]", "must be an object of the fields to replace, not array"),
    refused(.recordCorrected, "changes", "{}", "must replace at least one field"),
    refused(.recordRetracted, "retractsEventId", #""not-a-uuid""#, "\"not-a-uuid\" is not a UUID"),
    refused(.recordRetracted, "reason", "[]", "must be text (a string), not array"),
    refused(
        .consultationHeld, "sources", #"[{"publisher":"뉴스토마토","url":42}]"#, field: "data.sources[0].url",
        "must be a URL string, not number"),
    refused(
        .consultationHeld, "sources", #"[{"publisher":["뉴스토마토"]}]"#, field: "data.sources[0].publisher",
        "must be text (a string), not array"),
]

@Suite("ShapeRules: JSON types")
struct ShapeTypeTests {
    @Test("a value of the wrong JSON type is refused", arguments: wrongTypes)
    func wrongType(shape: RefusedShape) throws {
        let violations = ShapeRules.check(shape.data, of: shape.type)
        try #require(violations.count == 1, "\(violations)")
        #expect(violations[0].field == shape.field)
        #expect(violations[0].message.contains(shape.message), "\(violations[0])")
    }
}

// MARK: - Ids

private let badSlugs = [
    "", "MSIT", "Msit", "-msit", ".msit", "_msit", "ms it", "msit/", "msit\n", "과기부", "msit!", "msıt",
    "ｍｓｉｔ", String(repeating: "a", count: 101),
]

private let goodSlugs = [
    "a", "0", "msit", "lee-jong-ho", "ai-strategy-dialogue-3", "msit.ai_2023-x", "2023-forum", "a..b",
    String(repeating: "a", count: 100),
]

/// Where a string value goes in an event's data: `key` of `type`'s minimal data is set to `template`, whose
/// `"VALUE"` is replaced by the value (as a JSON string); violations are reported at `path`.
struct Slot: Sendable, CustomTestStringConvertible {
    var type: EventType
    var key: String
    var template: String
    var path: String

    init(_ type: EventType, _ key: String, _ template: String = #""VALUE""#, at path: String? = nil) {
        self.type = type
        self.key = key
        self.template = template
        self.path = path ?? "data.\(key)"
    }

    func data(_ value: String) -> JSONObject {
        let literal = JSONValue.string(value).serialized()
        return minimal(type).setting(key, json: template.replacingOccurrences(of: #""VALUE""#, with: literal))
    }

    func check(_ value: String) -> [Violation] {
        ShapeRules.check(data(value), of: type)
    }

    var testDescription: String { "\(type.rawValue) \(path)" }
}

/// Expects `value` at `slot` to be refused with exactly one violation at the slot's path, whose message
/// contains `fragment`.
private func expectRefused(
    _ value: String, at slot: Slot, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let violations = slot.check(value)
    guard violations.count == 1 else {
        Issue.record("\(slot) = \(value.debugDescription): \(violations)", sourceLocation: sourceLocation)
        return
    }
    #expect(violations[0].field == slot.path, "\(violations[0])", sourceLocation: sourceLocation)
    #expect(violations[0].message.contains(fragment), "\(violations[0])", sourceLocation: sourceLocation)
}

/// Expects `value` at `slot` to pass.
private func expectAccepted(_ value: String, at slot: Slot, sourceLocation: SourceLocation = #_sourceLocation) {
    let violations = slot.check(value)
    #expect(violations.isEmpty, "\(slot) = \(value.debugDescription): \(violations)", sourceLocation: sourceLocation)
}

private let source = #"[{"publisher":"뉴스토마토","VALUE_KEY":"VALUE"}]"#

/// A slot inside the first source of `key` (`sources`, `evidence`).
private func sourceSlot(_ type: EventType, _ key: String, _ field: String) -> Slot {
    Slot(
        type, key, source.replacingOccurrences(of: "VALUE_KEY", with: field), at: "data.\(key)[0].\(field)")
}

private let slugSlots = [
    Slot(.stakeholderRegistered, "stakeholderId"),
    Slot(.stakeholderRegistered, "affiliationId"),
    Slot(.stakeholderChanged, "stakeholderId"),
    Slot(.stakeholderChanged, "affiliationId"),
    Slot(.consultationHeld, "consultationId"),
    Slot(.consultationHeld, "organizerIds", #"["msit","VALUE"]"#, at: "data.organizerIds[1]"),
    Slot(
        .consultationHeld, "participants",
        #"[{"stakeholderId":"msit","role":"host"},{"stakeholderId":"VALUE","role":"speaker"}]"#,
        at: "data.participants[1].stakeholderId"),
    Slot(.statementRecorded, "consultationId"),
    Slot(.statementRecorded, "statementId"),
    Slot(.statementRecorded, "speakerId"),
    Slot(.requestMade, "requestId"),
    Slot(.requestMade, "requesterId"),
    Slot(.requestMade, "addressedToIds", #"["msit","VALUE"]"#, at: "data.addressedToIds[1]"),
    Slot(.requestAnswered, "requestId"),
    Slot(.requestAnswered, "answeredById"),
    Slot(.requestAnswered, "commitmentIds", #"["VALUE"]"#, at: "data.commitmentIds[0]"),
    Slot(.commitmentMade, "commitmentId"),
    Slot(.commitmentMade, "consultationId"),
    Slot(.commitmentMade, "madeById"),
    Slot(.commitmentMade, "ownerId"),
    Slot(.commitmentMade, "respondsToRequestIds", #"["VALUE"]"#, at: "data.respondsToRequestIds[0]"),
    Slot(.commitmentRestated, "byId"),
    Slot(.commitmentProgressed, "commitmentId"),
    Slot(.followUpScheduled, "commitmentId"),
]

@Suite("ShapeRules: ids")
struct ShapeSlugTests {
    @Test("ids that are not slugs are refused", arguments: slugSlots)
    func badSlugsRefused(slot: Slot) {
        for slug in badSlugs {
            expectRefused(slug, at: slot, "is not a valid id")
        }
    }

    @Test("slugs are accepted", arguments: slugSlots)
    func goodSlugsAccepted(slot: Slot) {
        for slug in goodSlugs {
            expectAccepted(slug, at: slot)
        }
    }
}

// MARK: - Enums

/// A field whose value is one of a list of words: the words SPEC.md lists, and some that are not.
struct EnumField: Sendable, CustomTestStringConvertible {
    var slot: Slot
    var words: [String]
    var notWords: [String]

    var testDescription: String { slot.testDescription }
}

private let sectors = [
    "government", "legislature", "public_institution", "large_company", "startup", "academia", "association",
    "civil_society", "media", "other",
]

private let enumFields = [
    EnumField(
        slot: Slot(.stakeholderRegistered, "kind"), words: ["person", "organization"],
        notWords: ["group", "Person", "organisation", "", "person "]),
    EnumField(
        slot: Slot(.stakeholderRegistered, "sector"), words: sectors,
        notWords: ["gov", "Government", "ministry", "startups", "public-institution", "", " startup"]),
    EnumField(
        slot: Slot(.stakeholderChanged, "sector"), words: sectors, notWords: ["industry", "정부", "GOVERNMENT"]),
    EnumField(
        slot: Slot(.consultationHeld, "kind"),
        words: [
            "forum", "roundtable", "strategy_dialogue", "town_hall", "hearing", "interview", "op_ed",
            "press_release", "public_comment", "meeting", "other",
        ],
        notWords: ["seminar", "Forum", "town hall", "strategy-dialogue", "토론회", ""]),
    EnumField(
        slot: Slot(
            .consultationHeld, "participants",
            #"[{"stakeholderId":"msit","role":"host"},{"stakeholderId":"naver","role":"VALUE"}]"#,
            at: "data.participants[1].role"),
        words: ["host", "speaker", "panelist", "moderator", "attendee", "interviewee", "author", "commenter"],
        notWords: ["chair", "Host", "guest", "host ", ""]),
    EnumField(
        slot: Slot(.requestAnswered, "outcome"),
        words: ["accepted", "partially_accepted", "under_review", "declined"],
        notWords: ["rejected", "accepted ", "Accepted", "partially-accepted", "answered", ""]),
    EnumField(
        slot: Slot(.commitmentProgressed, "status"),
        words: ["in_progress", "stalled", "fulfilled", "partially_fulfilled", "broken", "withdrawn"],
        notWords: ["open", "done", "Fulfilled", "in progress", "delivered", ""]),
    EnumField(
        slot: Slot(.commitmentProgressed, "assessment"), words: ["independent", "self_reported"],
        notWords: ["external", "self-reported", "independent ", ""]),
]

@Suite("ShapeRules: enums")
struct ShapeEnumTests {
    @Test("every listed word is accepted", arguments: enumFields)
    func listedWords(field: EnumField) {
        for word in field.words {
            expectAccepted(word, at: field.slot)
        }
    }

    @Test("other words are refused, and the message lists the words", arguments: enumFields)
    func otherWords(field: EnumField) {
        for word in field.notWords {
            expectRefused(word, at: field.slot, "\"\(word)\" is not one of \(field.words.joined(separator: ", "))")
        }
    }
}

// MARK: - Dates and dues

private let dateSlots = [
    Slot(.consultationHeld, "startsOn"),
    Slot(.statementRecorded, "on"),
    Slot(.requestMade, "on"),
    Slot(.commitmentMade, "on"),
    Slot(.stakeholderChanged, "on"),
    Slot(.requestAnswered, "on"),
    Slot(.commitmentRestated, "on"),
    Slot(.commitmentProgressed, "on"),
    Slot(.followUpScheduled, "checkOn"),
    sourceSlot(.consultationHeld, "sources", "publishedOn"),
    sourceSlot(.requestAnswered, "evidence", "publishedOn"),
    sourceSlot(.commitmentProgressed, "evidence", "publishedOn"),
]

private let badDates = [
    ("2023-02-29", "\"2023-02-29\" is not a real calendar date"),
    ("1900-02-29", "\"1900-02-29\" is not a real calendar date"),
    ("2023-13-01", "\"2023-13-01\" is not a real calendar date"),
    ("2023-04-31", "\"2023-04-31\" is not a real calendar date"),
    ("2023-01-00", "\"2023-01-00\" is not a real calendar date"),
    ("2023-2-1", "\"2023-2-1\" is not a date (write YYYY-MM-DD)"),
    ("2023/02/01", "\"2023/02/01\" is not a date (write YYYY-MM-DD)"),
    (" 2023-02-01", "\" 2023-02-01\" is not a date (write YYYY-MM-DD)"),
    ("２０２３-02-01", "\"２０２３-02-01\" is not a date (write YYYY-MM-DD)"),
    ("2023-02", "\"2023-02\" is not a date (write YYYY-MM-DD)"),
    ("2023-02-01T09:00:00+09:00", "is not a date (write YYYY-MM-DD)"),
    ("", "is not a date (write YYYY-MM-DD)"),
    ("+023-01-01", "is not a"),
]

@Suite("ShapeRules: dates and dues")
struct ShapeDateTests {
    @Test("dates must be real calendar dates written YYYY-MM-DD", arguments: dateSlots)
    func badDatesRefused(slot: Slot) {
        for (text, message) in badDates {
            expectRefused(text, at: slot, message)
        }
    }

    @Test("real dates, leap days included, are accepted", arguments: dateSlots)
    func realDatesAccepted(slot: Slot) {
        for text in ["2024-02-29", "2000-02-29", "2023-03-08", "2023-12-31"] {
            expectAccepted(text, at: slot)
        }
    }

    @Test(
        "due and revisedDue take a day, a month or a year",
        arguments: [Slot(.commitmentMade, "due"), Slot(.commitmentProgressed, "revisedDue")])
    func dues(slot: Slot) {
        for text in ["2023-03-31", "2023-02", "2024-02", "2025", "2024-02-29"] {
            expectAccepted(text, at: slot)
        }
        expectRefused("2023-13", at: slot, "\"2023-13\" is not a month (months run 01–12)")
        expectRefused("2023-00", at: slot, "\"2023-00\" is not a month (months run 01–12)")
        expectRefused("2023-02-30", at: slot, "\"2023-02-30\" is not a real calendar date")
        for text in ["23", "2023-1", "2023-W05", "", "2023/03", "이달 중"] {
            expectRefused(text, at: slot, "is not a due date: write a day (2023-03-31), a month (2023-03) or a year")
        }
    }
}

// MARK: - Lengths

/// A text field and its most characters.
struct TextField: Sendable, CustomTestStringConvertible {
    var slot: Slot
    var maximum: Int

    var testDescription: String { "\(slot.testDescription) (≤ \(maximum))" }
}

private let textFields = [
    TextField(slot: Slot(.statementRecorded, "summary"), maximum: 2000),
    TextField(slot: Slot(.requestMade, "summary"), maximum: 2000),
    TextField(slot: Slot(.commitmentMade, "summary"), maximum: 2000),
    TextField(slot: Slot(.requestAnswered, "reason"), maximum: 2000),
    TextField(slot: Slot(.commitmentRestated, "note"), maximum: 2000),
    TextField(slot: Slot(.commitmentProgressed, "note"), maximum: 2000),
    TextField(slot: Slot(.commitmentProgressed, "reason"), maximum: 2000),
    TextField(slot: Slot(.followUpScheduled, "note"), maximum: 2000),
    TextField(slot: Slot(.recordCorrected, "reason"), maximum: 2000),
    TextField(slot: Slot(.recordRetracted, "reason"), maximum: 2000),
    TextField(slot: Slot(.stakeholderRegistered, "name"), maximum: 300),
    TextField(slot: Slot(.stakeholderRegistered, "title"), maximum: 300),
    TextField(slot: Slot(.stakeholderChanged, "name"), maximum: 300),
    TextField(slot: Slot(.stakeholderChanged, "title"), maximum: 300),
    TextField(slot: Slot(.consultationHeld, "title"), maximum: 300),
    TextField(slot: sourceSlot(.consultationHeld, "sources", "title"), maximum: 300),
    TextField(slot: sourceSlot(.commitmentProgressed, "evidence", "title"), maximum: 300),
    TextField(slot: Slot(.statementRecorded, "quote"), maximum: 1000),
]

@Suite("ShapeRules: lengths")
struct ShapeLengthTests {
    @Test("Korean text of the most characters passes; one more fails, naming the count", arguments: textFields)
    func koreanLimit(field: TextField) {
        expectAccepted(String(repeating: "가", count: field.maximum), at: field.slot)
        expectAccepted(String(repeating: "가", count: field.maximum - 1) + "a", at: field.slot)
        expectRefused(
            String(repeating: "가", count: field.maximum + 1), at: field.slot,
            "is \(field.maximum + 1) characters long; at most \(field.maximum) are allowed")
    }

    @Test("a character is a grapheme cluster, however many scalars it takes", arguments: textFields)
    func graphemeClusters(field: TextField) {
        // é as e + combining acute; 각 as three conjoining jamo; a ZWJ sequence; a flag.
        for character in ["e\u{301}", "\u{1100}\u{1161}\u{11A8}", "👩‍💻", "🇰🇷"] {
            expectAccepted(String(repeating: character, count: field.maximum), at: field.slot)
            expectRefused(
                String(repeating: character, count: field.maximum + 1), at: field.slot,
                "is \(field.maximum + 1) characters long")
        }
    }

    @Test("empty or blank text fails", arguments: textFields)
    func blank(field: TextField) {
        for text in ["", " ", "   ", "\t\n", "\u{3000}", "\u{A0}\u{2003}"] {
            expectRefused(text, at: field.slot, "must not be empty")
        }
        expectAccepted("가", at: field.slot)
        expectAccepted("  가  ", at: field.slot)
    }

    @Test("a 300-character name made of decomposed characters passes")
    func decomposedName() {
        let slot = Slot(.stakeholderRegistered, "name")
        let name = String(repeating: "e\u{301}", count: 300)
        #expect(name.unicodeScalars.count == 600)
        expectAccepted(name, at: slot)
        expectRefused(name + "e\u{301}", at: slot, "is 301 characters long; at most 300 are allowed")
    }
}

// MARK: - Lists, nested objects, URLs, topics

@Suite("ShapeRules: lists and nested objects")
struct ShapeListTests {
    @Test(
        "lists that must not be empty",
        arguments: [
            EventField(.consultationHeld, "sources"), EventField(.requestMade, "addressedToIds"),
            EventField(.commitmentProgressed, "evidence"), EventField(.requestAnswered, "evidence"),
        ])
    func nonEmptyLists(field: EventField) {
        let data = maximal(field.type).setting(field.name, .array([]))
        #expect(
            violationLines(ShapeRules.check(data, of: field.type)) == [
                "data.\(field.name): must have at least one entry"
            ])
    }

    @Test(
        "lists that may be empty",
        arguments: [
            EventField(.consultationHeld, "organizerIds"), EventField(.consultationHeld, "participants"),
            EventField(.statementRecorded, "topics"), EventField(.requestMade, "topics"),
            EventField(.commitmentMade, "topics"), EventField(.commitmentMade, "respondsToRequestIds"),
            EventField(.requestAnswered, "commitmentIds"), EventField(.stakeholderRegistered, "aliases"),
        ])
    func emptyLists(field: EventField) {
        let data = maximal(field.type).setting(field.name, .array([]))
        #expect(violationLines(ShapeRules.check(data, of: field.type)) == [])
    }

    @Test(
        "nested fields are reported with their path",
        arguments: [
            (
                #"[{"stakeholderId":"msit","role":"host"},{"stakeholderId":"naver","role":"chair"}]"#,
                "data.participants[1].role"
            ),
            (#"[{"stakeholderId":"msit","role":"host"},{"stakeholderId":"naver"}]"#, "data.participants[1].role"),
            (#"[{"role":"host"}]"#, "data.participants[0].stakeholderId"),
            (#"[{"stakeholderId":"Naver","role":"host"}]"#, "data.participants[0].stakeholderId"),
        ])
    func participantPaths(participants: String, path: String) {
        let data = minimal(.consultationHeld).setting("participants", json: participants)
        #expect(ShapeRules.check(data, of: .consultationHeld).map(\.field) == [path])
    }

    @Test(
        "source fields are reported with their path",
        arguments: [
            (#"[{"publisher":"뉴스토마토","publishedOn":"2023-02-29"}]"#, "data.sources[0].publishedOn"),
            (#"[{"publisher":"뉴스토마토","url":"ftp://x"}]"#, "data.sources[0].url"),
            (#"[{"publisher":"뉴스토마토"},{"title":"기사"}]"#, "data.sources[1].publisher"),
            (#"[{"publisher":"   "}]"#, "data.sources[0].publisher"),
            (#"[{"publisher":"뉴스토마토","title":""}]"#, "data.sources[0].title"),
        ])
    func sourcePaths(sources: String, path: String) {
        let data = minimal(.consultationHeld).setting("sources", json: sources)
        #expect(ShapeRules.check(data, of: .consultationHeld).map(\.field) == [path])
    }

    @Test("a missing publisher inside evidence is required at its path")
    func evidencePublisher() {
        let data = minimal(.commitmentProgressed).setting("evidence", json: #"[{"title":"보도자료"}]"#)
        #expect(
            violationLines(ShapeRules.check(data, of: .commitmentProgressed)) == [
                "data.evidence[0].publisher: is required"
            ])
    }

    @Test(
        "source URLs must be http or https",
        arguments: [
            sourceSlot(.consultationHeld, "sources", "url"), sourceSlot(.requestAnswered, "evidence", "url"),
            sourceSlot(.commitmentProgressed, "evidence", "url"),
        ])
    func urls(slot: Slot) {
        let good = [
            "https://www.newstomato.com/ReadNews.aspx?no=1185370", "http://example.org", "HTTPS://WWW.ETNEWS.COM/2023",
            "https://ko.wikipedia.org/wiki/과학기술정보통신부", "https://" + String(repeating: "a", count: 1992),
        ]
        for url in good {
            expectAccepted(url, at: slot)
        }
        let bad = [
            "ftp://x", "ftp://example.org/file", "https://", "http://", "www.newstomato.com", "example.org",
            "https://exa mple.org", "https://example.org/\n", "javascript:alert(1)", "mailto:desk@example.org", "",
            "https://" + String(repeating: "a", count: 1993),
        ]
        for url in bad {
            expectRefused(url, at: slot, "is not an http(s) URL")
        }
    }

    @Test("topics are 1–50 characters with no blanks at either end")
    func topics() {
        let slot = Slot(.statementRecorded, "topics", #"["data","VALUE"]"#, at: "data.topics[1]")
        for topic in ["sovereign-ai", "반도체", "AI 기본법", "e\u{301}", String(repeating: "가", count: 50)] {
            expectAccepted(topic, at: slot)
        }
        for topic in ["", " data", "data ", "\tdata", String(repeating: "가", count: 51)] {
            expectRefused(topic, at: slot, "is not a topic (1–50 characters, no blanks at either end)")
        }
    }
}
