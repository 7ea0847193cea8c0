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
    /// When it was recorded (the appending transaction's start), in microseconds since 1970 (UTC).
    public var recordedAtMicroseconds: Int64

    /// When it was recorded, RFC 3339 in UTC with microseconds, e.g. `2024-05-01T09:00:00.000000Z`.
    public var recordedAt: String { Self.rfc3339(microseconds: recordedAtMicroseconds) }

    /// The global position (assigned at insert; unique, but not the reading order).
    public var position: Int64 { logPosition.position }

    public init(
        logPosition: LogPosition, streamID: String, streamVersion: Int, type: String, schemaVersion: Int, id: UUID,
        data: String, metadata: String, recordedAtMicroseconds: Int64
    ) {
        self.logPosition = logPosition
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.id = id
        self.data = data
        self.metadata = metadata
        self.recordedAtMicroseconds = recordedAtMicroseconds
    }

    /// Formats an instant as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (here rather than in SQL: `to_char` on
    /// every row was a measurable part of reading the log).
    static func rfc3339(microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(inDay / 3600, 2)):\(pad(inDay / 60 % 60, 2)):"
            + "\(pad(inDay % 60, 2)).\(pad(fraction, 6))Z"
    }
}
