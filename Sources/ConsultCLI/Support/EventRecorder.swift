import ConsultDomain
import EventStore
import Foundation

/// Checks a batch against the domain rules and appends it, all or nothing; shared by
/// `log --file` and the `log <kind>` commands.
enum EventRecorder {
    /// Appends `parsed`; store errors name the input line. With `dryRun` the append runs in full
    /// (rules, versions, ids) and is rolled back; it returns nil.
    static func record(
        _ parsed: EventFileParser.Parsed, sourceName: String, connection options: ConnectionOptions,
        dryRun: Bool = false
    ) async throws -> [AppendOutcome]? {
        let session = try await StoreSession.open(options, logger: cliLogger)
        if parsed.isExport {
            try await ExportChainCheck.check(parsed, sourceName: sourceName, connection: session.connection)
        }
        do {
            let outcomes = try await session.store.append(
                parsed.events,
                check: { lookup in try BatchChecker.check(parsed, sourceName: sourceName, lookup: lookup) },
                dryRun: dryRun)
            return dryRun ? nil : outcomes
        } catch let error as EventStoreError {
            var failure = CommandFailure.from(error)
            if let index = error.index { failure.message = "Line \(parsed.lines[index]): " + failure.message }
            throw failure
        }
    }
}

extension EventFileParser.Parsed {
    /// A batch of one event, as if it were line 1 of a file.
    init(single envelope: EventEnvelope) {
        let event = EventFileParser.proposedEvent(envelope)
        self.init(
            events: [event], domainEvents: [BatchRules.Event(id: event.id, type: envelope.type, data: envelope.data)],
            lines: [1], recorded: [envelope.recorded])
    }
}
