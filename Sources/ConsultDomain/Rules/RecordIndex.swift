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
        public var data: JSONObject
        public var isRetracted: Bool
    }

    public private(set) var stakeholders: Set<String> = []
    /// Consultation id → its date.
    public private(set) var consultations: [String: CalendarDate] = [:]
    /// Request id → its consultation id.
    public private(set) var requests: [String: String] = [:]
    /// Commitment id → its consultation id.
    public private(set) var commitments: [String: String] = [:]
    public private(set) var statements: Set<String> = []
    public private(set) var events: [UUID: KnownEvent] = [:]

    public init() {}

    /// The date of the consultation of request `id`, when both are known.
    public func consultationDate(ofRequest id: String) -> CalendarDate? {
        requests[id].flatMap { consultations[$0] }
    }

    /// The date of the consultation of commitment `id`, when both are known.
    public func consultationDate(ofCommitment id: String) -> CalendarDate? {
        commitments[id].flatMap { consultations[$0] }
    }

    /// Applies one event (valid or not: the index only answers "does it exist").
    public mutating func apply(id: UUID, type: EventType, data: JSONObject) {
        switch type {
        case .recordCorrected:
            guard let target = data["correctsEventId"]?.stringValue.flatMap(UUID.init(uuidString:)),
                var known = events[target], !known.isRetracted, let changes = data["changes"]?.objectValue
            else { break }
            unregister(known)
            for (key, value) in changes { known.data[key] = value.isNull ? nil : value }
            events[target] = known
            register(known)
        case .recordRetracted:
            guard let target = data["retractsEventId"]?.stringValue.flatMap(UUID.init(uuidString:)),
                var known = events[target], !known.isRetracted
            else { break }
            unregister(known)
            known.isRetracted = true
            events[target] = known
        default:
            break
        }
        let known = KnownEvent(type: type, data: data, isRetracted: false)
        events[id] = known
        register(known)
    }

    private mutating func register(_ event: KnownEvent) {
        let data = event.data
        switch event.type {
        case .stakeholderRegistered:
            if let id = data["stakeholderId"]?.stringValue { stakeholders.insert(id) }
        case .consultationHeld:
            if let id = data["consultationId"]?.stringValue,
                let date = data["date"]?.stringValue.flatMap(CalendarDate.init)
            {
                consultations[id] = date
            }
        case .requestMade:
            if let id = data["requestId"]?.stringValue, let consultation = data["consultationId"]?.stringValue {
                requests[id] = consultation
            }
        case .commitmentMade:
            if let id = data["commitmentId"]?.stringValue, let consultation = data["consultationId"]?.stringValue {
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
