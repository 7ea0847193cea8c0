import ConsultCore
import Logging

/// The server's open connections to the store, shared by the requests: a request borrows one for
/// its read and gives it back, so that a page costs a few queries, not a connection (and, on the
/// embedded cluster, not a check that the cluster runs). A connection that failed is closed and
/// replaced by a new one at the next request, so the pool recovers when the database comes back.
actor ReadPool {
    let access: StoreAccess
    /// Whether a read first brings the views up to date: false on a hot standby, whose views the
    /// primary's worker writes.
    let catchesUp: Bool
    let size: Int
    private var idle: [StoreSession] = []
    private var opened = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(access: StoreAccess, catchesUp: Bool = true, size: Int = 8) {
        self.access = access
        self.catchesUp = catchesUp
        self.size = size
    }

    /// Runs `body` on a read of a pooled connection, the views caught up first unless
    /// `catchingUp` is false (`/metrics`, which reports how far behind they are).
    nonisolated func read<Result: Sendable>(
        catchingUp: Bool = true, _ body: (ReadSession) async throws -> Result
    ) async throws -> Result {
        let session = try await acquire()
        do {
            let read = try await ReadSession.reading(session, catchUp: catchesUp && catchingUp)
            let result = try await body(read)
            await release(session, failed: false)
            return result
        } catch {
            // A refusal of the request's own values leaves the connection as it was; anything else
            // may have broken it.
            let kind = ConsultFailure.from(error).kind
            let refusal = kind == .usage || kind == .invalidInput || error is Problem
            let healthy = refusal ? await session.connection.isOpen : false
            await release(session, failed: !healthy)
            throw error
        }
    }

    private func acquire() async throws -> StoreSession {
        while true {
            if let session = idle.popLast() { return session }
            if opened < size {
                opened += 1
                do {
                    return try await access.open()
                } catch {
                    opened -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    private func release(_ session: StoreSession, failed: Bool) async {
        if failed {
            opened -= 1
            await session.close()
        } else {
            idle.append(session)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    /// Closes every idle connection (when the server stops).
    func close() async {
        for session in idle { await session.close() }
        opened -= idle.count
        idle.removeAll()
    }
}
