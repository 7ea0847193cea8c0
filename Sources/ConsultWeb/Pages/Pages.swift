import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// The server-rendered pages: HTML that works without JavaScript, Korean first and English with
/// `?lang=en`, from the same queries as the CLI and the JSON API.
enum Pages {
    static func add(to router: Router<some RequestContext>, site: Site) {
        router.get(RouterPath(Stylesheet.path)) { _, _ in Stylesheet.response() }
        router.get("/") { request, _ in await HomePage.answer(request, site) }
        router.get("/commitments") { request, _ in await CommitmentsPage.answer(request, site) }
        router.get("/commitments/:id") { request, context in
            await CommitmentPage.answer(request, id: context.parameters.get("id") ?? "", site)
        }
        router.get("/consultations") { request, _ in await ConsultationsPage.answer(request, site) }
        router.get("/consultations/:id") { request, context in
            await ConsultationPage.answer(request, id: context.parameters.get("id") ?? "", site)
        }
        router.get("/stakeholders/:id") { request, context in
            await StakeholderPage.answer(request, id: context.parameters.get("id") ?? "", site)
        }
        router.get("/requests") { request, _ in await RequestsPage.answer(request, site) }
        router.get("/search") { request, _ in await SearchPage.answer(request, site) }
    }

    /// Answers a page: the query parameters checked (`names` and `lang`, `asOf`, `recordedAsOf`;
    /// an empty one, as a GET form sends for a field left blank, counts as absent), `prepare`
    /// turning them into what the page asks (a 400 page naming a bad one), then `render` on a
    /// pooled read with an ETag per language; a failure is an HTML page with the same sentence
    /// the API would give.
    static func answer<Prepared: Sendable>(
        _ request: Request, _ site: Site, parameters names: [String],
        prepare: (QueryParameters, PageContext) throws -> Prepared,
        render: @escaping (ReadSession, PageContext, Prepared) async throws -> Reply
    ) async -> Response {
        let fallback = PageContext(
            language: request.uri.queryParameters["lang"] == "en" ? .english : .korean, request: request)
        let context: PageContext
        let prepared: Prepared
        do {
            let parameters = try QueryParameters(
                request, allowed: names + PageContext.parameterNames, ignoringEmpty: true)
            context = try PageContext(request, parameters)
            prepared = try prepare(parameters, context)
        } catch {
            return errorPage(site.problem(error), context: fallback)
        }
        return await site.cached(
            request, variant: context.language.rawValue, failure: { errorPage($0, context: fallback) }
        ) { read, freshness in
            var context = context
            context.freshness = freshness
            return try await render(read, context, prepared)
        }
    }

    /// A failure as a page: its status, a heading, and the problem's one sentence.
    static func errorPage(_ problem: Problem, context: PageContext) -> Response {
        let title: String
        switch problem.status {
        case .badRequest: title = context.say("잘못된 요청", "Bad request")
        case .notFound: title = context.say("찾을 수 없습니다", "Not found")
        case .serviceUnavailable: title = context.say("기록을 읽을 수 없습니다", "The record is unavailable")
        default: title = context.say("서버 오류", "Server error")
        }
        return Layout.page(title: title, context: context, status: problem.status) {
            element("div", [.class("error"), Attribute("role", "alert")]) {
                element("p") { problem.detail }
            }
            element("p") {
                element("a", [.href(context.href())]) { context.say("처음으로", "Back to the start") }
            }
        }.response
    }

    /// A 404 for `id`, naming what was looked for.
    static func notFound(_ noun: String, _ id: String, _ context: PageContext) -> Problem {
        let narrowed = context.asOf != nil || context.recordedAsOf != nil
        return Problem(
            status: .notFound,
            detail: "No \(noun) has the id \(QueryParameters.printable(id))"
                + (narrowed ? " as of the date and recording time asked about." : "."))
    }
}
