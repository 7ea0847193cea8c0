import EventStore
import Foundation
import Postgres
import Projections

/// The projection worker: brings views up to date with the log, once or following it, and keeps
/// following across lost connections. `consult project` runs it; a server can too.
public struct ProjectionWorker: Sendable {
    /// What a following worker reports as it goes, for the interface to show or log.
    public enum Event: Sendable, Hashable {
        /// `total` events applied since the worker started.
        case applied(total: Int)
        /// The database went away; the worker reconnects. `reason` is one sentence.
        case lostDatabase(reason: String)
        /// Reconnecting failed; the next try is in `retryIn` seconds.
        case stillUnavailable(retryIn: Double)
        /// Connected again; following the log again.
        case reconnected
        /// The connection pools transactions, so LISTEN cannot wake the worker and no direct
        /// connection for it was given: new events are found by polling every second.
        case pollingOnly
    }

    public let access: StoreAccess
    public let views: [any ProjectionView]
    public let batchSize: Int
    /// A direct connection (no transaction pooler) to the same database, for LISTEN when the store
    /// is reached through a transaction pooler.
    public let listenURL: String?

    public init(
        access: StoreAccess, views: [any ProjectionView] = Views.all, batchSize: Int = 5000, listenURL: String? = nil
    ) {
        self.access = access
        self.views = views
        self.batchSize = batchSize
        self.listenURL = listenURL
    }

    /// The connection to LISTEN on: the runner's own when its server session stays; else one to
    /// `listenURL` (which must not pool transactions); else none (polling only).
    func openListener(for runnerConnection: Connection) async throws -> (Connection?, opened: Connection?) {
        if await runnerConnection.keepsSession { return (runnerConnection, nil) }
        guard let listenURL, !listenURL.isEmpty else { return (nil, nil) }
        guard DatabaseLocation.looksLikeConnectionString(listenURL) else {
            throw ConsultFailure(.usage, "The listen URL (--listen-url or CONSULT_LISTEN_URL) is not a PostgreSQL URL.")
        }
        let listener = try await Connection.connect(.url(listenURL), logger: access.logger)
        guard await listener.keepsSession else {
            await listener.close()
            throw ConsultFailure(
                .usage,
                "The listen URL reaches the server through a transaction pooler too; it must be a direct connection "
                    + "(or one through a session pooler).")
        }
        return (listener, listener)
    }

    /// The views named `names` (every view when empty); unknown names are a usage failure.
    public static func views(named names: [String]) throws -> [any ProjectionView] {
        switch Views.named(names) {
        case .success(let views): return views
        case .failure(let unknown):
            throw ConsultFailure(
                .usage,
                "No view is called \(unknown.names.joined(separator: ", ")); the views are "
                    + Views.all.map(\.name).joined(separator: ", ") + ".")
        }
    }

    /// A runner on two new connections: one applies batches, the other reads the next page of
    /// the log meanwhile.
    func openRunner() async throws -> (ProjectionRunner, [Connection]) {
        let session = try await access.open()
        do {
            let reader = try await access.open()
            let runner = ProjectionRunner(
                store: session.store, views: views, batchSize: batchSize, reader: reader.store)
            return (runner, [session.connection, reader.connection])
        } catch {
            await session.close()
            throw error
        }
    }

    /// Runs `body` with a runner of its own (`openRunner`), closing its connections however `body` ends.
    func withRunner<Result>(_ body: (ProjectionRunner) async throws -> Result) async throws -> Result {
        let (runner, connections) = try await openRunner()
        do {
            let result = try await body(runner)
            await Self.close(connections)
            return result
        } catch {
            await Self.close(connections)
            throw error
        }
    }

    /// Applies every event readable now, waiting up to `heldBackWait` seconds for events an open
    /// transaction holds back (like a read). Returns the log's status when some are still held
    /// back, else nil.
    public func catchUp(
        heldBackWait: Double = ReadSession.heldBackWait, shouldStop: @escaping @Sendable () -> Bool,
        progress: @escaping @Sendable (Int) -> Void
    ) async throws -> LogStatus? {
        try await withRunner { runner in
            shouldStop()
                ? nil
                : try await runner.catchUpForRead(timeout: heldBackWait, shouldStop: shouldStop, progress: progress)
        }
    }

    /// Catches up, then follows the log until `shouldStop`. When the database goes away (stopped,
    /// restarted, the network cut), reconnects with a growing pause (0.25 s doubling to 8 s),
    /// reporting each step, until it is back or a stop is requested. What was applied is safe:
    /// each batch commits with its checkpoint. Only a worker that was connected reconnects; one
    /// that cannot connect at all throws.
    public func follow(shouldStop: @escaping @Sendable () -> Bool, report: @escaping @Sendable (Event) -> Void)
        async throws
    {
        var (runner, current) = try await openRunner()
        do {
            guard !shouldStop() else {
                await Self.close(current)
                return
            }
            try await runner.prepare()
        } catch {
            await Self.close(current)
            throw error
        }
        var pause = 0.25
        var saidPollingOnly = false
        while true {
            do {
                let (listener, opened) = try await openListener(for: current[0])
                if let opened { current.append(opened) }
                if listener == nil, !saidPollingOnly {
                    saidPollingOnly = true
                    report(.pollingOnly)
                }
                try await runner.follow(
                    listener: listener, shouldStop: shouldStop, progress: { report(.applied(total: $0)) })
                await Self.close(current)
                return
            } catch  where ConsultFailure.from(error).kind == .unavailable {
                await Self.close(current)
                report(.lostDatabase(reason: ConsultFailure.from(error).message))
            } catch {
                await Self.close(current)
                throw error
            }
            while true {
                if try await Self.sleep(pause, unless: shouldStop) { return }
                pause = min(pause * 2, 8)
                var opened: [Connection] = []
                do {
                    (runner, opened) = try await openRunner()
                    current = opened
                    try await runner.prepare()
                    report(.reconnected)
                    pause = 0.25
                    break
                } catch  where ConsultFailure.from(error).kind == .unavailable {
                    await Self.close(opened)
                    report(.stillUnavailable(retryIn: pause))
                } catch {
                    await Self.close(opened)
                    throw error
                }
            }
        }
    }

    /// Sleeps `seconds` in short steps; true when a stop was requested meanwhile.
    static func sleep(_ seconds: Double, unless shouldStop: @Sendable () -> Bool) async throws -> Bool {
        var slept = 0.0
        while slept < seconds {
            if shouldStop() { return true }
            try await Task.sleep(for: .milliseconds(50))
            slept += 0.05
        }
        return shouldStop()
    }

    static func close(_ connections: [Connection]) async {
        for connection in connections { await connection.close() }
    }
}
