import ConsultDomain
import EmbeddedPostgres
import EventStore
import Foundation
import Postgres
import Projections

/// A use case that did not succeed, as the user is told: one clear sentence first, then details.
///
/// Every interface reports it its own way: the command line maps `kind` to the exit codes of
/// SPEC.md (sysexits, which is why the kinds carry those numbers), the web to HTTP statuses.
public struct ConsultFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the caller to decide what to do next.
    public enum Kind: Int32, Sendable, Hashable {
        /// Anything else (a difference found by verify, a record that does not exist).
        case failure = 1
        /// The request itself is malformed (an option value, an unknown view).
        case usage = 64
        /// The input breaks the rules; nothing was written.
        case invalidInput = 65
        /// The database cannot be reached, or was lost.
        case unavailable = 69
        /// Another writer got there first; nothing was written, and retrying is safe.
        case conflict = 75
    }

    public var kind: Kind
    public var message: String
    public var details: [String]

    public init(_ kind: Kind, _ message: String, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    /// The process exit status SPEC.md gives this kind of failure.
    public var exitCode: Int32 { kind.rawValue }

    public var description: String { ([message] + details).joined(separator: "\n") }

    /// What any error means for the user, and the exit code it gets.
    public static func from(_ error: any Error) -> ConsultFailure {
        switch error {
        case let failure as ConsultFailure:
            return failure
        case let error as EventStoreError:
            switch error.kind {
            case .concurrencyConflict where error.stale != nil:
                // Retrying the same batch cannot succeed: the writer must see what changed first.
                let stale = error.stale ?? .init(streamID: "", current: 0, expected: 0)
                return ConsultFailure(
                    .conflict,
                    error.message + " Read what changed since version \(stale.expected), then log again with "
                        + "--expected-version \(stale.current) (or \"expectedVersion\": \(stale.current)).")
            case .concurrencyConflict:
                return ConsultFailure(.conflict, error.message + " It is safe to retry.")
            case .eventIDReused, .unknownTargetEvent:
                return ConsultFailure(.invalidInput, error.message + " Nothing was written.")
            }
        case let error as PostgresTransactionError where error.isCommitOutcomeUnknown:
            return ConsultFailure(
                .unavailable,
                "The connection to the database was lost while committing, so the events may or may not have "
                    + "been written.",
                details: [
                    "Check with `consult status` or `consult history ID` before logging them again; "
                        + "events that carry an id are safe to log again.",
                    error.commitError?.message ?? "",
                ])
        case let error as PostgresError where error.isSessionLost:
            return ConsultFailure(
                .unavailable,
                "The database session changed between statements, as behind a connection pooler in transaction "
                    + "mode: set CONSULT_POOLER=transaction (or session, for a session pooler) and run the command "
                    + "again.",
                details: [error.message])
        case let error as PostgresError where error.isConnectionFailure:
            let (first, rest) = sentence(error.message)
            return ConsultFailure(
                .unavailable, "The database is unavailable: \(first)", details: rest)
        case let error as PostgresError:
            return ConsultFailure(
                .failure, "The database refused the request: \(error.message)",
                details: [error.detail, error.hint].compactMap { $0 })
        case let error as PostgresTransactionError:
            if let stage = error.beginError ?? error.commitError, error.rollbackError == nil {
                return from(stage)
            }
            let body = error.bodyError.map { ($0 as? PostgresError)?.message ?? "\($0)" }
            let (first, rest) = sentence(body ?? error.rollbackError?.message ?? error.commitError?.message ?? "")
            return ConsultFailure(
                .unavailable, "The database is unavailable: \(first) The transaction was not committed.", details: rest)
        case let error as EmbeddedPostgresError:
            return ConsultFailure(.unavailable, error.message)
        case let error as ProjectionError:
            switch error.kind {
            case .busy: return ConsultFailure(.conflict, error.message)
            case .heldBack: return ConsultFailure(.unavailable, error.message)
            }
        case let error as MigrationError:
            return ConsultFailure(.failure, error.message)
        default:
            return ConsultFailure(.failure, "\(error)")
        }
    }

    /// libpq's message as one sentence, and the lines after it: "FATAL:  terminating connection
    /// due to administrator command\nserver closed…" becomes "terminating connection due to
    /// administrator command." and the rest.
    public static func sentence(_ message: String) -> (String, [String]) {
        var lines = message.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return ("no reason given.", []) }
        var first = lines.removeFirst()
        for prefix in ["FATAL:", "ERROR:", "PANIC:"] where first.hasPrefix(prefix) {
            first = first.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        if let last = first.last, !".!?".contains(last) { first += "." }
        return (first, lines)
    }
}
