import Hummingbird

/// Bounds on what one request may ask of the server: an address (path and query) of at most
/// `maximumTarget` bytes (414 otherwise). Header sizes and idle connections are bounded where HTTP
/// is parsed (`WebServer.run`), the time a read may take by the database (`ReadPool`).
struct RequestLimits<Context: RequestContext>: RouterMiddleware {
    static var maximumTarget: Int { 4096 }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let length = request.uri.description.utf8.count
        guard length <= Self.maximumTarget else {
            return Problem(
                status: .uriTooLong,
                detail: "The address is \(length) bytes long; the server takes at most \(Self.maximumTarget)."
            ).response
        }
        return try await next(request, context)
    }
}
