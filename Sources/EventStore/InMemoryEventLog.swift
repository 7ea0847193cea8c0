import Foundation
import Synchronization

/// The event log in memory, with the same append rules as `PostgresEventStore`: all or nothing,
/// expected versions, idempotency by event id, corrections in their target's stream.
///
/// For tests of code above the store (projections, the domain's use of it) that need no
/// database. There is one writer at a time, so the log order is simply the append order.
public final class InMemoryEventLog: EventLog {
    private struct State {
        var events: [RecordedEvent] = []
        var indexOfID: [UUID: Int] = [:]
        var versionOfStream: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        try state.withLock { state in
            var draft = state  // applied only if the whole batch passes
            var outcomes: [AppendOutcome] = []
            let now = Self.timestamp()
            for (index, event) in events.enumerated() {
                if let existing = draft.indexOfID[event.id] {
                    let stored = draft.events[existing]
                    guard stored.type == event.type, Self.sameJSON(stored.data, event.data),
                        Self.sameJSON(stored.metadata, event.metadata)
                    else {
                        throw EventStoreError(
                            kind: .eventIDReused, index: index,
                            message:
                                "Event id \(event.id.uuidString.lowercased()) is stored already with different content."
                        )
                    }
                    outcomes.append(.duplicate(position: stored.position, streamID: stored.streamID))
                    continue
                }
                let streamID: String
                switch event.stream {
                case .stream(let name):
                    streamID = name
                case .streamOfEvent(let target):
                    guard let targetIndex = draft.indexOfID[target] else {
                        throw EventStoreError(
                            kind: .unknownTargetEvent, index: index,
                            message:
                                "No event with id \(target.uuidString.lowercased()) is stored or earlier in the batch.")
                    }
                    streamID = draft.events[targetIndex].streamID
                }
                let current = draft.versionOfStream[streamID] ?? 0
                if let expected = event.expectedVersion, expected != current {
                    throw EventStoreError(
                        kind: .concurrencyConflict, index: index,
                        message: "Stream \(streamID) is at version \(current), not the expected \(expected); "
                            + "nothing was written.")
                }
                let position = Int64(draft.events.count + 1)
                draft.versionOfStream[streamID] = current + 1
                draft.indexOfID[event.id] = draft.events.count
                draft.events.append(
                    RecordedEvent(
                        logPosition: LogPosition(epoch: 1, transactionID: UInt64(position), position: position),
                        streamID: streamID, streamVersion: current + 1, type: event.type,
                        schemaVersion: event.schemaVersion, id: event.id, data: event.data, metadata: event.metadata,
                        recordedAtMicroseconds: now))
                outcomes.append(.appended(position: position, streamID: streamID, version: current + 1))
            }
            state = draft
            return outcomes
        }
    }

    public func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent] {
        state.withLock { state in
            Array(state.events.lazy.filter { $0.logPosition > position }.prefix(max(0, limit)))
        }
    }

    public func readStreams(_ streamIDs: [String]) async throws -> [RecordedEvent] {
        let wanted = Set(streamIDs)
        return state.withLock { state in state.events.filter { wanted.contains($0.streamID) } }
    }

    /// Content equality as jsonb sees it would need a JSON parser here; the store's callers send
    /// canonical (compact, parsed-and-serialized) text, so text equality is the same test.
    private static func sameJSON(_ left: String, _ right: String) -> Bool {
        left == right
    }

    /// Now, in microseconds since 1970.
    private static func timestamp() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
