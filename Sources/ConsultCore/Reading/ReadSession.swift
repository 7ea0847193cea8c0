import ConsultDomain
import EventStore
import Foundation
import Projections

/// A store opened for reading, with the views brought up to date first ("read your own writes").
public struct ReadSession: Sendable {
    public let session: StoreSession
    public let model: ReadModel
    /// The log's status when an open transaction kept committed events out of the views for
    /// longer than the wait allowed; nil when the views hold every committed event.
    public let heldBack: LogStatus?

    /// Above this many events to apply, a read's catch-up reports its progress.
    public static let catchUpProgressThreshold = 2000

    /// Opens the store and catches the views up, waiting up to `heldBackWait` seconds for an
    /// open transaction that holds committed events back. When the views are more than
    /// `catchUpProgressThreshold` events behind (the first read after a large load),
    /// `catchingUp` gets the count of events applied so far and the count there were to apply.
    public static func open(
        _ access: StoreAccess, heldBackWait: Double = ReadSession.heldBackWait,
        catchingUp: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> ReadSession {
        let session = try await access.open()
        do {
            let runner = ProjectionRunner(store: session.store)
            var progress: @Sendable (Int) -> Void = { _ in }
            if let catchingUp {
                // Counted only when someone watches: the views' lag is one count over the log's tail.
                try await runner.prepare()
                let behind = Int(try await runner.status().map(\.lag).max() ?? 0)
                if behind > catchUpProgressThreshold {
                    progress = { done in catchingUp(done, max(done, behind)) }
                }
            }
            let held = try await runner.catchUpForRead(timeout: heldBackWait, progress: progress)
            return ReadSession(session: session, model: ReadModel(connection: session.connection), heldBack: held)
        } catch {
            await session.close()
            throw error
        }
    }

    /// A read on `session`, a store its caller keeps open (the web server's pooled connections):
    /// the views caught up first, unless `catchUp` is false (a hot standby, whose views the
    /// primary's worker writes). `close()` must not be called on it; the caller owns `session`.
    public static func reading(
        _ session: StoreSession, catchUp: Bool = true, heldBackWait: Double = 0
    ) async throws -> ReadSession {
        var held: LogStatus?
        if catchUp {
            held = try await ProjectionRunner(store: session.store).catchUpForRead(timeout: heldBackWait)
        }
        return ReadSession(session: session, model: ReadModel(connection: session.connection), heldBack: held)
    }

    /// How current the views are (see `ViewFreshness`).
    public func freshness() async throws -> ViewFreshness {
        try await ProjectionRunner(store: session.store).freshness()
    }

    /// How long to wait for an open transaction holding committed events back: `CONSULT_READ_WAIT`
    /// seconds, default 5.
    public static var heldBackWait: Double {
        max(0, ProcessInfo.processInfo.environment["CONSULT_READ_WAIT"].flatMap(Double.init) ?? 5)
    }

    /// One sentence saying which transaction keeps committed events out of `what`, when one does.
    public static func heldBackNote(_ status: LogStatus?, what: String) -> String? {
        guard let status, status.eventsHeldBack > 0 else { return nil }
        let holder =
            status.oldestWriter.map {
                "the transaction of pid \($0.pid) (\($0.state), open \(Int($0.secondsOpen)) s) holds the log back until it ends"
            } ?? "an open transaction holds the log back"
        return "\(status.eventsHeldBack) committed event(s) are not in \(what) yet: \(holder)."
    }

    /// The id of the stakeholder `text` names for `option`: its id, or else its name or an alias
    /// (compared without regard to case). Anything else is a usage failure that suggests the
    /// stakeholders whose id, name or alias contains the text, so a filter never silently matches
    /// nothing because it was given a name.
    /// `listedBy` names where the person finds every id (`consult stakeholders`, a web address).
    public func stakeholderID(_ text: String, option: String, listedBy: String = "consult stakeholders") async throws
        -> String
    {
        let known = try await model.stakeholderNames()
        if known.contains(where: { $0.id == text }) { return text }
        let folded = text.lowercased()
        let named = known.filter { $0.name.lowercased() == folded || $0.aliases.contains { $0.lowercased() == folded } }
        if named.count == 1, let only = named.first { return only.id }
        let candidates =
            named.count > 1
            ? named
            : known.filter { entry in
                ([entry.id, entry.name] + entry.aliases).contains { $0.lowercased().contains(folded) }
            }
        let listed = candidates.prefix(5).map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
        throw ConsultFailure(
            .usage,
            named.count > 1
                ? "\(option) \(text) names several stakeholders: \(listed); give one's id."
                : "No stakeholder has the id \(text) for \(option)"
                    + (listed.isEmpty ? "; \(listedBy) lists them." : "; did you mean \(listed)?"))
    }

    /// Closes the connection.
    public func close() async {
        await session.close()
    }
}

/// Dates and instants as the read use cases take them.
public enum TimeArguments {
    /// Today in the local time zone (`TZ`).
    public static func today() -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(dayNumber: 0)
    }

    /// `text` as a calendar date, today when nil; `option` names it in the error.
    public static func date(_ text: String?, option: String) throws -> CalendarDate {
        guard let text else { return today() }
        guard let date = CalendarDate(text) else {
            throw ConsultFailure(
                .usage, "\(option) takes a calendar date like 2024-05-01; \"\(text)\" is not one.")
        }
        return date
    }

    /// RFC 3339, or a bare date meaning the end of that day in the local time zone.
    public static func instant(_ text: String?, option: String) throws -> Timestamp? {
        guard let text else { return nil }
        if let instant = Timestamp(rfc3339: text) { return instant }
        if let date = CalendarDate(text) {
            return Timestamp.endOfDay(date, offsetSeconds: localOffset(on: date))
        }
        throw ConsultFailure(
            .usage,
            "\(option) takes an RFC 3339 time like 2024-05-01T09:00:00+09:00, or a date; \"\(text)\" is neither.")
    }

    /// The start of a "since" window: RFC 3339, or a bare date meaning the start of that day in the
    /// local time zone (`--since 2024-05-01` includes all of the 1st). Nil when `text` is neither.
    public static func start(_ text: String) -> Timestamp? {
        if let instant = Timestamp(rfc3339: text) { return instant }
        guard let date = CalendarDate(text) else { return nil }
        return Timestamp.startOfDay(date, offsetSeconds: localOffset(on: date))
    }

    /// `start(text)` for `option`; anything else is a usage failure.
    public static func start(_ text: String, option: String) throws -> Timestamp {
        guard let instant = start(text) else {
            throw ConsultFailure(
                .usage,
                "\(option) takes an RFC 3339 time like 2024-05-01T09:00:00+09:00, or a date; \"\(text)\" is neither.")
        }
        return instant
    }

    /// The local zone's offset from UTC, in seconds, at noon UTC of `date`.
    static func localOffset(on date: CalendarDate) -> Int {
        TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400 + 43_200))
    }
}
