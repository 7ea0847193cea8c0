/// A consultation as a fold of its stream: the `ConsultationHeld` event and its statements.
public struct ConsultationRecord: Sendable {
    public struct Statement: Sendable, Hashable {
        /// Its event's version in the consultation's stream.
        public var sequence: Int
        public var statementID: String
        public var speakerID: String
        public var summary: String
        public var quote: String?
        public var topics: [String]
        /// Its own date, within the consultation's days; nil: the consultation's first day.
        public var on: CalendarDate?
    }

    public var consultationID: String
    public var kind: String
    public var title: String
    /// The first day (`date` in version 1 of `ConsultationHeld`).
    public var startsOn: CalendarDate?
    /// The last day, when it lasted more than one.
    public var endsOn: CalendarDate?
    public var venue: String?
    public var organizerIDs: [String]
    /// `{stakeholderId, role}` objects, as recorded.
    public var participants: [JSONValue]
    public var sources: [JSONValue]
    /// In log order.
    public var statements: [Statement]

    /// Nil when the stream holds no standing `ConsultationHeld`.
    public init?(versions: [RecordVersion]) {
        guard let held = versions.first(where: { $0.type == .consultationHeld }) else { return nil }
        let data = held.data
        consultationID = data.string("consultationId") ?? ""
        kind = data.string("kind") ?? ""
        title = data.string("title") ?? ""
        startsOn = data.date("startsOn")
        endsOn = data.date("endsOn")
        venue = data.string("venue")
        organizerIDs = data.strings("organizerIds")
        participants = data["participants"]?.arrayValue ?? []
        sources = data["sources"]?.arrayValue ?? []
        statements = versions.filter { $0.type == .statementRecorded }.sorted { $0.sequence < $1.sequence }
            .compactMap(Self.statement)
    }

    /// The statement a `StatementRecorded` version records.
    public static func statement(_ version: RecordVersion) -> Statement? {
        guard version.type == .statementRecorded else { return nil }
        let data = version.data
        return Statement(
            sequence: version.sequence, statementID: data.string("statementId") ?? "",
            speakerID: data.string("speakerId") ?? "", summary: data.string("summary") ?? "",
            quote: data.string("quote"), topics: data.strings("topics"), on: data.date("on"))
    }

    /// A statement's date: its own, else the consultation's first day.
    public func date(of statement: Statement) -> CalendarDate? { statement.on ?? startsOn }

    /// Whether the consultation had begun by `date` (everything, when nil): what a question about
    /// that date knows of it.
    public func isHeld(by date: CalendarDate?) -> Bool {
        guard let date, let startsOn else { return true }
        return startsOn <= date
    }
}
