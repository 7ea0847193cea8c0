import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import Logging
import Projections

/// `consult serve`: the record on the web, from the same use cases as the command line.
public enum WebServer {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The store: where the projection worker writes, and where reads go without `readAccess`.
        public var access: StoreAccess
        /// A hot standby of the store that every read goes to (`--read-url`).
        public var readAccess: StoreAccess?
        /// Whether the server runs the projection worker itself (`--with-worker`).
        public var withWorker = false

        public init(access: StoreAccess) {
            self.access = access
        }
    }

    /// Every route, reading from `access`, or from `readAccess` when given. A request waits up to
    /// `heldBackWait` seconds for events an open transaction holds back.
    public static func router(
        access: StoreAccess, readAccess: StoreAccess? = nil, heldBackWait: Double = WebServer.heldBackWait
    ) -> Router<BasicRequestContext> {
        let site = Site(access: access, readAccess: readAccess, heldBackWait: heldBackWait)
        // HEAD, which every HTTP server must answer as GET without the body (RFC 9110, 9.3.2).
        let router = Router(options: .autoGenerateHeadEndpoints)
        let metrics = ServerMetrics()
        router.add(middleware: SafetyHeaders())
        router.add(middleware: CountingMiddleware(metrics: metrics))
        router.add(middleware: RequestLimits())
        router.get("/healthz") { _, _ in await health(site) }
        API.add(to: router, site: site)
        Pages.add(to: router, site: site)
        Feeds.add(to: router, site: site)
        OpenData.add(to: router, site: site)
        metrics.add(to: router, site: site)
        return router
    }

    /// How long a request waits for committed events that an open transaction holds back:
    /// `CONSULT_READ_WAIT` seconds, else 1 (less than a read command's 5: a long import must not
    /// make every page slow; the views stay consistent, only without those events for a while).
    public static var heldBackWait: Double {
        ProcessInfo.processInfo.environment["CONSULT_READ_WAIT"].flatMap(Double.init).map { max(0, $0) } ?? 1
    }

    /// Serves until the process is asked to stop (SIGINT, SIGTERM); with `withWorker`, follows
    /// the log with the projection worker beside it.
    public static func run(_ configuration: Configuration) async throws {
        let logger = configuration.access.logger
        let app = Application(
            router: router(access: configuration.access, readAccess: configuration.readAccess),
            // A connection idle for 30 s is closed; a header field may hold 8 KiB, all of them 32 KiB.
            server: .http1(
                configuration: .init(
                    idleTimeout: .seconds(30),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: logger)
        guard configuration.withWorker else {
            try await app.runService()
            return
        }
        let stop = StopFlag()
        let worker = Task {
            do {
                try await follow(configuration.access, stop: stop, logger: logger)
            } catch {
                logger.error(
                    "the projection worker stopped", metadata: ["error": "\(ConsultFailure.from(error).message)"])
            }
        }
        defer {
            stop.set()
            worker.cancel()
        }
        try await app.runService()
    }

    /// The projection worker, following the log until `stop` is set, its news in the log.
    static func follow(_ access: StoreAccess, stop: StopFlag, logger: Logger) async throws {
        try await ProjectionWorker(access: access).follow(shouldStop: { stop.isSet }) { event in
            switch event {
            case .applied(let total): logger.debug("views caught up", metadata: ["events": "\(total)"])
            case .lostDatabase(let reason):
                logger.warning("worker lost the database", metadata: ["reason": "\(reason)"])
            case .stillUnavailable(let pause):
                logger.warning("database still unavailable", metadata: ["retryIn": "\(pause)"])
            case .reconnected: logger.notice("worker reconnected")
            case .pollingOnly:
                logger.notice("worker polls every second: LISTEN cannot work through a transaction pooler")
            }
        }
    }

    /// 200 when the database answers and no view is stalled; 503 with why. A view is stalled when
    /// it is behind the log and has not moved for `stalledAfter` seconds (no worker keeps it
    /// current: a standby whose primary runs none, or a read-only role).
    static func health(_ site: Site, stalledAfter: Double = 60) async -> Response {
        do {
            _ = try await site.freshener.fresh()
            let stalled = try await site.reads.read { read in
                try await ProjectionRunner(store: read.session.store).status().first { view in
                    guard view.lag > 0, let updated = Timestamp(rfc3339: view.updatedAt) else { return false }
                    return Date().timeIntervalSince1970 - Double(updated.microseconds) / 1_000_000 > stalledAfter
                }
            }
            if let view = stalled {
                throw Problem(
                    status: .serviceUnavailable,
                    detail: "The view \(view.name) is \(view.lag) events behind the log and has not moved since "
                        + "\(view.updatedAt); run consult project --follow (or consult serve --with-worker) on the primary."
                )
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        } catch {
            return site.problem(error).response
        }
    }
}
