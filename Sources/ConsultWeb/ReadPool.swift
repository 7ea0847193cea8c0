import ConsultCore
import Logging

/// The server's open connections to the store, shared by the requests: a request borrows one for
/// its read and gives it back, so that a page costs a few queries, not a connection (and, on the
/// embedded cluster, not a check that the cluster runs). A connection that failed is closed and
/// replaced by a new one at the next request, so the pool recovers when the database comes back.
actor ReadPool {
    let access: StoreAccess
    let size: Int
    private var idle: [StoreSession] = []
    private var opened = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Seconds a read's statement may run.
    static let statementTimeout = 30.0

    init(access: StoreAccess, size: Int = 8) {
        self.access = access
        self.size = size
    }

    /// Runs `body` on a read of a pooled connection (the `Freshener` brings the views up to date
    /// beforehand). When a connection
    /// that waited in the pool turns out lost (the database restarted meanwhile), the others that
    /// waited with it are dropped too and the read is tried once more on a new connection.
    nonisolated func read<Result: Sendable>(_ body: (ReadSession) async throws -> Result) async throws -> Result {
        let (session, reused) = try await acquire()
        do {
            return try await read(on: session, body)
        } catch  where reused && ConsultFailure.from(error).kind == .unavailable {
            await dropIdle()
            let (fresh, _) = try await acquire()
            return try await read(on: fresh, body)
        }
    }

    private nonisolated func read<Result: Sendable>(
        on session: StoreSession, _ body: (ReadSession) async throws -> Result
    ) async throws -> Result {
        do {
            let read = try await ReadSession.reading(session, catchUp: false)
            let result = try await body(read)
            await release(session, failed: false)
            return result
        } catch  where DatabaseRefusal.isMissingTable(error) {
            await release(session, failed: false)
            throw Problem(
                status: .serviceUnavailable,
                detail: "The views are not built in this database yet, and this server does not build them: run "
                    + "consult project on the primary (or consult serve --with-worker there).")
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

    /// A connection, and whether it waited in the pool (rather than being opened now).
    private func acquire() async throws -> (StoreSession, reused: Bool) {
        while true {
            if let session = idle.popLast() { return (session, true) }
            if opened < size {
                opened += 1
                do {
                    let session = try await access.open()
                    // A read that takes longer is cancelled by the database and answered 503.
                    do {
                        try await session.limitStatementTime(seconds: Int(Self.statementTimeout))
                    } catch {
                        await session.close()
                        throw error
                    }
                    return (session, false)
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

    /// Closes every idle connection: when one was found lost, or when the server stops.
    func dropIdle() async {
        let dropped = idle
        idle.removeAll()
        opened -= dropped.count
        for _ in dropped { wakeOne() }
        for session in dropped { await session.close() }
    }
}
