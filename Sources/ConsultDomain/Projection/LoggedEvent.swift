import Foundation

/// An event as the views read it from the log: what was recorded, and when.
public struct LoggedEvent: Sendable {
    public var id: UUID
    public var type: EventType
    public var data: JSONObject
    public var recordedAt: Timestamp
    /// Its version in its stream: folds apply a stream's events in this order.
    public var streamVersion: Int

    public init(id: UUID, type: EventType, data: JSONObject, recordedAt: Timestamp, streamVersion: Int) {
        self.id = id
        self.type = type
        self.data = data
        self.recordedAt = recordedAt
        self.streamVersion = streamVersion
    }

    /// Whether the event is a record's own (not a correction or a retraction of one).
    public var isRecordEvent: Bool { type != .recordCorrected && type != .recordRetracted }

    /// The version it starts as, before any correction.
    public var firstVersion: RecordVersion {
        RecordVersion(
            eventID: id, type: type, sequence: streamVersion, data: data, recordedFrom: recordedAt, recordedUntil: nil)
    }
}
