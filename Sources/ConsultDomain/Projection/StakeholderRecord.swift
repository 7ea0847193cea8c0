/// A stakeholder as a fold of its stream: the registration, then its changes in date order.
public struct StakeholderRecord: Sendable {
    /// What is known of a stakeholder on one date.
    public struct Profile: Sendable, Hashable {
        public var stakeholderID: String
        public var name: String
        public var kind: String
        public var sector: String
        public var title: String?
        public var affiliationID: String?
        public var party: String?
        public var aliases: [String]
    }

    public let registration: RecordVersion
    /// `StakeholderChanged` versions, by (`on`, log order).
    public let changes: [RecordVersion]

    /// Nil when the stream holds no standing registration.
    public init?(versions: [RecordVersion]) {
        guard let registration = versions.first(where: { $0.type == .stakeholderRegistered }) else { return nil }
        self.registration = registration
        self.changes = versions.filter { $0.type == .stakeholderChanged && $0.ownDate != nil }
            .sorted { ($0.ownDate!, $0.sequence) < ($1.ownDate!, $1.sequence) }
    }

    public var stakeholderID: String { registration.data.string("stakeholderId") ?? "" }

    /// The dates of the changes, for knowing which questions the latest profile answers.
    public var latestChange: CalendarDate? { changes.last?.ownDate }

    /// The profile in force on `date`: the registration with every change dated on or before it
    /// applied (every change, when `date` is nil).
    public func profile(on date: CalendarDate?) -> Profile {
        let data = registration.data
        var profile = Profile(
            stakeholderID: stakeholderID, name: data.string("name") ?? "", kind: data.string("kind") ?? "",
            sector: data.string("sector") ?? "", title: data.string("title"),
            affiliationID: data.string("affiliationId"), party: data.string("party"), aliases: data.strings("aliases"))
        for change in changes {
            guard let on = change.ownDate, date.map({ on <= $0 }) ?? true else { break }
            let data = change.data
            if let name = data.string("name") { profile.name = name }
            if let sector = data.string("sector") { profile.sector = sector }
            if let title = data.string("title") { profile.title = title }
            if let affiliation = data.string("affiliationId") { profile.affiliationID = affiliation }
            if let party = data.string("party") { profile.party = party }
        }
        return profile
    }
}
