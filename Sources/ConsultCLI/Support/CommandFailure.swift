import ArgumentParser
import ConsultDomain
import EmbeddedPostgres
import EventStore
import Foundation
import Postgres
import Projections

/// The exit codes of SPEC.md (sysexits).
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
    public static let invalidInput: Int32 = 65
    public static let unavailable: Int32 = 69
    public static let conflict: Int32 = 75
}

/// An error the command reports to the user: one clear sentence first, then details.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var exitCode: Int32
    public var message: String
    public var details: [String]

    public init(exitCode: Int32, _ message: String, details: [String] = []) {
        self.exitCode = exitCode
        self.message = message
        self.details = details
    }

    public var description: String { ([message] + details).joined(separator: "\n") }

    /// What any error means for the user, and the exit code it gets.
    static func from(_ error: any Error) -> CommandFailure {
        switch error {
        case let failure as CommandFailure:
            return failure
        case let error as EventStoreError:
            switch error.kind {
            case .concurrencyConflict:
                return CommandFailure(exitCode: ExitStatus.conflict, error.message + " It is safe to retry.")
            case .eventIDReused, .unknownTargetEvent:
                return CommandFailure(exitCode: ExitStatus.invalidInput, error.message + " Nothing was written.")
            }
        case let error as PostgresError where error.isCommitOutcomeUnknown:
            return CommandFailure(
                exitCode: ExitStatus.unavailable,
                "The connection to the database was lost while committing, so the events may or may not have "
                    + "been written.",
                details: [
                    "Check with `consult status` or `consult history ID` before logging them again; "
                        + "events that carry an id are safe to log again.",
                    error.message,
                ])
        case let error as PostgresError where error.isConnectionFailure:
            let (first, rest) = sentence(error.message)
            return CommandFailure(
                exitCode: ExitStatus.unavailable, "The database is unavailable: \(first)", details: rest)
        case let error as PostgresError:
            return CommandFailure(
                exitCode: ExitStatus.failure, "The database refused the request: \(error.message)",
                details: [error.detail, error.hint].compactMap { $0 })
        case let error as PostgresTransactionError:
            let (first, rest) = sentence((error.bodyError as? PostgresError)?.message ?? "\(error.bodyError)")
            return CommandFailure(
                exitCode: ExitStatus.unavailable,
                "The database is unavailable: \(first) The transaction was not committed.", details: rest)
        case let error as EmbeddedPostgresError:
            return CommandFailure(exitCode: ExitStatus.unavailable, error.message)
        case let error as ProjectionError:
            switch error.kind {
            case .busy: return CommandFailure(exitCode: ExitStatus.conflict, error.message)
            case .heldBack: return CommandFailure(exitCode: ExitStatus.unavailable, error.message)
            }
        case let error as MigrationError:
            return CommandFailure(exitCode: ExitStatus.failure, error.message)
        default:
            return CommandFailure(exitCode: ExitStatus.failure, "\(error)")
        }
    }

    /// libpq's message as one sentence, and the lines after it: "FATAL:  terminating connection
    /// due to administrator command\nserver closed…" becomes "terminating connection due to
    /// administrator command." and the rest.
    static func sentence(_ message: String) -> (String, [String]) {
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
