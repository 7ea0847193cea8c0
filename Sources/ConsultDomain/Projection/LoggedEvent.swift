import Foundation

/// An event as the views read it from the log: what was recorded, and when.
public struct LoggedEvent: Sendable {
    public var id: UUID
    public var type: EventType
    public var data: JSONObject
    public var recordedAt: Timestamp

    public init(id: UUID, type: EventType, data: JSONObject, recordedAt: Timestamp) {
        self.id = id
        self.type = type
        self.data = data
        self.recordedAt = recordedAt
    }
}
