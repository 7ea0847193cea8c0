import Foundation

/// Reads the parts of a file on a thread of its own, one part ahead of the writer: while one part
/// is checked against the log and written, the next is read and parsed. Memory holds at most one
/// part more than without it.
final class PartPrefetcher: @unchecked Sendable {
    /// A part, and what the reader knew once it was read.
    struct Produced {
        var part: EventFileParser.Parsed
        var isAtEnd: Bool
        /// Whether some line so far was not an event (the reader's `failure` is set).
        var hasProblems: Bool
    }

    private let condition = NSCondition()
    /// Produced parts not yet taken (at most one), or the error reading stopped with.
    private var ready: [Result<Produced, any Error>] = []
    private var cancelled = false

    /// Starts reading parts of up to `partEvents` events from `reader`, which no one else may use
    /// until the last part (`isAtEnd`) or an error has been taken; after `cancel()`, never again.
    init(_ reader: EventFileReader, partEvents: Int) {
        let thread = Thread { [self] in produce(reader, partEvents: partEvents) }
        thread.name = "consult-read-ahead"
        thread.start()
    }

    private func produce(_ reader: EventFileReader, partEvents: Int) {
        while true {
            condition.lock()
            while !ready.isEmpty && !cancelled { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { break }
            let result = Result {
                let part = try reader.next(maxEvents: partEvents)
                return Produced(part: part, isAtEnd: reader.isAtEnd, hasProblems: reader.failure != nil)
            }
            condition.lock()
            ready.append(result)
            condition.broadcast()
            condition.unlock()
            if case .success(let produced) = result, !produced.isAtEnd { continue }
            break
        }
    }

    /// The next part, waiting for it; rethrows what reading it threw.
    func next() throws -> Produced {
        condition.lock()
        while ready.isEmpty { condition.wait() }
        let result = ready.removeFirst()
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    /// Stops reading ahead: the thread ends after the part it is reading, if any. It does not wait
    /// for that (a pipe may hold its read for long); whoever cancels no longer uses the reader.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
