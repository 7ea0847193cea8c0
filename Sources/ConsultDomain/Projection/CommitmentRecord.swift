/// A commitment as a fold of its stream (made, restated, progressed, followed up), with the
/// consultation and the stakeholders it names: the row of the commitments view on one date.
public struct CommitmentRecord: Sendable {
    /// A scheduled check-in, and what the commitment's progress says about it.
    public struct FollowUp: Sendable, Hashable {
        public var checkOn: CalendarDate
        public var assignee: String?
        public var note: String?
        /// The first progress dated on or after `checkOn` (by the question's date).
        public var firstProgressOn: CalendarDate?
        /// The rank of its event in the stream: orders follow-ups on the same date.
        public var sequence: Int
    }

    /// The commitment on one date.
    public struct State: Sendable, Hashable {
        public var commitmentID: String
        public var summary: String
        public var ownerID: String
        public var ownerName: String?
        public var ownerSector: String?
        public var madeByID: String
        public var makerName: String?
        /// The title the maker held on the day the commitment was made.
        public var makerTitle: String?
        public var consultationID: String
        public var consultationTitle: String?
        public var consultationKind: String?
        public var madeOn: CalendarDate?
        public var due: String?
        public var dueText: String?
        public var originalDueBy: CalendarDate?
        /// The due-by in force (after revisions).
        public var dueBy: CalendarDate?
        /// Revisions that moved the due-by later.
        public var slips: Int
        public var status: String
        public var statusOn: CalendarDate?
        /// The due-by in force on the day the latest status was recorded.
        public var dueByAtStatus: CalendarDate?
        public var lastNote: String?
        public var restatements: Int
        public var followUps: [FollowUp]
        public var respondsToRequestIDs: [String]
        public var topics: [String]
        /// The latest date among everything the state was folded from: the state answers every
        /// `--as-of` on or after it.
        public var latestDate: CalendarDate?

        public init(
            commitmentID: String, summary: String, ownerID: String, ownerName: String?, ownerSector: String?,
            madeByID: String, makerName: String?, makerTitle: String?, consultationID: String,
            consultationTitle: String?, consultationKind: String?, madeOn: CalendarDate?, due: String?,
            dueText: String?, originalDueBy: CalendarDate?, dueBy: CalendarDate?, slips: Int, status: String,
            statusOn: CalendarDate?, dueByAtStatus: CalendarDate?, lastNote: String?, restatements: Int,
            followUps: [FollowUp], respondsToRequestIDs: [String], topics: [String], latestDate: CalendarDate?
        ) {
            self.commitmentID = commitmentID
            self.summary = summary
            self.ownerID = ownerID
            self.ownerName = ownerName
            self.ownerSector = ownerSector
            self.madeByID = madeByID
            self.makerName = makerName
            self.makerTitle = makerTitle
            self.consultationID = consultationID
            self.consultationTitle = consultationTitle
            self.consultationKind = consultationKind
            self.madeOn = madeOn
            self.due = due
            self.dueText = dueText
            self.originalDueBy = originalDueBy
            self.dueBy = dueBy
            self.slips = slips
            self.status = status
            self.statusOn = statusOn
            self.dueByAtStatus = dueByAtStatus
            self.lastNote = lastNote
            self.restatements = restatements
            self.followUps = followUps
            self.respondsToRequestIDs = respondsToRequestIDs
            self.topics = topics
            self.latestDate = latestDate
        }

        public var isOutstanding: Bool { Schedule.outstandingStatuses.contains(status) }

        public func schedule(on date: CalendarDate) -> Schedule {
            Schedule.on(date, status: status, dueBy: dueBy, statusOn: statusOn, dueByAtClose: dueByAtStatus)
        }

        /// Whether a follow-up is done on `date`: a progress dated on or after its check-in date, or
        /// the commitment no longer outstanding.
        public func isDone(_ followUp: FollowUp) -> Bool { followUp.firstProgressOn != nil || !isOutstanding }
    }

    public let versions: [RecordVersion]
    public let made: RecordVersion

    /// Nil when the stream holds no standing `CommitmentMade`.
    public init?(versions: [RecordVersion]) {
        guard let made = versions.first(where: { $0.type == .commitmentMade }) else { return nil }
        self.made = made
        self.versions = versions.sorted { $0.sequence < $1.sequence }
    }

    public var commitmentID: String { made.data.string("commitmentId") ?? "" }
    public var consultationID: String { made.data.string("consultationId") ?? "" }
    public var madeByID: String { made.data.string("madeById") ?? "" }
    public var ownerID: String { made.data.string("ownerId") ?? "" }

    /// The commitment as of `asOf` (everything, when nil), or nil when it was made after `asOf`.
    public func state(
        consultation: ConsultationRecord?, maker: StakeholderRecord?, owner: StakeholderRecord?,
        asOf: CalendarDate?
    ) -> State? {
        let data = made.data
        // Its own date, else its consultation's first day.
        let madeOn = data.date("on") ?? consultation?.startsOn
        if let asOf, let madeOn, madeOn > asOf { return nil }
        func dated(_ version: RecordVersion) -> Bool {
            guard let on = version.ownDate else { return false }
            return asOf.map { on <= $0 } ?? true
        }
        let progress = versions.filter { $0.type == .commitmentProgressed && dated($0) }
            .sorted { ($0.ownDate!, $0.sequence) < ($1.ownDate!, $1.sequence) }
        let restatements = versions.filter { $0.type == .commitmentRestated && dated($0) }
        let due = data.string("due")
        let originalDueBy = due.flatMap(Due.init)?.dueBy
        var dueBy = originalDueBy
        var slips = 0
        var status = "open"
        var statusOn = madeOn
        var dueByAtStatus = originalDueBy
        var lastNote: String?
        for step in progress {
            if let revised = step.data.string("revisedDue").flatMap(Due.init)?.dueBy {
                if let current = dueBy, revised > current { slips += 1 }
                dueBy = revised
            }
            status = step.data.string("status") ?? status
            statusOn = step.ownDate
            dueByAtStatus = dueBy
            lastNote = step.data.string("note") ?? lastNote
        }
        let progressDates = progress.compactMap(\.ownDate)
        let followUps = versions.filter { $0.type == .followUpScheduled }.compactMap { version -> FollowUp? in
            guard let checkOn = version.data.date("checkOn") else { return nil }
            return FollowUp(
                checkOn: checkOn, assignee: version.data.string("assignee"), note: version.data.string("note"),
                firstProgressOn: progressDates.first { $0 >= checkOn }, sequence: version.sequence)
        }.sorted { ($0.checkOn, $0.sequence) < ($1.checkOn, $1.sequence) }
        let makerProfile = maker?.profile(on: madeOn)
        let ownerProfile = owner?.profile(on: asOf)
        let latestDate = ([madeOn, owner?.latestChange] + progress.map(\.ownDate) + restatements.map(\.ownDate))
            .compactMap { $0 }.max()
        return State(
            commitmentID: commitmentID, summary: data.string("summary") ?? "", ownerID: ownerID,
            ownerName: ownerProfile?.name, ownerSector: ownerProfile?.sector, madeByID: madeByID,
            makerName: makerProfile?.name, makerTitle: makerProfile?.title, consultationID: consultationID,
            consultationTitle: consultation?.title, consultationKind: consultation?.kind, madeOn: madeOn, due: due,
            dueText: data.string("dueText"), originalDueBy: originalDueBy, dueBy: dueBy, slips: slips, status: status,
            statusOn: statusOn, dueByAtStatus: dueByAtStatus, lastNote: lastNote, restatements: restatements.count,
            followUps: followUps, respondsToRequestIDs: data.strings("respondsToRequestIds"),
            topics: data.strings("topics"), latestDate: latestDate)
    }
}
