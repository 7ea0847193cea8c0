import ConsultDomain
import EventStore
import Foundation
import Synchronization

/// How far a restore has come: the events sent to the store and the bytes of the file read.
public struct RestoreProgress: Sendable, Hashable {
    public var events: Int
    public var bytes: Int
}

/// `consult restore`: loads a whole export (`consult export`) into an empty store exactly as the
/// exporting store held it — event ids, order, stream versions, recording times, schema versions,
/// data, metadata and hashes — so that the restored store's export is the same file, byte for byte,
/// and every `--recorded-as-of` answer about the past is the same.
///
/// Nothing of the file is interpreted: events are not upcast or checked against today's rules
/// (they were accepted when they were recorded, and stay as they were stored). What is checked,
/// line by line as the file streams into the store, in this order:
///
/// 1. the store is empty (under a lock that keeps appends out until the restore ends);
/// 2. each line is JSON of an event with its `recorded` placement (`EventEnvelope`'s shape), or a
///    closing line; an event line with `follows` (an export made with `--since`) is refused;
/// 3. the chains: each stream's versions come in order from 1, and the store recomputes each
///    event's hash from its content, recording time, place and the hash before it, and refuses a
///    difference (migration 0009);
/// 4. the closing lines (`ExportSeal`): one head per stream, sorted, equal to the stream's last
///    line; the end line last, with the counts and the digest of the event lines; a file without
///    them is not a complete export of this version, and is refused.
///
/// Any problem refuses the whole file (one transaction, rolled back), naming the line. Memory
/// holds each stream's last version and hash, not the file.
public enum LogRestore {
    /// What a restore stored.
    public struct Restored: Sendable, Hashable {
        public var events: Int
        public var streams: Int
    }

    /// Events between two progress reports.
    static let progressInterval = 1000

    /// Restores `handle` (a file or stdin) into the store `access` reaches.
    public static func restore(
        _ handle: FileHandle, sourceName: String, access: StoreAccess,
        progress: @escaping @Sendable (RestoreProgress) -> Void = { _ in }
    ) async throws -> Restored {
        try await access.withSession { session in
            try await restore(handle, sourceName: sourceName, store: session.store, progress: progress)
        }
    }

    /// The same, on a store the caller holds open.
    public static func restore(
        _ handle: FileHandle, sourceName: String, store: PostgresEventStore,
        progress: @escaping @Sendable (RestoreProgress) -> Void = { _ in }
    ) async throws -> Restored {
        let streams = Mutex(0)
        let events: Int
        do {
            events = try await store.restore { emit in
                var reader = JSONLinesReader(handle: handle)
                var checker = ExportSeal.Checker()
                var sent = 0
                var lastLine = 0
                while let next = try reader.next() {
                    let (number, event) = try restoredEvent(
                        next, sourceName: sourceName, checker: &checker)
                    lastLine = number
                    guard let event else { continue }
                    try emit(event)
                    sent += 1
                    if sent % progressInterval == 0 { progress(RestoreProgress(events: sent, bytes: reader.bytesRead)) }
                }
                do throws(ExportSeal.Problem) {
                    try checker.finish()
                } catch {
                    throw ExportSealFailure.failure(
                        error, line: lastLine, sourceName: sourceName, sawClosingLines: checker.sawTrailer)
                }
                progress(RestoreProgress(events: sent, bytes: reader.bytesRead))
                streams.withLock { $0 = checker.streams }
            }
        } catch let refusal as RestoreRefusal {
            throw failure(refusal, sourceName: sourceName)
        }
        return Restored(events: events, streams: streams.withLock { $0 })
    }

    /// Checks one line; returns its number and, for an event line, the event to store (nil for
    /// a closing line). Throws a `ConsultFailure` (invalid input) naming the line.
    static func restoredEvent(
        _ line: JSONLinesReader.Line, sourceName: String, checker: inout ExportSeal.Checker
    ) throws -> (Int, RestoredEvent?) {
        func refuse(_ number: Int, _ what: String, details: [String] = []) -> ConsultFailure {
            ConsultFailure(
                .invalidInput, "Line \(number) of \(sourceName) \(what); nothing was written.", details: details)
        }
        let number: Int
        let bytes: ArraySlice<UInt8>
        switch line {
        case .tooLong(let tooLong):
            throw refuse(tooLong, "is longer than 1 MiB")
        case .text(let text, let content):
            number = text
            bytes = content
        }
        // The store numbers the events it refuses by their place in the file, so every line
        // before the closing lines must be an event: an export has no empty lines.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            throw refuse(number, "is empty (an export has no empty lines)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw refuse(number, "is not valid JSON: \(error.message) (at byte \(error.byteOffset + 1))")
        }
        func checked(_ step: () throws(ExportSeal.Problem) -> Void) throws {
            do {
                try step()
            } catch {
                throw ExportSealFailure.failure(error, line: number, sourceName: sourceName, sawClosingLines: true)
            }
        }
        if ExportClosingLine.isClosingLine(value) {
            switch ExportClosingLine.parse(value) {
            case .failure(let violations):
                throw refuse(number, "is not a valid closing line: " + printable(violations))
            case .success(.end(_, _, _, partial: true)):
                throw refuse(
                    number,
                    "ends an export made with consult export --since, which continues an earlier export: restore "
                        + "takes only a whole export (consult export without --since)")
            case .success(let closing):
                try checked { () throws(ExportSeal.Problem) in try checker.check(closing) }
                return (number, nil)
            }
        }
        let envelope: EventEnvelope
        switch EventEnvelope.parse(value) {
        case .failure(let violations):
            throw refuse(number, "is not a valid exported event: " + printable(violations))
        case .success(let parsed):
            envelope = parsed
        }
        guard let recorded = envelope.recorded, case .object(let object) = value else {
            throw refuse(
                number,
                "has no \"recorded\" placement: the file is not an export written by consult export, and restore "
                    + "takes only a whole export (consult log --file takes other event files)")
        }
        if recorded.follows != nil {
            throw refuse(
                number,
                "continues stream \(recorded.stream) from an earlier export (\"recorded.follows\"): the file was made "
                    + "with consult export --since, and restore takes only a whole export (consult export without "
                    + "--since)")
        }
        if case .named(let stream) = envelope.stream, stream != recorded.stream {
            throw refuse(
                number, "is placed in stream \(recorded.stream), but its data names stream \(stream)",
                details: ["The export was changed after `consult export` wrote it."])
        }
        try checked { () throws(ExportSeal.Problem) in
            try checker.event(stream: recorded.stream, version: recorded.version, hash: recorded.hash)
        }
        // Data and metadata as the line has them: the store keeps them as jsonb, as the exporting
        // store did, so they hash the same (no upcasting, no rules: the event stays as it was stored).
        return (
            number,
            RestoredEvent(
                id: envelope.id ?? UUID(), stream: recorded.stream, version: recorded.version,
                type: envelope.type.rawValue, schemaVersion: recorded.schemaVersion,
                recordedAtMicroseconds: recorded.recordedAt.microseconds,
                data: (object["data"] ?? .object(JSONObject())).serialized(),
                metadata: (object["metadata"] ?? .object(JSONObject())).serialized(), hash: recorded.hash)
        )
    }

    static func printable(_ violations: Violations) -> String {
        EventFileParser.printable(violations.items.map(\.description).joined(separator: "; "))
    }

    /// The store's refusal, as the person restoring the file is told it.
    static func failure(_ refusal: RestoreRefusal, sourceName: String) -> ConsultFailure {
        let line = refusal.row.map { "Line \($0) of \(sourceName)" } ?? sourceName
        switch refusal.kind {
        case .notEmpty(let events):
            return ConsultFailure(
                .invalidInput,
                "The store is not empty (it holds \(events) event\(events == 1 ? "" : "s")): restore loads an export "
                    + "only into an empty store; nothing was written.",
                details: [
                    "Restore into a new database (consult --database-url URL restore FILE), or log the file into this "
                        + "one with consult log --file (its events then get new recording times)."
                ])
        case .hashMismatch:
            // The store names the event: "event <id> (stream <s>, version <n>) does not match …".
            let event = refusal.message.firstMatch(of: #/^event (.+\)) does not match/#).map { " (\($0.output.1))" }
            return ConsultFailure(
                .invalidInput,
                "\(line)\(event ?? "") does not match its hash: it, or the line before it in its stream, was changed "
                    + "(content, recording time or place); nothing was written.",
                details: ["The export was changed after `consult export` wrote it."])
        case .idReused:
            return ConsultFailure(
                .invalidInput, "\(line) repeats the id of an event on an earlier line; nothing was written.")
        case .invalidValue:
            return ConsultFailure(
                .invalidInput, "\(line) holds a value the store cannot keep (\(refusal.message)); nothing was written.")
        }
    }
}
