import ConsultCore
import ConsultDomain
import Hummingbird
import Logging
import Projections

/// `consult serve`: the record on the web, from the same use cases as the command line.
public enum WebServer {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var access: StoreAccess

        public init(access: StoreAccess) {
            self.access = access
        }
    }

    /// Every route, over `access`.
    public static func router(access: StoreAccess) -> Router<BasicRequestContext> {
        let site = Site(access: access)
        let router = Router()
        let metrics = ServerMetrics()
        router.add(middleware: SafetyHeaders())
        router.add(middleware: CountingMiddleware(metrics: metrics))
        router.get("/healthz") { _, _ in await health(site) }
        API.add(to: router, site: site)
        Feeds.add(to: router, site: site)
        OpenData.add(to: router, site: site)
        metrics.add(to: router, site: site)
        return router
    }

    /// Serves until the process is asked to stop (SIGINT, SIGTERM).
    public static func run(_ configuration: Configuration) async throws {
        let app = Application(
            router: router(access: configuration.access),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: configuration.access.logger)
        try await app.runService()
    }

    /// 200 when the database answers and the views can be brought up to date; 503 with why.
    static func health(_ site: Site) async -> Response {
        do {
            try await site.reads.read { _ in }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        } catch {
            return site.problem(error).response
        }
    }
}
