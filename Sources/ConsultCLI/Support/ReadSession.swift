import ConsultDomain
import EventStore
import Foundation
import Projections

/// A store opened for a read command, with the views brought up to date first.
struct ReadSession {
    let session: StoreSession
    let model: ReadModel

    /// Opens the store and catches the views up; says so on stderr when an open transaction
    /// keeps some committed events out of the answer for longer than `CONSULT_READ_WAIT` seconds
    /// (default 5).
    static func open(_ options: ConnectionOptions) async throws -> ReadSession {
        let session = try await StoreSession.open(options, logger: cliLogger)
        let runner = ProjectionRunner(store: session.store)
        let held = try await runner.catchUpForRead(timeout: heldBackWait)
        reportHeldBack(held, what: "this answer")
        return ReadSession(session: session, model: ReadModel(connection: session.connection))
    }

    /// How long to wait for an open transaction holding committed events back: `CONSULT_READ_WAIT`
    /// seconds, default 5.
    static var heldBackWait: Double {
        max(0, ProcessInfo.processInfo.environment["CONSULT_READ_WAIT"].flatMap(Double.init) ?? 5)
    }

    /// Says on stderr which transaction keeps committed events out of `what`.
    static func reportHeldBack(_ status: LogStatus?, what: String) {
        guard let status, status.eventsHeldBack > 0 else { return }
        let holder =
            status.oldestWriter.map {
                "the transaction of pid \($0.pid) (\($0.state), open \(Int($0.secondsOpen)) s) holds the log back until it ends"
            } ?? "an open transaction holds the log back"
        Output.error("consult: note: \(status.eventsHeldBack) committed event(s) are not in \(what) yet: \(holder).")
    }
}

/// Dates and instants as the read commands take them.
enum TimeArguments {
    /// Today in the local time zone (`TZ`).
    static func today() -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(dayNumber: 0)
    }

    static func date(_ text: String?, option: String) throws -> CalendarDate {
        guard let text else { return today() }
        guard let date = CalendarDate(text) else {
            throw CommandFailure(
                exitCode: ExitStatus.usage, "\(option) takes a calendar date like 2024-05-01; \"\(text)\" is not one.")
        }
        return date
    }

    /// RFC 3339, or a bare date meaning the end of that day in the local time zone.
    static func instant(_ text: String?, option: String) throws -> Timestamp? {
        guard let text else { return nil }
        if let instant = Timestamp(rfc3339: text) { return instant }
        if let date = CalendarDate(text) {
            let noon = Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400 + 43_200)
            return Timestamp.endOfDay(date, offsetSeconds: TimeZone.current.secondsFromGMT(for: noon))
        }
        throw CommandFailure(
            exitCode: ExitStatus.usage,
            "\(option) takes an RFC 3339 time like 2024-05-01T09:00:00+09:00, or a date; \"\(text)\" is neither.")
    }
}
