import Foundation

/// Decides whether a batch of events may be appended to the log as the index describes it.
///
/// Pure: the index holds what the store knows about the records the batch refers to. Events are
/// checked in order, each against the store and the events before it in the batch.
public enum BatchRules {
    /// One event of a batch, its envelope already checked.
    public struct Event: Sendable {
        public var id: UUID
        public var type: EventType
        /// The data as written, in version `schemaVersion` of its type.
        public var data: JSONObject
        public var schemaVersion: Int
        /// The data upcast to the current version: what every rule after the shape reads.
        public var current: JSONObject

        /// `schemaVersion` nil: the version the data's shape says (`Upcasting.inputVersion`).
        public init(id: UUID, type: EventType, data: JSONObject, schemaVersion: Int? = nil) {
            self.id = id
            self.type = type
            self.data = data
            self.schemaVersion =
                schemaVersion ?? (try? Upcasting.inputVersion(of: type, data: data).get()) ?? type.schemaVersion
            self.current = Upcasting.upcast(data, of: type, from: self.schemaVersion)
        }
    }

    /// Every violation of the batch, as (index in the batch, violation), in batch order.
    /// `index` is updated with the batch's events.
    public static func check(_ batch: [Event], against index: inout RecordIndex) -> [(Int, Violation)] {
        var violations: [(Int, Violation)] = []
        for (position, event) in batch.enumerated() {
            let found = check(event, index: index)
            if found.isEmpty {
                index.apply(id: event.id, type: event.type, data: event.current)
            } else {
                violations += found.map { (position, $0) }
                index.applyRefused(id: event.id, type: event.type, data: event.current)
            }
        }
        return violations
    }

    /// The violations of one event: its shape, then its references and dates.
    public static func check(_ event: Event, index: RecordIndex) -> [Violation] {
        let shape = ShapeRules.check(event.data, of: event.type, version: event.schemaVersion)
        guard shape.isEmpty else { return shape }
        switch event.type {
        case .recordCorrected:
            return correction(event.current, index: index)
        case .recordRetracted:
            return retraction(event.current, index: index)
        default:
            return references(event.type, event.current, index: index, path: "data", isNew: true)
        }
    }

    /// References, registrations and dates of a non-correction event.
    static func references(
        _ type: EventType, _ data: JSONObject, index: RecordIndex, path: String, isNew: Bool
    ) -> [Violation] {
        var violations: [Violation] = []
        func string(_ field: String) -> String? { data[field]?.stringValue }
        func strings(_ field: String) -> [String] { data[field]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func missing(_ field: String, _ what: String, _ id: String) {
            violations.append(
                Violation(
                    field: "\(path).\(field)",
                    message: "\(what) \"\(id)\" is not recorded (neither in the store nor earlier in this batch)"))
        }
        func stakeholder(_ field: String) {
            if let id = string(field), !index.stakeholders.contains(id) { missing(field, "stakeholder", id) }
        }
        func consultation(_ field: String) {
            if let id = string(field), index.consultations[id] == nil { missing(field, "consultation", id) }
        }
        func commitment(_ field: String) {
            if let id = string(field), index.commitments[id] == nil { missing(field, "commitment", id) }
        }
        func twice(_ field: String, _ what: String, _ exists: Bool) {
            if isNew, exists, let id = string(field) {
                violations.append(
                    Violation(
                        field: "\(path).\(field)",
                        message: "\(what) \"\(id)\" is already recorded; correct it with RecordCorrected instead"))
            }
        }
        func notBefore(_ field: String, _ record: RecordIndex.DatedRecord?) {
            guard let record, let text = string(field), let on = CalendarDate(text), on < record.date else { return }
            violations.append(
                Violation(field: "\(path).\(field)", message: "\(text) is before \(record.what) (\(record.date))"))
        }
        /// A statement, request or commitment dated within its consultation's days.
        func withinConsultation() {
            guard let text = string("on"), let on = CalendarDate(text),
                let days = string("consultationId").flatMap({ index.consultations[$0] }), !days.contains(on)
            else { return }
            violations.append(
                Violation(
                    field: "\(path).on",
                    message: "\(text) is not within the consultation's days (\(days.description))"))
        }

        switch type {
        case .stakeholderRegistered:
            twice("stakeholderId", "stakeholder", string("stakeholderId").map(index.stakeholders.contains) ?? false)
        case .stakeholderChanged:
            stakeholder("stakeholderId")
        case .consultationHeld:
            twice(
                "consultationId", "consultation",
                string("consultationId").map { index.consultations[$0] != nil } ?? false)
            // A corrected consultation keeps what was recorded at it with its own date within its days.
            if !isNew, let id = string("consultationId"),
                let starts = string("startsOn").flatMap(CalendarDate.init)
            {
                let days = RecordIndex.Days(startsOn: starts, endsOn: string("endsOn").flatMap(CalendarDate.init))
                for (key, on) in (index.datedRecords[id] ?? [:]).sorted(by: { $0.key < $1.key })
                where !days.contains(on) {
                    let field = on < starts || data["endsOn"] == nil ? "startsOn" : "endsOn"
                    violations.append(
                        Violation(
                            field: "\(path).\(field)",
                            message:
                                "leaves the \(key) (on \(on)) outside the consultation's days (\(days.description))"))
                }
            }
        case .statementRecorded:
            consultation("consultationId")
            stakeholder("speakerId")
            twice("statementId", "statement", string("statementId").map(index.statements.contains) ?? false)
            withinConsultation()
        case .requestMade:
            consultation("consultationId")
            stakeholder("requesterId")
            for (offset, id) in strings("addressedToIds").enumerated() where !index.stakeholders.contains(id) {
                missing("addressedToIds[\(offset)]", "stakeholder", id)
            }
            twice("requestId", "request", string("requestId").map { index.requests[$0] != nil } ?? false)
            withinConsultation()
        case .requestAnswered:
            if let id = string("requestId"), index.requests[id] == nil { missing("requestId", "request", id) }
            notBefore("on", string("requestId").flatMap(index.date(ofRequest:)))
        case .commitmentMade:
            consultation("consultationId")
            stakeholder("madeById")
            stakeholder("ownerId")
            for (offset, id) in strings("respondsToRequestIds").enumerated() where index.requests[id] == nil {
                missing("respondsToRequestIds[\(offset)]", "request", id)
            }
            twice("commitmentId", "commitment", string("commitmentId").map { index.commitments[$0] != nil } ?? false)
            withinConsultation()
        case .commitmentRestated:
            commitment("commitmentId")
            consultation("consultationId")
        case .commitmentProgressed:
            commitment("commitmentId")
            notBefore("on", string("commitmentId").flatMap(index.date(ofCommitment:)))
        case .followUpScheduled:
            commitment("commitmentId")
        case .recordCorrected, .recordRetracted:
            break
        }
        return violations
    }

    static func target(
        _ data: JSONObject, field: String, index: RecordIndex
    ) -> Result<(UUID, RecordIndex.KnownEvent), Violation> {
        let text = data[field]?.stringValue ?? ""
        guard let id = UUID(uuidString: text), let known = index.events[id] else {
            return .failure(
                Violation(
                    field: "data.\(field)",
                    message: "no event with id \(text) is recorded (neither in the store nor earlier in this batch)"))
        }
        if known.isRetracted {
            return .failure(Violation(field: "data.\(field)", message: "event \(text) was retracted"))
        }
        if known.type == .recordRetracted {
            return .failure(
                Violation(field: "data.\(field)", message: "event \(text) is a retraction, which stands as recorded"))
        }
        return .success((id, known))
    }

    static func retraction(_ data: JSONObject, index: RecordIndex) -> [Violation] {
        if case .failure(let violation) = target(data, field: "retractsEventId", index: index) { return [violation] }
        return []
    }

    /// A correction may replace only fields its target's type has (not the record's own id), and
    /// the corrected event must pass every rule.
    static func correction(_ data: JSONObject, index: RecordIndex) -> [Violation] {
        let found: (UUID, RecordIndex.KnownEvent)
        switch target(data, field: "correctsEventId", index: index) {
        case .failure(let violation): return [violation]
        case .success(let value): found = value
        }
        let known = found.1
        if known.type == .recordCorrected {
            return [
                Violation(
                    field: "data.correctsEventId",
                    message:
                        "event \(found.0.uuidString.lowercased()) is a correction; correct the original event instead")
            ]
        }
        guard let given = data["changes"]?.objectValue else { return [] }
        // Changes may name a field as an earlier version did (`date`): they are upcast first.
        if case .failure(let violation) = Upcasting.inputVersion(of: known.type, data: given, path: "data.changes") {
            return [violation]
        }
        let changes = Upcasting.upcastChanges(given, of: known.type)
        let fields = EventSchema.fields(of: known.type).map(\.name)
        let fixed = immutableFields(of: known.type)
        var violations: [Violation] = []
        var corrected = known.data
        for (key, value) in changes {
            if !fields.contains(key) {
                violations.append(
                    Violation(
                        field: "data.changes.\(key)",
                        message:
                            "is not a field of \(known.type.rawValue) (its fields: \(fields.joined(separator: ", ")))"))
            } else if fixed.contains(key) {
                violations.append(
                    Violation(
                        field: "data.changes.\(key)",
                        message: "is the record's id and cannot be corrected; retract the event and record it anew"))
            } else {
                corrected[key] = value.isNull ? nil : value
            }
        }
        guard violations.isEmpty else { return violations }
        let rewritten =
            ShapeRules.check(corrected, of: known.type)
            + references(known.type, corrected, index: index, path: "data", isNew: false)
        // A field the correction changed is named under data.changes; any other rule the corrected
        // event now breaks is named as the target's field.
        return rewritten.map { violation in
            var violation = violation
            let field = violation.field.dropFirst(5)  // "data."
            let key = field.prefix { $0 != "." && $0 != "[" }
            if violation.field == "data" {
                violation.field = "data.changes"
                violation.message += " (after the correction)"
            } else if violation.field.hasPrefix("data."), changes[String(key)] != nil {
                // Named as the correction names it (`date`, when it wrote an earlier version's name).
                let written =
                    Upcasting.registry.first {
                        $0.type == known.type && $0.replacedBy == key && given[$0.marker] != nil
                    }?.marker
                violation.field = "data.changes." + (written.map { $0 + field.dropFirst(key.count) } ?? String(field))
                violation.message += " (after the correction)"
            } else {
                violation.message = "in the corrected event, \(violation.field) \(violation.message)"
                violation.field = "data.correctsEventId"
            }
            return violation
        }
    }

    /// Fields that name the record itself (its stream, its own id).
    static func immutableFields(of type: EventType) -> Set<String> {
        var fields: Set<String> = []
        if case .record(_, let idField) = type.streamRule { fields.insert(idField) }
        if type == .statementRecorded { fields.insert("statementId") }
        return fields
    }
}
