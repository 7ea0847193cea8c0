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
    }

    public var consultationID: String
    public var kind: String
    public var title: String
    public var date: CalendarDate?
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
        date = data.date("date")
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
            quote: data.string("quote"), topics: data.strings("topics"))
    }
}
