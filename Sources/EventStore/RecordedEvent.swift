import Foundation

/// An event as stored in the log.
public struct RecordedEvent: Sendable, Hashable {
    /// The order the log is read in (see `LogPosition`).
    public var logPosition: LogPosition
    public var streamID: String
    public var streamVersion: Int
    public var type: String
    public var schemaVersion: Int
    public var id: UUID
    /// JSON object text, as PostgreSQL returns `jsonb`.
    public var data: String
    /// JSON object text.
    public var metadata: String
    /// When it was recorded (the appending transaction's start), RFC 3339 in UTC.
    public var recordedAt: String

    /// The global position (assigned at insert; unique, but not the reading order).
    public var position: Int64 { logPosition.position }

    public init(
        logPosition: LogPosition, streamID: String, streamVersion: Int, type: String, schemaVersion: Int, id: UUID,
        data: String, metadata: String, recordedAt: String
    ) {
        self.logPosition = logPosition
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.id = id
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
    }
}
