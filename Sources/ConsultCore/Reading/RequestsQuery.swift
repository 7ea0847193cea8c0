import ConsultDomain
import Projections

/// The requests a read asks for, as every interface takes them (see `CommitmentsQuery`).
public struct RequestsQuery: ListQuery {
    public var unanswered = false
    /// A stakeholder id, name or alias (resolved to an id when run).
    public var to: String?
    public var topic: String?
    public var asOf: String?
    public var recordedAsOf: String?

    public init() {}

    /// Checks the values that need no database; throws a usage failure naming the parameter.
    public func validate(names: (String) -> String) throws {
        _ = try TimeArguments.date(asOf, option: names("asOf"))
        _ = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
    }

    /// Runs the query on `read` (after `validate`): the addressee resolved to an id (an unknown one is a failure naming it).
    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<RequestRow> {
        let date = try TimeArguments.date(asOf, option: names("asOf"))
        let recorded = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
        var addressee: String?
        if let to {
            addressee = try await read.stakeholderID(to, option: names("to"), listedBy: names("stakeholderList"))
        }
        let rows = try await read.model.requests(
            unansweredOnly: unanswered, addressedTo: addressee, topic: topic, on: date, recordedAsOf: recorded)
        return ListAnswer(rows: rows, date: date, recordedAsOf: recorded)
    }
}
