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
///
/// Tests share a cluster, and an open writing transaction anywhere in it holds every tailing
/// reader back (by design: see `readAll`), so this first waits until nothing is held back.
func readEverything(_ store: PostgresEventStore, after start: LogPosition = .start) async throws -> [RecordedEvent] {
    try await waitUntilReadable(store)
    var all: [RecordedEvent] = []
    var checkpoint = start
    while true {
        let page = try await store.readAll(after: checkpoint, limit: 500)
        guard let last = page.last else { return all }
        all += page
        checkpoint = last.logPosition
    }
}

/// The outcome of an async throwing call, as a value.
func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// Waits (up to a minute) until no committed event is held back by an open transaction elsewhere
/// in the shared test cluster.
func waitUntilReadable(_ log: any EventLog) async throws {
    guard let store = log as? PostgresEventStore else { return }
    let deadline = ContinuousClock.now + .seconds(60)
    while try await store.status().eventsHeldBack > 0 && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
}
