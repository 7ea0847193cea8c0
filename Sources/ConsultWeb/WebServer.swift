import ConsultCore
import ConsultDomain
import Hummingbird
import Logging
import Projections

/// `consult serve`: the record on the web, from the same use cases as the command line.
///
/// This first part serves the JSON API's commitments and requests, the health check and errors as
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
        router.get("/api/v1/requests") { request, _ in try await requests(request, access) }
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
            return problem(error, access)
        }
    }

    /// `/api/v1/commitments`: `{"items": […], "next": …, "asOf": …, "recordedAsOf": …}`, each item
    /// byte for byte a row of `consult commitments --format json`.
    static func commitments(_ request: Request, _ access: StoreAccess) async throws -> Response {
        await list(request, access, parameters: CommitmentsQuery.parameterNames) { parameters in
            var query = CommitmentsQuery()
            query.outstanding = try parameters.flag("outstanding")
            query.overdue = try parameters.flag("overdue")
            query.statuses = parameters.all("status")
            query.owner = try parameters.one("owner")
            query.sector = try parameters.one("sector")
            query.topic = try parameters.one("topic")
            query.asOf = try parameters.one("asOf")
            query.recordedAsOf = try parameters.one("recordedAsOf")
            return query
        }
    }

    /// `/api/v1/requests`, as `consult requests --format json`.
    static func requests(_ request: Request, _ access: StoreAccess) async throws -> Response {
        await list(request, access, parameters: ["unanswered", "to", "topic", "asOf", "recordedAsOf"]) {
            parameters in
            var query = RequestsQuery()
            query.unanswered = try parameters.flag("unanswered")
            query.to = try parameters.one("to")
            query.topic = try parameters.one("topic")
            query.asOf = try parameters.one("asOf")
            query.recordedAsOf = try parameters.one("recordedAsOf")
            return query
        }
    }

    /// A list route: the parameters checked (`parameters` and `limit`, `cursor`) and the query
    /// validated before anything is read, then the query run on a session of its own, then one
    /// page of its rows; every failure as problem+json.
    static func list<Query: ListQuery>(
        _ request: Request, _ access: StoreAccess, parameters names: [String],
        query make: (QueryParameters) throws -> Query
    ) async -> Response {
        do {
            let parameters = try QueryParameters(request, allowed: names + ["limit", "cursor"])
            let page = try Page(parameters)
            let query = try make(parameters)
            try query.validate(names: { $0 })
            let session = try await ReadSession.open(access)
            let answer: ListAnswer<Query.Row>
            do {
                answer = try await query.run(session, names: { $0 })
                await session.close()
            } catch {
                await session.close()
                throw error
            }
            return page.list(answer.rows.map(\.json), asOf: answer.date, recordedAsOf: answer.recordedAsOf)
        } catch {
            return problem(error, access)
        }
    }

    /// `error` as problem+json; what the answer does not say (a 500's cause) goes to the log.
    static func problem(_ error: any Error, _ access: StoreAccess) -> Response {
        let problem = Problem(error)
        if problem.status == .internalServerError {
            access.logger.error("request failed", metadata: ["error": "\(ConsultFailure.from(error).message)"])
        }
        return problem.response
    }
}

extension CommitmentsQuery {
    /// The API's query parameters, as the CLI's options in camelCase.
    static let parameterNames = [
        "outstanding", "overdue", "status", "owner", "sector", "topic", "asOf", "recordedAsOf",
    ]
}
