import ConsultDomain
import Projections

/// A row of a read-model query as JSON: an object with SPEC.md's camelCase keys, in the order
/// `keys` gives. Every interface serializes rows with this code, so a JSON API item is byte for
/// byte a `--format json` row.
public protocol RecordJSON {
    /// The object's keys, in order (also the CSV columns).
    static var keys: [String] { get }
    /// The row as a JSON object.
    var json: JSONObject { get }
}

extension JSONValue {
    /// A string, or null.
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
    /// A date as `YYYY-MM-DD`, or null.
    public static func optional(_ date: CalendarDate?) -> JSONValue { date.map { .string($0.description) } ?? .null }
    /// An array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
    /// An integer.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
}

extension CommitmentRow: RecordJSON {
    public static let keys = [
        "commitmentId", "summary", "ownerId", "ownerName", "ownerSector", "madeById", "makerName", "makerTitle",
        "consultationId", "consultationTitle", "consultationKind", "madeOn", "due", "dueText", "originalDueBy", "dueBy",
        "slips", "status", "statusOn", "schedule", "overdue", "lastNote", "restatements", "followUps",
        "respondsToRequestIds", "topics",
    ]

    public var json: JSONObject {
        JSONObject(distinctMembers: [
            ("commitmentId", .string(state.commitmentID)),
            ("summary", .string(state.summary)),
            ("ownerId", .string(state.ownerID)),
            ("ownerName", .optional(state.ownerName)),
            ("ownerSector", .optional(state.ownerSector)),
            ("madeById", .string(state.madeByID)),
            ("makerName", .optional(state.makerName)),
            ("makerTitle", .optional(state.makerTitle)),
            ("consultationId", .string(state.consultationID)),
            ("consultationTitle", .optional(state.consultationTitle)),
            ("consultationKind", .optional(state.consultationKind)),
            ("madeOn", .optional(state.madeOn)),
            ("due", .optional(state.due)),
            ("dueText", .optional(state.dueText)),
            ("originalDueBy", .optional(state.originalDueBy)),
            ("dueBy", .optional(state.dueBy)),
            ("slips", .int(state.slips)),
            ("status", .string(state.status)),
            ("statusOn", .optional(state.statusOn)),
            ("schedule", .string(schedule.rawValue)),
            ("overdue", .bool(schedule == .overdue)),
            ("lastNote", .optional(state.lastNote)),
            ("restatements", .int(state.restatements)),
            ("followUps", .int(followUps)),
            ("respondsToRequestIds", .strings(state.respondsToRequestIDs)),
            ("topics", .strings(state.topics)),
        ])
    }
}

extension RequestRow: RecordJSON {
    public static let keys = [
        "requestId", "consultationId", "requesterId", "addressedToIds", "summary", "topics", "answers",
        "commitmentIds", "unanswered",
    ]

    public var json: JSONObject {
        var object = JSONObject()
        object["requestId"] = .string(requestID)
        object["consultationId"] = .string(consultationID)
        object["requesterId"] = .string(requesterID)
        object["addressedToIds"] = .strings(addressedToIDs)
        object["summary"] = .string(summary)
        object["topics"] = .strings(topics)
        object["answers"] = .array(answers)
        object["commitmentIds"] = .strings(commitmentIDs)
        object["unanswered"] = .bool(isUnanswered)
        return object
    }
}

extension FollowUpRow: RecordJSON {
    public static let keys = ["commitmentId", "checkOn", "assignee", "note", "done", "due"]

    public var json: JSONObject {
        var object = JSONObject()
        object["commitmentId"] = .string(commitmentID)
        object["checkOn"] = .string(checkOn.description)
        object["assignee"] = .optional(assignee)
        object["note"] = .optional(note)
        object["done"] = .bool(isDone)
        object["due"] = .bool(isDue)
        return object
    }
}

extension StakeholderRow: RecordJSON {
    public static let keys = [
        "stakeholderId", "name", "kind", "sector", "title", "affiliationId", "party", "aliases", "statements",
        "requests", "commitmentsMade", "commitmentsOwned", "outstanding", "overdue",
    ]

    public var json: JSONObject {
        var object = JSONObject()
        object["stakeholderId"] = .string(stakeholderID)
        object["name"] = .string(name)
        object["kind"] = .string(kind)
        object["sector"] = .string(sector)
        object["title"] = .optional(title)
        object["affiliationId"] = .optional(affiliationID)
        object["party"] = .optional(party)
        object["aliases"] = .strings(aliases)
        object["statements"] = .int(statements)
        object["requests"] = .int(requests)
        object["commitmentsMade"] = .int(commitmentsMade)
        object["commitmentsOwned"] = .int(commitmentsOwned)
        object["outstanding"] = .int(outstanding)
        object["overdue"] = .int(overdue)
        return object
    }
}

extension ConsultationRow: RecordJSON {
    public static let keys = [
        "consultationId", "kind", "title", "date", "startsOn", "endsOn", "venue", "organizerIds", "participants",
        "statements", "requests", "commitments",
    ]

    public var json: JSONObject {
        var object = JSONObject()
        object["consultationId"] = .string(consultationID)
        object["kind"] = .string(kind)
        object["title"] = .string(title)
        // `date` (= startsOn) for readers of version 1, when a consultation had one day.
        object["date"] = .optional(startsOn)
        object["startsOn"] = .optional(startsOn)
        object["endsOn"] = .optional(endsOn)
        object["venue"] = .optional(venue)
        object["organizerIds"] = .strings(organizerIDs)
        object["participants"] = .array(participants)
        object["statements"] = .int(statements)
        object["requests"] = .int(requests)
        object["commitments"] = .int(commitments)
        return object
    }
}

extension SearchHit: RecordJSON {
    public static let keys = ["kind", "id", "field", "text", "consultationId"]

    public var json: JSONObject {
        var object = JSONObject()
        object["kind"] = .string(kind)
        object["id"] = .string(id)
        object["field"] = .string(field)
        object["text"] = .string(text)
        object["consultationId"] = .optional(consultationID)
        return object
    }
}
