import Foundation

/// What the rules need to know about records already in the log (or earlier in a batch): which
/// ids are registered, the dates references are checked against, and every event that a
/// correction or retraction may target, as corrected so far.
///
/// Built by applying events in log order, the stored ones a batch refers to first, then the
/// batch's own, so "earlier in the same batch" counts exactly like "in the store".
public struct RecordIndex: Sendable {
    /// An event as it stands after the corrections and retractions applied to it.
    public struct KnownEvent: Sendable {
        public var type: EventType
        /// The data as recorded, before any correction.
        public var original: JSONObject
        /// Corrections in force, in log order (a retracted correction is removed).
        public var corrections: [(id: UUID, changes: JSONObject)] = []
        public var isRetracted: Bool

        /// The data with the corrections in force applied; `null` in a correction removes a field.
        public var data: JSONObject {
            var data = original
            for correction in corrections {
                for (key, value) in correction.changes { data[key] = value.isNull ? nil : value }
            }
            return data
        }
    }

    /// A consultation's days: from `startsOn` to `endsOn` (the same day when nil).
    public struct Days: Sendable, Hashable {
        public var startsOn: CalendarDate
        public var endsOn: CalendarDate?

        public init(startsOn: CalendarDate, endsOn: CalendarDate? = nil) {
            self.startsOn = startsOn
            self.endsOn = endsOn
        }

        public var lastDay: CalendarDate { endsOn ?? startsOn }

        public func contains(_ date: CalendarDate) -> Bool { startsOn <= date && date <= lastDay }

        /// `2023-03-08`, or `2023-03-08 to 2023-04-17`.
        public var description: String { endsOn.map { "\(startsOn) to \($0)" } ?? startsOn.description }
    }

    /// The date of an event a later one may not come before, and what it is, for messages.
    public struct DatedRecord: Sendable, Hashable {
        public var date: CalendarDate
        /// "the request", "the request's consultation", …
        public var what: String
    }

    public private(set) var stakeholders: Set<String> = []
    /// Consultation id → its days.
    public private(set) var consultations: [String: Days] = [:]
    /// Request id → its consultation id.
    public private(set) var requests: [String: String] = [:]
    /// Commitment id → its consultation id.
    public private(set) var commitments: [String: String] = [:]
    public private(set) var statements: Set<String> = []
    /// Consultation id → the statements, requests and commitments recorded at it with their own
    /// date (`on`), keyed `statement s-1`, `request r-1`, `commitment c-1`: what a correction of
    /// the consultation's days must not leave outside them.
    public private(set) var datedRecords: [String: [String: CalendarDate]] = [:]
    public private(set) var events: [UUID: KnownEvent] = [:]

    public init() {}

    /// The date request `id` was made (its `on`, else its consultation's first day), when known.
    public func date(ofRequest id: String) -> DatedRecord? {
        guard let consultation = requests[id] else { return nil }
        if let on = datedRecords[consultation]?["request \(id)"] { return DatedRecord(date: on, what: "the request") }
        return consultations[consultation].map { DatedRecord(date: $0.startsOn, what: "the request's consultation") }
    }

    /// The date commitment `id` was made (its `on`, else its consultation's first day), when known.
    public func date(ofCommitment id: String) -> DatedRecord? {
        guard let consultation = commitments[id] else { return nil }
        if let on = datedRecords[consultation]?["commitment \(id)"] {
            return DatedRecord(date: on, what: "the commitment")
        }
        return consultations[consultation].map {
            DatedRecord(date: $0.startsOn, what: "the commitment's consultation")
        }
    }

    /// Applies one event recorded in the log (or accepted earlier in the batch).
    public mutating func apply(id: UUID, type: EventType, data: JSONObject) {
        switch type {
        case .recordCorrected:
            guard let target = Self.target(data, "correctsEventId"), var known = events[target], !known.isRetracted,
                let changes = data["changes"]?.objectValue
            else { break }
            unregister(known)
            known.corrections.append((id, Upcasting.upcastChanges(changes, of: known.type)))
            events[target] = known
            register(known)
        case .recordRetracted:
            guard let target = Self.target(data, "retractsEventId"), var known = events[target], !known.isRetracted
            else { break }
            unregister(known)
            known.isRetracted = true
            events[target] = known
            // Retracting a correction puts its target back as it was without it.
            if known.type == .recordCorrected, let corrected = Self.target(known.original, "correctsEventId"),
                var original = events[corrected]
            {
                unregister(original)
                original.corrections.removeAll { $0.id == target }
                events[corrected] = original
                if !original.isRetracted { register(original) }
            }
        default:
            break
        }
        let known = KnownEvent(type: type, original: data, isRetracted: false)
        events[id] = known
        register(known)
    }

    /// Applies an event the rules refused, only so that later events in the batch are not
    /// reported for referring to it: a registration defines its id if nothing does yet; nothing
    /// else changes.
    public mutating func applyRefused(id: UUID, type: EventType, data: JSONObject) {
        switch type {
        case .stakeholderRegistered, .consultationHeld, .requestMade, .commitmentMade, .statementRecorded:
            register(KnownEvent(type: type, original: data, isRetracted: false), overwriting: false)
        default:
            break
        }
    }

    private static func target(_ data: JSONObject, _ field: String) -> UUID? {
        data[field]?.stringValue.flatMap(UUID.init(uuidString:))
    }

    /// The key and consultation of a statement, request or commitment with its own date.
    private static func dated(_ type: EventType, _ data: JSONObject) -> (key: String, consultation: String)? {
        let kind: String
        switch type {
        case .statementRecorded: kind = "statement"
        case .requestMade: kind = "request"
        case .commitmentMade: kind = "commitment"
        default: return nil
        }
        guard let id = data["\(kind)Id"]?.stringValue, let consultation = data["consultationId"]?.stringValue,
            data["on"] != nil
        else { return nil }
        return ("\(kind) \(id)", consultation)
    }

    private mutating func register(_ event: KnownEvent, overwriting: Bool = true) {
        let data = event.data
        // Only what was accepted is dated: a refused event only keeps later ones from being
        // reported for naming its id.
        if overwriting, let (key, consultation) = Self.dated(event.type, data),
            let on = data["on"]?.stringValue.flatMap(CalendarDate.init)
        {
            datedRecords[consultation, default: [:]][key] = on
        }
        switch event.type {
        case .stakeholderRegistered:
            if let id = data["stakeholderId"]?.stringValue { stakeholders.insert(id) }
        case .consultationHeld:
            if let id = data["consultationId"]?.stringValue, overwriting || consultations[id] == nil,
                let starts = data["startsOn"]?.stringValue.flatMap(CalendarDate.init)
            {
                consultations[id] = Days(
                    startsOn: starts, endsOn: data["endsOn"]?.stringValue.flatMap(CalendarDate.init))
            }
        case .requestMade:
            if let id = data["requestId"]?.stringValue, overwriting || requests[id] == nil,
                let consultation = data["consultationId"]?.stringValue
            {
                requests[id] = consultation
            }
        case .commitmentMade:
            if let id = data["commitmentId"]?.stringValue, overwriting || commitments[id] == nil,
                let consultation = data["consultationId"]?.stringValue
            {
                commitments[id] = consultation
            }
        case .statementRecorded:
            if let id = data["statementId"]?.stringValue { statements.insert(id) }
        default:
            break
        }
    }

    private mutating func unregister(_ event: KnownEvent) {
        let data = event.data
        if let (key, consultation) = Self.dated(event.type, data) { datedRecords[consultation]?[key] = nil }
        switch event.type {
        case .stakeholderRegistered: data["stakeholderId"]?.stringValue.map { _ = stakeholders.remove($0) }
        case .consultationHeld: data["consultationId"]?.stringValue.map { consultations[$0] = nil }
        case .requestMade: data["requestId"]?.stringValue.map { requests[$0] = nil }
        case .commitmentMade: data["commitmentId"]?.stringValue.map { commitments[$0] = nil }
        case .statementRecorded: data["statementId"]?.stringValue.map { _ = statements.remove($0) }
        default: break
        }
    }
}
