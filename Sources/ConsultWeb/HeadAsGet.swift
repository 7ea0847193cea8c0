import Hummingbird

/// HEAD answered as GET without the body (RFC 9110 9.3.2): the routes are registered for GET
/// only, and Hummingbird does not derive HEAD from them, so a link checker or `curl -I` would get
/// a 404. The request is routed as a GET; its status and headers (ETag, type, the CSP) are kept.
struct HeadAsGet<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        // The length the GET's body would have, where it is known.
        let length = response.body.contentLength
        response.body = ResponseBody()
        if let length { response.headers[.contentLength] = String(length) }
        return response
    }
}
