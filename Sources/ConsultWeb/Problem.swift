import ConsultCore
import ConsultDomain
import Hummingbird

/// An error as `application/problem+json` (RFC 9457): one sentence in `detail`, never a trace.
struct Problem: Error, Sendable {
    var status: HTTPResponse.Status
    var detail: String

    /// What a failure from the core becomes: a usage failure is the request's fault (400), the
    /// database unavailable 503, anything else 500 with a plain sentence.
    init(_ error: any Error) {
        if let problem = error as? Problem {
            self = problem
            return
        }
        if DatabaseRefusal.wasCancelled(error) {
            status = .serviceUnavailable
            detail = "The database took too long to answer; try again in a while."
            return
        }
        let failure = ConsultFailure.from(error)
        switch failure.kind {
        case .usage, .invalidInput: status = .badRequest
        case .unavailable: status = .serviceUnavailable
        default: status = .internalServerError
        }
        detail =
            status == .internalServerError
            ? "The server could not answer this request; its log says why." : failure.message
    }

    init(status: HTTPResponse.Status, detail: String) {
        self.status = status
        self.detail = detail
    }

    var response: Response {
        var object = JSONObject()
        object["type"] = .string("about:blank")
        object["title"] = .string(status.reasonPhrase)
        object["status"] = .number(String(status.code))
        object["detail"] = .string(detail)
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(object).serialized() + "\n")))
    }
}
