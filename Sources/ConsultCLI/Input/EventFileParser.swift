import ConsultDomain
import EventStore
import Foundation

/// Turns JSONL input into events to append, collecting every violation with its line and field.
struct EventFileParser {
    struct Parsed {
        var events: [ProposedEvent] = []
        /// The input line of each event.
        var lines: [Int] = []
    }

    /// Violations shown before "and N more".
    static let shownViolations = 20

    static func parse(_ handle: FileHandle, sourceName: String) throws -> Parsed {
        var reader = JSONLinesReader(handle: handle)
        var parsed = Parsed()
        var problems: [String] = []
        var problemCount = 0
        func report(_ text: String) {
            problemCount += 1
            if problems.count < shownViolations { problems.append(text) }
        }
        while let line = try reader.next() {
            switch line {
            case .tooLong(let number):
                report("line \(number): longer than 1 MiB")
            case .text(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                let value: JSONValue
                do {
                    value = try JSONValue.parse(bytes)
                } catch {
                    report("line \(number): not valid JSON: \(error.message) (at byte \(error.byteOffset + 1))")
                    continue
                }
                switch EventEnvelope.parse(value) {
                case .failure(let violations):
                    for violation in violations.items { report("line \(number): \(violation)") }
                case .success(let envelope):
                    parsed.events.append(proposedEvent(envelope))
                    parsed.lines.append(number)
                }
            }
        }
        if problemCount > 0 {
            let more = problemCount > problems.count ? ["… and \(problemCount - problems.count) more"] : []
            throw CommandFailure(
                exitCode: ExitStatus.invalidInput,
                "\(sourceName) has \(problemCount) invalid \(problemCount == 1 ? "entry" : "entries"); nothing was written.",
                details: problems + more)
        }
        return parsed
    }

    static func proposedEvent(_ envelope: EventEnvelope) -> ProposedEvent {
        let stream: StreamTarget =
            switch envelope.stream {
            case .named(let name): .stream(name)
            case .ofEvent(let id): .streamOfEvent(id)
            }
        return ProposedEvent(
            id: envelope.id ?? UUID(), type: envelope.type.rawValue, schemaVersion: envelope.type.schemaVersion,
            stream: stream, expectedVersion: envelope.expectedVersion,
            data: JSONValue.object(envelope.data).serialized(),
            metadata: JSONValue.object(envelope.metadata).serialized())
    }
}
