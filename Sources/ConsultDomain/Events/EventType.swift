/// The twelve kinds of event the tracker records (SPEC.md, "Events").
public enum EventType: String, CaseIterable, Sendable, Hashable {
    case stakeholderRegistered = "StakeholderRegistered"
    case stakeholderChanged = "StakeholderChanged"
    case consultationHeld = "ConsultationHeld"
    case statementRecorded = "StatementRecorded"
    case requestMade = "RequestMade"
    case requestAnswered = "RequestAnswered"
    case commitmentMade = "CommitmentMade"
    case commitmentRestated = "CommitmentRestated"
    case commitmentProgressed = "CommitmentProgressed"
    case followUpScheduled = "FollowUpScheduled"
    case recordCorrected = "RecordCorrected"
    case recordRetracted = "RecordRetracted"

    /// The current version of this type's data schema (`Upcasting`); the store records with every
    /// event the version it was written in.
    public var schemaVersion: Int { Upcasting.currentVersion(of: self) }

    /// Which stream an event of this type belongs to.
    public var streamRule: StreamRule {
        switch self {
        case .stakeholderRegistered, .stakeholderChanged:
            .record(prefix: "stakeholder", idField: "stakeholderId")
        case .consultationHeld, .statementRecorded:
            .record(prefix: "consultation", idField: "consultationId")
        case .requestMade, .requestAnswered:
            .record(prefix: "request", idField: "requestId")
        case .commitmentMade, .commitmentRestated, .commitmentProgressed, .followUpScheduled:
            .record(prefix: "commitment", idField: "commitmentId")
        case .recordCorrected:
            .targetEvent(field: "correctsEventId")
        case .recordRetracted:
            .targetEvent(field: "retractsEventId")
        }
    }
}

/// How an event's stream is derived from its data.
public enum StreamRule: Sendable, Hashable {
    /// `<prefix>-<data[idField]>`, e.g. `commitment-msit-gpu-2024`.
    case record(prefix: String, idField: String)
    /// The stream of the event whose id is `data[field]`.
    case targetEvent(field: String)
}

/// The record kinds whose ids name streams, for looking a record up by its id.
public enum RecordKind: String, CaseIterable, Sendable {
    case stakeholder, consultation, request, commitment

    /// The stream of the record with this id.
    public func streamID(_ id: String) -> String { "\(rawValue)-\(id)" }

    /// The record id of one of this kind's streams (the inverse of `streamID`).
    public func recordID(ofStream streamID: String) -> String { String(streamID.dropFirst(rawValue.count + 1)) }
}
