import ConsultCore
import Logging
import Projections

/// Brings the views up to date and reads how current they are, once for all the requests that
/// are waiting: a request waits for a check that begins after it arrived (so it sees every event
/// committed before it came: "read your own writes", as the read commands do), and the requests
/// that arrive while a check runs share the next one. Under load the database sees one check at a
/// time, on a connection of its own, however many requests come in.
actor Freshener {
    let access: StoreAccess
    /// Whether a check first brings the views up to date (see `ReadPool.catchesUp`).
    private(set) var catchesUp: Bool
    private var session: StoreSession?
    private var checking = false
    /// Whether a check has caught the views up (and so prepared them) since the server started.
    private var caughtUpOnce = false
    private var waiting: [CheckedContinuation<ViewFreshness, any Error>] = []

    /// How long a check waits for events an open transaction holds back (see
    /// `WebServer.heldBackWait`).
    let heldBackWait: Double

    init(access: StoreAccess, catchesUp: Bool, heldBackWait: Double) {
        self.access = access
        self.catchesUp = catchesUp
        self.heldBackWait = heldBackWait
    }

    /// How current the views are, after a check that began after this call.
    func fresh() async throws -> ViewFreshness {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(continuation)
            if !checking {
                checking = true
                Task { await self.checkWhileWaited() }
            }
        }
    }

    private func checkWhileWaited() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting.removeAll()
            do {
                let fresh = try await check()
                for continuation in batch { continuation.resume(returning: fresh) }
            } catch {
                for continuation in batch { continuation.resume(throwing: error) }
            }
        }
        checking = false
    }

    /// One check on this actor's connection (opened again after a failure). A connection kept
    /// from before that turns out lost (the database restarted) is replaced and the check tried
    /// again at once.
    private func check() async throws -> ViewFreshness {
        let kept = session != nil
        do {
            return try await checkOnce()
        } catch  where kept && ConsultFailure.from(error).kind == .unavailable {
            return try await checkOnce()
        }
    }

    private func checkOnce() async throws -> ViewFreshness {
        let session = try await openSession()
        do {
            // Most checks find nothing new: the views' position and one probe of the log after it
            // say so, without the catch-up's transaction. The first check always catches up, which
            // also rebuilds a view whose definition changed with this server's version.
            let read = try await ReadSession.reading(session, catchUp: false)
            let before = try await read.freshness()
            if !catchesUp { return before }
            if caughtUpOnce, try await !session.store.hasEvents(after: before.checkpoint ?? .start) {
                return before
            }
            do {
                _ = try await ReadSession.reading(session, catchUp: true, heldBackWait: heldBackWait)
                caughtUpOnce = true
            } catch  where DatabaseRefusal.mayNotWrite(error) {
                catchesUp = false
                access.logger.notice(
                    "the server's role may not write the views; they are shown as the projection worker leaves them",
                    metadata: ["error": "\(ConsultFailure.from(error).message)"])
            }
            return try await read.freshness()
        } catch {
            self.session = nil
            await session.close()
            throw error
        }
    }

    private func openSession() async throws -> StoreSession {
        if let session { return session }
        let opened = try await access.open()
        session = opened
        return opened
    }
}
