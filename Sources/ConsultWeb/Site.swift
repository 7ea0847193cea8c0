import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import Logging
import Projections

/// What every route reads from: the pooled connections, the check of how current the views are,
/// the answers already made, and the logger a failure's cause goes to.
struct Site: Sendable {
    let reads: ReadPool
    let freshener: Freshener
    let cache = ResponseCache()
    let logger: Logger

    /// Reads from `access`, or from `readAccess` (a hot standby: its views are read as the
    /// primary's worker leaves them) when given.
    init(access: StoreAccess, readAccess: StoreAccess? = nil, heldBackWait: Double = WebServer.heldBackWait) {
        reads = ReadPool(access: readAccess ?? access)
        freshener = Freshener(access: readAccess ?? access, catchesUp: readAccess == nil, heldBackWait: heldBackWait)
        logger = access.logger
    }

    /// Answers a GET from the views: with a weak `ETag` made from the position the views are at
    /// (after a check that began after the request came, which brings them up to date when the
    /// server may), the date answered and `variant` (what else the representation depends on: the
    /// language of a page). An `If-None-Match` naming that tag is answered 304 before anything
    /// else is read. A failure is answered by `failure` (problem+json unless a page says otherwise).
    func get(
        _ request: Request, variant: String = "", failure: @Sendable (Problem) -> Response = { $0.response },
        _ body: (ReadSession, ViewFreshness) async throws -> Response
    ) async -> Response {
        await tagged(request, variant: variant, failure: failure) { fresh, _ in
            try await reads.read { try await body($0, fresh) }
        }
    }

    /// `get`, for an answer made whole (`Reply`): kept in the cache under the URL and its tag, and
    /// sent from there again while the views stay where they are.
    func cached(
        _ request: Request, variant: String = "", failure: @Sendable (Problem) -> Response = { $0.response },
        _ body: (ReadSession, ViewFreshness) async throws -> Reply
    ) async -> Response {
        await tagged(request, variant: variant, failure: failure) { fresh, tag in
            let key = request.uri.description + "\u{0}" + variant
            if let kept = await cache.reply(for: key, tag: tag) { return kept.response }
            let reply = try await reads.read { try await body($0, fresh) }
            if reply.status == .ok { await cache.store(reply, for: key, tag: tag) }
            return reply.response
        }
    }

    /// The check of the views, the tag, the 304, and the headers every answer from the views
    /// carries, around `answer`.
    private func tagged(
        _ request: Request, variant: String, failure: @Sendable (Problem) -> Response,
        _ answer: (ViewFreshness, String) async throws -> Response
    ) async -> Response {
        do {
            let fresh = try await freshener.fresh()
            let tag = Self.entityTag(fresh, variant: variant)
            if Self.matches(request.headers[.ifNoneMatch], tag) { return Self.notModified(tag) }
            var response = try await answer(fresh, tag)
            response.headers[.eTag] = tag
            response.headers[.cacheControl] = "no-cache"
            return response
        } catch {
            return failure(problem(error))
        }
    }

    static func notModified(_ tag: String) -> Response {
        Response(status: .notModified, headers: [.eTag: tag, .cacheControl: "no-cache"])
    }

    /// `error` as a problem; what the answer does not say (a 500's cause) goes to the log.
    func problem(_ error: any Error) -> Problem {
        let problem = Problem(error)
        if problem.status == .internalServerError {
            logger.error("request failed", metadata: ["error": "\(ConsultFailure.from(error).message)"])
        }
        return problem
    }

    /// `W/"<epoch>.<transaction>.<position>.<events>-<today>-<variant>"`: it changes when the views
    /// take in an event, when the date without `asOf` moves on, and between variants.
    static func entityTag(_ fresh: ViewFreshness, variant: String) -> String {
        let position = fresh.checkpoint.map { "\($0.epoch).\($0.transactionID).\($0.position)" } ?? "0"
        var tail = variant.isEmpty ? "" : "-" + variant
        // A standby's lag, as pages state it (rounded to seconds, then to powers of two), is part of
        // what they show.
        if let lag = fresh.standbyLagSeconds {
            tail += lag < 1 ? "-s0" : "-s\(Int(log2(lag)) + 1)"
        }
        return "W/\"\(position).\(fresh.eventsApplied)-\(TimeArguments.today())\(tail)\""
    }

    /// Whether an `If-None-Match` value names `tag` (weak comparison, RFC 9110 13.1.2), or is `*`.
    static func matches(_ header: String?, _ tag: String) -> Bool {
        guard let header else { return false }
        let opaque = { (text: Substring) -> Substring in
            let trimmed = text.drop(while: { $0 == " " || $0 == "\t" })
            return trimmed.hasPrefix("W/") ? trimmed.dropFirst(2) : trimmed
        }
        let wanted = opaque(tag[...])
        return header.split(separator: ",").contains { candidate in
            let value = opaque(candidate).trimmingSuffix(while: { $0 == " " || $0 == "\t" })
            return value == "*" || value == wanted
        }
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}

/// Headers every answer carries: no sniffing of types, a Content-Security-Policy that allows no
/// inline script and nothing from elsewhere, no framing, no referrer sent on. An unknown path or
/// method, which Hummingbird answers with an `HTTPError`, becomes problem+json (without the body
/// for HEAD).
struct SafetyHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    static var referrerPolicy: HTTPFields.Element.Name { HTTPFields.Element.Name("Referrer-Policy")! }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            let path = request.uri.path
            let machine = ["/api/", "/feeds/", "/data/", "/metrics", "/healthz"].contains { path.hasPrefix($0) }
            if error.status == .notFound, !machine {
                // A person's browser: a page in the site's language, with a way back.
                let english = request.uri.queryParameters["lang"] == "en"
                let problem = Problem(
                    status: .notFound,
                    detail: english
                        ? "Nothing is at \(QueryParameters.printable(path)); the site's pages start at /."
                        : "\(QueryParameters.printable(path))에는 아무것도 없습니다. 첫 화면은 / 입니다.")
                response = Pages.errorPage(
                    problem, context: PageContext(language: english ? .english : .korean, request: request))
            } else {
                let detail =
                    error.status == .notFound
                    ? "Nothing is at \(QueryParameters.printable(path)); /api/v1/openapi.json lists the API."
                    : (error.body ?? error.status.reasonPhrase)
                response = Problem(status: error.status, detail: detail).response
            }
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[Self.referrerPolicy] = "no-referrer"
        // The router makes HEAD from GET for its routes (`autoGenerateHeadEndpoints`); an unknown
        // path's answer is made here, and loses its body the same way.
        return request.method == .head ? response.createHeadResponse() : response
    }
}
