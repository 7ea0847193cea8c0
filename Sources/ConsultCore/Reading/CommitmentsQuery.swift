import ConsultDomain
import Projections

/// The commitments a read asks for, as every interface takes them: the CLI's options, the web's
/// query parameters. `names` maps each parameter to its spelling in the interface (`--as-of`,
/// `asOf`), so that a refusal names what the person typed.
public struct CommitmentsQuery: ListQuery {
    public var outstanding = false
    public var overdue = false
    public var statuses: [String] = []
    /// Stakeholder ids, names or aliases (resolved to ids when run).
    public var owner: String?
    public var sector: String?
    public var topic: String?
    public var asOf: String?
    public var recordedAsOf: String?
    /// Only this commitment (the web's `/commitments/{id}`).
    public var id: String?
    /// Only the first rows, in the list's order (`--limit`); the answer's `total` counts them all.
    public var limit: Int?

    public init() {}

    /// The statuses a commitment can have.
    public static let allStatuses = ["open"] + EventSchema.progressStatuses

    /// Checks the values that need no database; throws a usage failure naming the parameter.
    public func validate(names: (String) -> String) throws {
        for value in statuses where !Self.allStatuses.contains(value) {
            throw ConsultFailure(
                .usage,
                "\(names("status")) \(value) is not a status; use one of \(Self.allStatuses.joined(separator: ", ")).")
        }
        if outstanding || overdue, !statuses.isEmpty, !statuses.contains(where: Schedule.outstandingStatuses.contains) {
            throw ConsultFailure(
                .usage,
                "\(names(overdue ? "overdue" : "outstanding")) with \(names("status")) "
                    + "\(statuses.joined(separator: ", ")) can never match: outstanding commitments are open, "
                    + "in_progress or stalled.")
        }
        if let sector, !EventSchema.sectors.contains(sector) {
            throw ConsultFailure(
                .usage,
                "\(names("sector")) \(sector) is not a sector; use one of \(EventSchema.sectors.joined(separator: ", "))."
            )
        }
        _ = try TimeArguments.date(asOf, option: names("asOf"))
        _ = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
    }

    /// Runs the query on `read` (after `validate`): the owner resolved to an id (an unknown one is a failure naming it).
    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<CommitmentRow> {
        let date = try TimeArguments.date(asOf, option: names("asOf"))
        let recorded = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
        var filter = CommitmentFilter()
        filter.outstandingOnly = outstanding
        filter.overdueOnly = overdue
        filter.statuses = statuses
        filter.sector = sector
        filter.topic = topic
        if let owner {
            filter.ownerID = try await read.stakeholderID(
                owner, option: names("owner"), listedBy: names("stakeholderList"))
        }
        if let id {
            let rows = try await read.model.commitments(filter, on: date, recordedAsOf: recorded)
                .filter { $0.state.commitmentID == id }
            return ListAnswer(rows: rows, date: date, recordedAsOf: recorded)
        }
        let (rows, total) = try await read.model.commitments(filter, on: date, recordedAsOf: recorded, limit: limit)
        return ListAnswer(rows: rows, date: date, recordedAsOf: recorded, total: total)
    }
}
