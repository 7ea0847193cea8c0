import EventStore
import Foundation

/// A small event for stream `stream`, with a payload that says which writer made it.
func event(
    _ stream: String, _ n: Int = 0, id: UUID = UUID(), expectedVersion: Int? = nil, type: String = "StatementRecorded"
) -> ProposedEvent {
    ProposedEvent(
        id: id, type: type, stream: .stream(stream), expectedVersion: expectedVersion,
        data: #"{"n":\#(n),"summary":"발언 요약 \#(n)"}"#, metadata: #"{"recordedBy":"tests"}"#)
}

/// Reads the whole log from `start` in pages, as a tailing reader would.
func readEverything(_ store: PostgresEventStore, after start: LogPosition = .start) async throws -> [RecordedEvent] {
    var all: [RecordedEvent] = []
    var checkpoint = start
    while true {
        let page = try await store.readAll(after: checkpoint, limit: 500)
        guard let last = page.last else { return all }
        all += page
        checkpoint = last.logPosition
    }
}
