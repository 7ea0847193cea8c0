import ConsultDomain
import Foundation
import Projections

/// `consult follow-ups` and `/api/v1/follow-ups`: the check-ins due on a date.
public struct FollowUpsQuery: ListQuery {
    /// Also those whose check-in date falls within this many days.
    public var dueWithin = 0
    /// Every follow-up, done or not.
    public var all = false
    public var asOf: String?

    public init() {}

    public func validate(names: (String) -> String) throws {
        if dueWithin < 0 { throw ConsultFailure(.usage, "\(names("dueWithin")) takes a number of days, 0 or more.") }
        _ = try TimeArguments.date(asOf, option: names("asOf"))
    }

    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<FollowUpRow> {
        let date = try TimeArguments.date(asOf, option: names("asOf"))
        let rows = try await read.model.followUps(on: date, dueWithin: dueWithin, all: all)
        return ListAnswer(rows: rows, date: date, recordedAsOf: nil)
    }
}

/// `consult stakeholders` and `/api/v1/stakeholders`.
public struct StakeholdersQuery: ListQuery {
    public var sector: String?
    /// `person` or `organization`.
    public var kind: String?
    /// Only this stakeholder (the web's `/stakeholders/{id}`).
    public var id: String?
    public var asOf: String?
    public var recordedAsOf: String?

    public init() {}

    public static let kinds = ["person", "organization"]

    public func validate(names: (String) -> String) throws {
        try Choice.check(sector, names("sector"), noun: "a sector", allowed: EventSchema.sectors)
        try Choice.check(kind, names("kind"), noun: "a kind of stakeholder", allowed: Self.kinds)
        _ = try TimeArguments.date(asOf, option: names("asOf"))
        _ = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
    }

    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<StakeholderRow> {
        let date = try TimeArguments.date(asOf, option: names("asOf"))
        let recorded = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
        var filter = StakeholderFilter()
        filter.sector = sector
        filter.kind = kind
        var rows = try await read.model.stakeholders(filter, on: date, recordedAsOf: recorded)
        if let id { rows = rows.filter { $0.stakeholderID == id } }
        return ListAnswer(rows: rows, date: date, recordedAsOf: recorded)
    }
}

/// `consult consultations` and `/api/v1/consultations`.
public struct ConsultationsQuery: ListQuery {
    /// Only this consultation (the web's `/consultations/{id}`).
    public var id: String?
    public var asOf: String?
    public var recordedAsOf: String?

    public init() {}

    public func validate(names: (String) -> String) throws {
        _ = try TimeArguments.date(asOf, option: names("asOf"))
        _ = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
    }

    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<ConsultationRow> {
        let date = try TimeArguments.date(asOf, option: names("asOf"))
        let recorded = try TimeArguments.instant(recordedAsOf, option: names("recordedAsOf"))
        var rows = try await read.model.consultations(on: date, recordedAsOf: recorded)
        if let id { rows = rows.filter { $0.consultationID == id } }
        return ListAnswer(rows: rows, date: date, recordedAsOf: recorded)
    }
}

/// `consult search TEXT` and `/api/v1/search?q=`.
public struct SearchQuery: ListQuery {
    public var text = ""
    public var kind: String?
    public var topic: String?

    public init() {}

    /// The longest text searched for, in characters.
    public static let maximumLength = 200

    public func validate(names: (String) -> String) throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ConsultFailure(.usage, "\(names("text")) needs some text to search for.")
        }
        if text.count > Self.maximumLength {
            throw ConsultFailure(
                .usage, "\(names("text")) is \(text.count) characters long; search for at most \(Self.maximumLength).")
        }
        try Choice.check(kind, names("kind"), noun: "a kind of record", allowed: SearchHit.kinds)
        if let topic, topic.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ConsultFailure(.usage, "\(names("topic")) needs a topic, like talent or compute.")
        }
        if topic != nil, kind == "stakeholder" {
            throw ConsultFailure(
                .usage,
                "\(names("topic")) with \(names("kind")) stakeholder can never match: stakeholders have no topics.")
        }
    }

    public func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<SearchHit> {
        let hits = try await read.model.search(text, kind: kind, topic: topic)
        return ListAnswer(rows: hits, date: TimeArguments.today(), recordedAsOf: nil)
    }
}

/// A value that must be one of a few.
enum Choice {
    /// A usage failure when `value` is given and is not one of `allowed`.
    static func check(_ value: String?, _ name: String, noun: String, allowed: [String]) throws {
        guard let value, !allowed.contains(value) else { return }
        throw ConsultFailure(.usage, "\(name) \(value) is not \(noun); use one of \(allowed.joined(separator: ", ")).")
    }
}
