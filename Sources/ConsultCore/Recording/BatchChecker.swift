import ConsultDomain
import EventStore
import Foundation

/// Checks a parsed batch against the log, inside the append's transaction: loads what the batch
/// refers to in a few set-based queries, builds a `RecordIndex`, and runs the domain rules.
public enum BatchChecker {
    /// Types whose events say a record exists, and the events that change them.
    static let indexTypes: [String] = [
        EventType.stakeholderRegistered, .consultationHeld, .requestMade, .commitmentMade, .statementRecorded,
        .recordCorrected, .recordRetracted,
    ].map(\.rawValue)

    /// Throws a `ConsultFailure` (exit 65) naming every violation's line and field.
    public static func check(_ parsed: EventFileParser.Parsed, sourceName: String, lookup: any EventLookup) throws {
        let violations = try violations(parsed, lookup: lookup)
        guard !violations.isEmpty else { return }
        throw EventFileParser.invalidInput(sourceName: sourceName, violations: violations, lines: parsed.lines)
    }

    /// Every violation of `parsed`'s events, as (index in `parsed.events`, violation), in order.
    ///
    /// With `locking` the records the batch touches are locked first; a batch written in parts
    /// holds the whole log instead. `refused` are events of earlier parts of the same batch the
    /// rules refused: a registration among them defines its id for the rules, as within one part
    /// (`RecordIndex.applyRefused`), so later events are not reported for referring to it; an
    /// event with a refused event's id is skipped, as a second line with an id is in one batch.
    public static func violations(
        _ parsed: EventFileParser.Parsed, lookup: any EventLookup, locking: Bool = true,
        refused: [BatchRules.Event] = [], refusedIDs: Set<UUID> = []
    ) throws -> [(Int, Violation)] {
        // Events whose id is stored already are skipped before any rule (the store reports them).
        let stored = try lookup.storedIDs(parsed.domainEvents.map(\.id))
        var seen = refusedIDs
        var pending: [(position: Int, event: BatchRules.Event)] = []
        for (position, event) in parsed.domainEvents.enumerated() where !stored.contains(event.id) {
            if seen.insert(event.id).inserted { pending.append((position, event)) }
        }
        guard !pending.isEmpty else { return [] }
        let references = BatchReferences(pending.map(\.event))
        // Stored events never change, so the targets may be read once, before locking.
        let targets = try lookup.events(ids: Array(references.targets))
        if locking { try lockRecords(references, targets: targets, lookup: lookup) }

        var index = try storedIndex(references, targets: targets, lookup: lookup)
        for event in refused { index.applyRefused(id: event.id, type: event.type, data: event.current) }
        return BatchRules.check(pending.map(\.event), against: &index).map { (pending[$0.0].position, $0.1) }
    }

    /// Above this many record keys, a batch locks the whole log instead (the lock table is small).
    static let maximumRecordLocks = 2000

    /// Serializes this batch with concurrent ones that touch the same records, before anything is
    /// read for the rules: otherwise two batches could each check against a log without the
    /// other's events and both be written (the same commitment registered twice, a statement id
    /// used in two consultations, a reference to a record retracted meanwhile). Registering,
    /// correcting or retracting takes a record exclusively; referring to it takes it shared. Every
    /// batch also holds the log shared, and a batch too large for per-record locks holds it
    /// exclusively.
    static func lockRecords(_ references: BatchReferences, targets: [RecordedEvent], lookup: any EventLookup) throws {
        var exclusive = references.registered
        var shared = references.streams
        for target in targets {
            exclusive.insert(target.streamID)
            if target.type == EventType.statementRecorded.rawValue,
                let id = target.currentData?["statementId"]?.stringValue
            {
                exclusive.insert("statement:\(id)")
            }
        }
        shared.subtract(exclusive)
        if exclusive.count + shared.count > maximumRecordLocks {
            try lookup.lock(exclusive: ["consult:log"], shared: [])
        } else {
            try lookup.lock(exclusive: exclusive.sorted(), shared: shared.sorted() + ["consult:log"])
        }
    }

    /// The index of the stored events the batch's rules depend on: registrations of the records it
    /// names, statements with its statement ids, the events its corrections and retractions target,
    /// and the corrections and retractions of all of those.
    static func storedIndex(_ references: BatchReferences, targets: [RecordedEvent], lookup: any EventLookup) throws
        -> RecordIndex
    {
        // Each stored event is parsed once, however many rounds below rebuild the index.
        var found: [UUID: (logPosition: LogPosition, type: EventType, data: JSONObject)] = [:]
        func keep(_ events: [RecordedEvent]) {
            for event in events where found[event.id] == nil {
                guard let type = EventType(rawValue: event.type), let data = event.currentData else { continue }
                found[event.id] = (event.logPosition, type, data)
            }
        }
        var index = RecordIndex()
        var fetched = Set<String>()
        func fetch(_ wanted: Set<String>) throws {
            let missing = wanted.subtracting(fetched)
            guard !missing.isEmpty else { return }
            fetched.formUnion(missing)
            keep(try lookup.events(inStreams: Array(missing), types: indexTypes))
        }
        try fetch(references.streams)
        // A corrected consultation's requests and commitments (in streams of their own), whose
        // dates must stay within its days.
        let correctedConsultations = targets.filter { $0.type == EventType.consultationHeld.rawValue }
            .compactMap { $0.currentData?["consultationId"]?.stringValue }
        var recordedAt: [RecordedEvent] = []
        for type in [EventType.requestMade, .commitmentMade] where !correctedConsultations.isEmpty {
            recordedAt += try lookup.events(
                ofType: type.rawValue, whereDataField: "consultationId", isAnyOf: correctedConsultations)
        }
        let others =
            try lookup.events(
                ofType: EventType.statementRecorded.rawValue, whereDataField: "statementId",
                isAnyOf: Array(references.statementIDs)) + targets + recordedAt
        keep(others)
        // Then, until nothing new is needed: the corrections of what was loaded, the records its
        // current (corrected) data names — a corrected event is checked again — and the
        // consultations whose dates requests and commitments need.
        var wanted = Set(others.map(\.streamID))
        let targetAndStatementIDs = others.map(\.id)
        for _ in 0..<6 {
            try fetch(wanted)
            index = RecordIndex()
            for (id, event) in found.sorted(by: { $0.value.logPosition < $1.value.logPosition }) {
                index.apply(id: id, type: event.type, data: event.data)
            }
            var needed = Set<String>()
            for id in targetAndStatementIDs {
                if let known = index.events[id], !known.isRetracted {
                    collectReferences(known.type, known.data, into: &needed)
                }
            }
            for consultation in Array(index.requests.values) + Array(index.commitments.values) {
                needed.insert(RecordKind.consultation.streamID(consultation))
            }
            wanted = needed.subtracting(fetched)
            if wanted.isEmpty { break }
        }
        return index
    }

    /// What a batch names, gathered once for both the locks and the loading of stored facts.
    struct BatchReferences {
        /// Streams of the records the batch refers to, corrections' new values included.
        var streams = Set<String>()
        /// Lock keys of the records the batch registers.
        var registered = Set<String>()
        var statementIDs = Set<String>()
        /// Events its corrections and retractions target.
        var targets = Set<UUID>()

        init(_ batch: [BatchRules.Event]) {
            for event in batch {
                collectReferences(event.type, event.data, into: &streams)
                switch event.type {
                case .stakeholderRegistered, .consultationHeld, .requestMade, .commitmentMade:
                    if case .record(let prefix, let field) = event.type.streamRule,
                        let id = event.data[field]?.stringValue
                    {
                        registered.insert("\(prefix)-\(id)")
                    }
                case .statementRecorded:
                    if let id = event.data["statementId"]?.stringValue {
                        statementIDs.insert(id)
                        registered.insert("statement:\(id)")
                    }
                case .recordCorrected, .recordRetracted:
                    if case .targetEvent(let field) = event.type.streamRule,
                        let id = event.data[field]?.stringValue.flatMap(UUID.init(uuidString:))
                    {
                        targets.insert(id)
                    }
                    // A correction may point its target at other records.
                    if let changes = event.data["changes"]?.objectValue {
                        collectReferences(nil, changes, into: &streams)
                    }
                default:
                    break
                }
            }
        }
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
