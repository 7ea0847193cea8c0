import ConsultDomain
import EventStore
import Foundation

/// Checks a parsed batch against the log, inside the append's transaction: loads what the batch
/// refers to in a few set-based queries, builds a `RecordIndex`, and runs the domain rules.
enum BatchChecker {
    /// Types whose events say a record exists, and the events that change them.
    static let indexTypes: [String] = [
        EventType.stakeholderRegistered, .consultationHeld, .requestMade, .commitmentMade, .statementRecorded,
        .recordCorrected, .recordRetracted,
    ].map(\.rawValue)

    /// Throws a `CommandFailure` (exit 65) naming every violation's line and field.
    static func check(_ parsed: EventFileParser.Parsed, sourceName: String, lookup: EventLookup) throws {
        // Events whose id is stored already are skipped before any rule (the store reports them).
        let stored = Set(try lookup.events(ids: parsed.domainEvents.map(\.id)).map(\.id))
        var seen = Set<UUID>()
        var pending: [(position: Int, event: BatchRules.Event)] = []
        for (position, event) in parsed.domainEvents.enumerated() where !stored.contains(event.id) {
            if seen.insert(event.id).inserted { pending.append((position, event)) }
        }
        guard !pending.isEmpty else { return }

        var index = RecordIndex()
        for event in try facts(for: pending.map(\.event), lookup: lookup) {
            guard let type = EventType(rawValue: event.type),
                let data = (try? JSONValue.parse(event.data))?.objectValue
            else { continue }
            index.apply(id: event.id, type: type, data: data)
        }
        let violations = BatchRules.check(pending.map(\.event), against: &index)
        guard !violations.isEmpty else { return }
        throw EventFileParser.invalidInput(
            sourceName: sourceName, violations: violations.map { (pending[$0.0].position, $0.1) },
            lines: parsed.lines)
    }

    /// The stored events the batch's rules depend on, in log order: registrations of the records it
    /// names, statements with its statement ids, the events its corrections and retractions target,
    /// and the corrections and retractions of all of those.
    static func facts(for batch: [BatchRules.Event], lookup: EventLookup) throws -> [RecordedEvent] {
        var streams = Set<String>()
        var statementIDs = Set<String>()
        var targets = Set<UUID>()
        for event in batch {
            collectReferences(event.type, event.data, into: &streams)
            if event.type == .statementRecorded, let id = event.data["statementId"]?.stringValue {
                statementIDs.insert(id)
            }
            if case .targetEvent(let field) = event.type.streamRule,
                let id = event.data[field]?.stringValue.flatMap(UUID.init(uuidString:))
            {
                targets.insert(id)
            }
            if event.type == .recordCorrected, let changes = event.data["changes"]?.objectValue {
                // A correction may point its target at other records.
                var referenced = Set<String>()
                collectReferences(nil, changes, into: &referenced)
                streams.formUnion(referenced)
            }
        }
        var found: [UUID: RecordedEvent] = [:]
        func keep(_ events: [RecordedEvent]) { for event in events { found[event.id] = event } }
        var fetched = Set<String>()
        func fetch(_ wanted: Set<String>) throws {
            let missing = wanted.subtracting(fetched)
            guard !missing.isEmpty else { return }
            fetched.formUnion(missing)
            keep(try lookup.events(inStreams: Array(missing), types: indexTypes))
        }
        try fetch(streams)
        let others = try lookup.statements(ids: Array(statementIDs)) + lookup.events(ids: Array(targets))
        keep(others)
        // Corrections of those, the records they name (a corrected event is checked again), and the
        // consultations whose dates requests and commitments need.
        var second = Set(others.map(\.streamID))
        for event in others {
            if let type = EventType(rawValue: event.type), let data = (try? JSONValue.parse(event.data))?.objectValue {
                collectReferences(type, data, into: &second)
            }
        }
        for event in found.values where event.type == "RequestMade" || event.type == "CommitmentMade" {
            if let data = (try? JSONValue.parse(event.data))?.objectValue,
                let consultation = data["consultationId"]?.stringValue
            {
                second.insert(RecordKind.consultation.streamID(consultation))
            }
        }
        try fetch(second)
        return found.values.sorted { $0.logPosition < $1.logPosition }
    }

    /// The streams of every record `data` names by id.
    static func collectReferences(_ type: EventType?, _ data: JSONObject, into streams: inout Set<String>) {
        let kinds: [String: RecordKind] = [
            "stakeholderId": .stakeholder, "speakerId": .stakeholder, "requesterId": .stakeholder,
            "madeById": .stakeholder, "ownerId": .stakeholder, "addressedToIds": .stakeholder,
            "consultationId": .consultation, "requestId": .request, "respondsToRequestIds": .request,
            "commitmentId": .commitment,
        ]
        for (field, value) in data {
            guard let kind = kinds[field] else { continue }
            let ids = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
            for id in ids where Slug.isValid(id) { streams.insert(kind.streamID(id)) }
        }
    }
}
