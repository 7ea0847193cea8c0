/// A request as a fold of its stream: `RequestMade` and its answers in date order.
public struct RequestRecord: Sendable {
    public struct Answer: Sendable, Hashable {
        public var on: CalendarDate
        public var answeredByID: String
        public var outcome: String
        public var reason: String
        public var commitmentIDs: [String]
    }

    public var requestID: String
    public var consultationID: String
    public var requesterID: String
    public var addressedToIDs: [String]
    public var summary: String
    public var topics: [String]
    /// Its own date, within its consultation's days; nil: the consultation's first day.
    public var on: CalendarDate?
    /// By (`on`, log order).
    public var answers: [Answer]

    /// Nil when the stream holds no standing `RequestMade`; answers dated after `asOf` are left out.
    public init?(versions: [RecordVersion], asOf: CalendarDate? = nil) {
        guard let made = versions.first(where: { $0.type == .requestMade }) else { return nil }
        let data = made.data
        requestID = data.string("requestId") ?? ""
        consultationID = data.string("consultationId") ?? ""
        requesterID = data.string("requesterId") ?? ""
        addressedToIDs = data.strings("addressedToIds")
        summary = data.string("summary") ?? ""
        topics = data.strings("topics")
        on = data.date("on")
        answers = versions.filter { $0.type == .requestAnswered && $0.ownDate != nil }
            .filter { version in asOf.map { version.ownDate! <= $0 } ?? true }
            .sorted { ($0.ownDate!, $0.sequence) < ($1.ownDate!, $1.sequence) }
            .map {
                Answer(
                    on: $0.ownDate!, answeredByID: $0.data.string("answeredById") ?? "",
                    outcome: $0.data.string("outcome") ?? "", reason: $0.data.string("reason") ?? "",
                    commitmentIDs: $0.data.strings("commitmentIds"))
            }
    }
}
