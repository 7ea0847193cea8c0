import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import Projections

/// The JSON API under `/api/v1/`: each list item and each record is byte for byte a row of the
/// CLI's `--format json`, from the same query.
enum API {
    static func add(to router: Router<some RequestContext>, site: Site) {
        let api = router.group("/api/v1")
        api.get("commitments") { request, _ in
            await list(request, site, parameters: CommitmentsQuery.parameterNames) { try CommitmentsQuery($0) }
        }
        api.get("commitments/:id") { request, context in
            await record(request, context, site, noun: "commitment") { parameters, id in
                var query = try CommitmentsQuery(parameters)
                query.id = id
                return query
            }
        }
        api.get("requests") { request, _ in
            await list(request, site, parameters: RequestsQuery.parameterNames) { try RequestsQuery($0) }
        }
        api.get("follow-ups") { request, _ in
            await list(request, site, parameters: ["dueWithin", "all", "asOf"]) { parameters in
                var query = FollowUpsQuery()
                query.dueWithin = try parameters.integer("dueWithin", in: 0...36_500) ?? 0
                query.all = try parameters.flag("all")
                query.asOf = try parameters.one("asOf")
                return query
            }
        }
        api.get("stakeholders") { request, _ in
            await list(request, site, parameters: StakeholdersQuery.parameterNames) { try StakeholdersQuery($0) }
        }
        api.get("stakeholders/:id") { request, context in
            await record(request, context, site, noun: "stakeholder") { parameters, id in
                var query = try StakeholdersQuery(parameters)
                query.id = id
                return query
            }
        }
        api.get("consultations") { request, _ in
            await list(request, site, parameters: ["asOf", "recordedAsOf"]) { try ConsultationsQuery($0) }
        }
        api.get("consultations/:id") { request, context in
            await record(request, context, site, noun: "consultation") { parameters, id in
                var query = try ConsultationsQuery(parameters)
                query.id = id
                return query
            }
        }
        api.get("search") { request, _ in
            await list(request, site, parameters: ["q", "kind", "topic"]) { parameters in
                var query = SearchQuery()
                guard let text = try parameters.one("q") else {
                    throw Problem(status: .badRequest, detail: "q is missing: give the text to search for (?q=…).")
                }
                query.text = text
                query.kind = try parameters.one("kind")
                query.topic = try parameters.one("topic")
                return query
            }
        }
        api.get("history/:id") { request, context in await history(request, context, site) }
        api.get("status") { request, _ in await status(request, site) }
        OpenAPIDocument.add(to: api)
    }

    /// How the API spells a parameter in its messages: as in the query (`asOf`), `q` for the
    /// searched text; and where the stakeholders' ids are listed.
    static func name(_ parameter: String) -> String {
        switch parameter {
        case "text": "q"
        case "stakeholderList": "/api/v1/stakeholders"
        default: parameter
        }
    }

    /// A list route: the parameters checked (`parameters` and `limit`, `cursor`) and the query
    /// validated before anything is read, then the query run on a pooled read, then one page of
    /// its rows; every failure as problem+json.
    static func list<Query: ListQuery>(
        _ request: Request, _ site: Site, parameters names: [String],
        query make: (QueryParameters) throws -> Query
    ) async -> Response {
        let page: Page
        let query: Query
        do {
            let parameters = try QueryParameters(request, allowed: names + ["limit", "cursor"])
            page = try Page(parameters)
            query = try make(parameters)
            try query.validate(names: name)
        } catch {
            return site.problem(error).response
        }
        return await site.cached(request) { read, _ in
            let answer = try await query.run(read, names: name)
            return page.list(answer.rows.map(\.json), asOf: answer.date, recordedAsOf: answer.recordedAsOf)
        }
    }

    /// A single record: the row object of the list query narrowed to `id`, or a 404.
    static func record<Query: ListQuery>(
        _ request: Request, _ context: some RequestContext, _ site: Site, noun: String,
        query make: (QueryParameters, String) throws -> Query
    ) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let query: Query
        let narrowed: Bool
        do {
            let parameters = try QueryParameters(request, allowed: ["asOf", "recordedAsOf"])
            narrowed = try parameters.one("asOf") != nil || parameters.one("recordedAsOf") != nil
            query = try make(parameters, id)
            try query.validate(names: name)
        } catch {
            return site.problem(error).response
        }
        return await site.cached(request) { read, _ in
            let answer = try await query.run(read, names: name)
            guard let row = answer.rows.first else {
                throw Problem(
                    status: .notFound,
                    detail: "No \(noun) has the id \(QueryParameters.printable(id))"
                        + (narrowed ? " as of the date and recording time asked about." : "."))
            }
            return json(.object(row.json))
        }
    }

    /// `/api/v1/history/{id}`: every event of a record, as `consult history ID --format json`,
    /// in the list envelope; `recordedAsOf` keeps the events recorded by then.
    static func history(_ request: Request, _ context: some RequestContext, _ site: Site) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let page: Page
        let recorded: Timestamp?
        do {
            let parameters = try QueryParameters(request, allowed: ["recordedAsOf", "limit", "cursor"])
            page = try Page(parameters)
            recorded = try TimeArguments.instant(try parameters.one("recordedAsOf"), option: "recordedAsOf")
        } catch {
            return site.problem(error).response
        }
        return await site.cached(request) { read, _ in
            var events = try await RecordHistory.events(of: id, store: read.session.store)
            guard !events.isEmpty else {
                throw Problem(
                    status: .notFound,
                    detail: "No record, statement or event has the id \(QueryParameters.printable(id)).")
            }
            if let recorded { events = events.filter { $0.recordedAtMicroseconds <= recorded.microseconds } }
            let items = try events.map { event -> JSONObject in
                guard case .object(let object) = try RecordHistory.json(for: event) else { return JSONObject() }
                return object
            }
            return page.list(items, asOf: TimeArguments.today(), recordedAsOf: recorded)
        }
    }

    /// `/api/v1/status`: the object `consult status --format json` prints.
    static func status(_ request: Request, _ site: Site) async -> Response {
        do {
            _ = try QueryParameters(request, allowed: [])
        } catch {
            return site.problem(error).response
        }
        return await site.cached(request) { read, _ in
            json(.object(try await StoreStatus.load(read.session).json))
        }
    }

    static func json(_ value: JSONValue) -> Reply {
        Reply(contentType: "application/json; charset=utf-8", body: value.serialized() + "\n")
    }
}

extension CommitmentsQuery {
    /// The API's query parameters, as the CLI's options in camelCase.
    static let parameterNames = [
        "outstanding", "overdue", "status", "owner", "sector", "topic", "asOf", "recordedAsOf",
    ]

    init(_ parameters: QueryParameters) throws {
        self.init()
        outstanding = try parameters.flag("outstanding")
        overdue = try parameters.flag("overdue")
        statuses = parameters.all("status")
        owner = try parameters.one("owner")
        sector = try parameters.one("sector")
        topic = try parameters.one("topic")
        asOf = try parameters.one("asOf")
        recordedAsOf = try parameters.one("recordedAsOf")
    }
}

extension RequestsQuery {
    static let parameterNames = ["unanswered", "to", "topic", "asOf", "recordedAsOf"]

    init(_ parameters: QueryParameters) throws {
        self.init()
        unanswered = try parameters.flag("unanswered")
        to = try parameters.one("to")
        topic = try parameters.one("topic")
        asOf = try parameters.one("asOf")
        recordedAsOf = try parameters.one("recordedAsOf")
    }
}

extension StakeholdersQuery {
    static let parameterNames = ["sector", "kind", "asOf", "recordedAsOf"]

    /// Takes the parameters it is given (a record's route allows only the dates).
    init(_ parameters: QueryParameters) throws {
        self.init()
        sector = try parameters.one("sector")
        kind = try parameters.one("kind")
        asOf = try parameters.one("asOf")
        recordedAsOf = try parameters.one("recordedAsOf")
    }
}

extension ConsultationsQuery {
    init(_ parameters: QueryParameters) throws {
        self.init()
        asOf = try parameters.one("asOf")
        recordedAsOf = try parameters.one("recordedAsOf")
    }
}
