import ConsultCore
import ConsultDomain
import Hummingbird
import Logging
import Projections

/// `consult serve`: the record on the web, from the same use cases as the command line.
///
/// This first part serves the JSON API's commitments, the health check and errors as
/// problem+json; pages, feeds, open data and the rest of the API follow (issue 17).
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
        let router = Router()
        router.get("/healthz") { _, _ in try await health(access) }
        router.get("/api/v1/commitments") { request, _ in try await commitments(request, access) }
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
    static func health(_ access: StoreAccess) async throws -> Response {
        do {
            let read = try await ReadSession.open(access, heldBackWait: 0)
            await read.close()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        } catch {
            return Problem(error).response
        }
    }

    /// `/api/v1/commitments`: `{"items": […], "next": …, "asOf": …, "recordedAsOf": …}`, each item
    /// byte for byte a row of `consult commitments --format json`.
    static func commitments(_ request: Request, _ access: StoreAccess) async throws -> Response {
        do {
            let parameters = try QueryParameters(
                request, allowed: CommitmentsQuery.parameterNames + ["limit", "cursor"])
            var query = CommitmentsQuery()
            query.outstanding = try parameters.flag("outstanding")
            query.overdue = try parameters.flag("overdue")
            query.statuses = parameters.all("status")
            query.owner = parameters.one("owner")
            query.sector = parameters.one("sector")
            query.topic = parameters.one("topic")
            query.asOf = parameters.one("asOf")
            query.recordedAsOf = parameters.one("recordedAsOf")
            let page = try Page(parameters)
            try query.validate(names: { $0 })
            let read = try await ReadSession.open(access)
            let answer: CommitmentsQuery.Answer
            do {
                answer = try await query.run(read, names: { $0 })
                await read.close()
            } catch {
                await read.close()
                throw error
            }
            return page.list(answer.rows.map(\.json), asOf: answer.date, recordedAsOf: answer.recordedAsOf)
        } catch {
            return Problem(error).response
        }
    }
}

extension CommitmentsQuery {
    /// The API's query parameters, as the CLI's options in camelCase.
    static let parameterNames = [
        "outstanding", "overdue", "status", "owner", "sector", "topic", "asOf", "recordedAsOf",
    ]
}
