import Foundation

/// One event of a record (anything but a correction or a retraction) as it stood during an
/// interval of recording time: from when it, or the correction that made it so, was recorded,
/// until a later correction or retraction was recorded.
///
/// These are the rows of the history view: the state of the log "as recorded at T" is the set of
/// versions whose interval holds T; "as recorded now" is the set with no end.
public struct RecordVersion: Sendable, Hashable {
    public var eventID: UUID
    public var type: EventType
    /// The event's version in its stream; folds apply events in this order.
    public var sequence: Int
    /// The event's data with the corrections in force applied.
    public var data: JSONObject
    public var recordedFrom: Timestamp
    /// Nil while the version stands.
    public var recordedUntil: Timestamp?

    public init(
        eventID: UUID, type: EventType, sequence: Int, data: JSONObject, recordedFrom: Timestamp,
        recordedUntil: Timestamp?
    ) {
        self.eventID = eventID
        self.type = type
        self.sequence = sequence
        self.data = data
        self.recordedFrom = recordedFrom
        self.recordedUntil = recordedUntil
    }

    /// The event's own date field (`on`, or a consultation's `startsOn`), when it has one.
    public var ownDate: CalendarDate? {
        let field = type == .consultationHeld ? "startsOn" : "on"
        return data[field]?.stringValue.flatMap(CalendarDate.init)
    }

    /// Builds the versions of every record event of one stream from the stream's events in stream
    /// order. Corrections replace fields (`null` removes one); a retraction ends its target; a
    /// retracted correction stops applying from when the retraction was recorded.
    public static func timeline(of events: [LoggedEvent]) -> [RecordVersion] {
        struct Open {
            var original: LoggedEvent
            var sequence: Int
            var corrections: [(id: UUID, changes: JSONObject)] = []
            var retracted = false
            var from: Timestamp
            var closed: [RecordVersion] = []

            var data: JSONObject {
                var data = original.data
                for correction in corrections {
                    for (key, value) in correction.changes { data[key] = value.isNull ? nil : value }
                }
                return data
            }

            /// Ends the standing version at `time` and starts the next one there, unless retracted.
            mutating func change(at time: Timestamp, _ body: (inout Open) -> Void) {
                let end = max(time, from)
                if !retracted {
                    closed.append(
                        RecordVersion(
                            eventID: original.id, type: original.type, sequence: sequence, data: data,
                            recordedFrom: from, recordedUntil: end))
                }
                body(&self)
                from = end
            }
        }
        var records: [UUID: Open] = [:]
        var order: [UUID] = []  // record events, in stream order
        /// Correction id → the event it corrects.
        var correctionTargets: [UUID: UUID] = [:]
        for event in events {
            switch event.type {
            case .recordCorrected:
                guard let target = event.data["correctsEventId"]?.stringValue.flatMap(UUID.init(uuidString:)),
                    let changes = event.data["changes"]?.objectValue, records[target]?.retracted == false
                else { continue }
                correctionTargets[event.id] = target
                records[target]?.change(at: event.recordedAt) {
                    $0.corrections.append((event.id, Upcasting.upcastChanges(changes, of: $0.original.type)))
                }
            case .recordRetracted:
                guard let target = event.data["retractsEventId"]?.stringValue.flatMap(UUID.init(uuidString:))
                else { continue }
                if let corrected = correctionTargets.removeValue(forKey: target) {
                    records[corrected]?.change(at: event.recordedAt) { open in
                        open.corrections.removeAll { $0.id == target }
                    }
                } else if records[target]?.retracted == false {
                    records[target]?.change(at: event.recordedAt) { $0.retracted = true }
                }
            default:
                guard records[event.id] == nil else { continue }
                records[event.id] = Open(original: event, sequence: event.streamVersion, from: event.recordedAt)
                order.append(event.id)
            }
        }
        var versions: [RecordVersion] = []
        for id in order {
            guard let open = records[id] else { continue }
            versions += open.closed
            if !open.retracted {
                versions.append(
                    RecordVersion(
                        eventID: id, type: open.original.type, sequence: open.sequence, data: open.data,
                        recordedFrom: open.from, recordedUntil: nil))
            }
        }
        return versions.filter { version in version.recordedUntil.map { $0 > version.recordedFrom } ?? true }
    }
}

/// What a question knows: events dated after `asOf` are ignored (valid time), and only what was
/// recorded by `recordedAsOf` counts (transaction time). Nil means no limit.
public struct Knowledge: Sendable, Hashable {
    public var asOf: CalendarDate?
    public var recordedAsOf: Timestamp?

    public init(asOf: CalendarDate? = nil, recordedAsOf: Timestamp? = nil) {
        self.asOf = asOf
        self.recordedAsOf = recordedAsOf
    }

    /// Everything dated and everything recorded: the state the current-state tables hold.
    public static let everything = Knowledge()

    /// Whether the version was the standing one at `recordedAsOf` (now, when nil).
    public func knows(_ version: RecordVersion) -> Bool {
        guard let time = recordedAsOf else { return version.recordedUntil == nil }
        return version.recordedFrom <= time && (version.recordedUntil.map { time < $0 } ?? true)
    }

}
