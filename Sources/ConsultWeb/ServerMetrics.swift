import ConsultCore
import Foundation
import Hummingbird
import Projections
import Synchronization

/// What `/metrics` reports, in the Prometheus text exposition format (version 0.0.4): requests by
/// route pattern, method and status, a latency histogram by route, and each view's lag in events.
///
/// Written by hand rather than with swift-metrics and swift-prometheus: three families need a few
/// dozen lines, and those packages would add their builds to the server's for nothing else. Routes
/// are the router's patterns (`/api/v1/commitments/:id`), never raw paths, so that the label set
/// stays bounded whatever is requested; every unknown path counts as `NotFound`.
final class ServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    struct Latency {
        /// Per bucket of `buckets`, the requests at or under its bound (not cumulative here).
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Latency] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Counts one answered request.
    func record(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            var latency = state.latency[route] ?? Latency()
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { latency.counts[bucket] += 1 }
            latency.sum += seconds
            latency.count += 1
            state.latency[route] = latency
        }
    }

    /// `/metrics`, answered from a pooled connection that is not caught up first: the lag shown is
    /// the views' own, not what a read would leave.
    func add(to router: Router<some RequestContext>, site: Site) {
        router.get("/metrics") { request, _ in
            do {
                _ = try QueryParameters(request, allowed: [])
                let views = try await site.reads.read { read in
                    try await ProjectionRunner(store: read.session.store).status()
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: self.exposition(views: views))))
            } catch {
                return site.problem(error).response
            }
        }
    }

    /// The text exposition of every family.
    func exposition(views: [ViewStatus]) -> String {
        let (requests, latency) = state.withLock { ($0.requests, $0.latency) }
        var text = """
            # HELP consult_http_requests_total Requests answered, by route pattern, method and status.
            # TYPE consult_http_requests_total counter

            """
        let keys = requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            text +=
                "consult_http_requests_total{route=\"\(Self.label(key.route))\",method=\"\(Self.label(key.method))\","
                + "status=\"\(key.status)\"} \(requests[key] ?? 0)\n"
        }
        text += """
            # HELP consult_http_request_duration_seconds Time to answer a request, by route pattern.
            # TYPE consult_http_request_duration_seconds histogram

            """
        for route in latency.keys.sorted() {
            guard let histogram = latency[route] else { continue }
            let name = "consult_http_request_duration_seconds"
            let routeLabel = "route=\"\(Self.label(route))\""
            var cumulative = 0
            for (bound, count) in zip(Self.buckets, histogram.counts) {
                cumulative += count
                text += "\(name)_bucket{\(routeLabel),le=\"\(Self.number(bound))\"} \(cumulative)\n"
            }
            text += "\(name)_bucket{\(routeLabel),le=\"+Inf\"} \(histogram.count)\n"
            text += "\(name)_sum{\(routeLabel)} \(Self.number(histogram.sum))\n"
            text += "\(name)_count{\(routeLabel)} \(histogram.count)\n"
        }
        text += """
            # HELP consult_view_lag_events Events in the log after the view's checkpoint.
            # TYPE consult_view_lag_events gauge

            """
        for view in views { text += "consult_view_lag_events{view=\"\(Self.label(view.name))\"} \(view.lag)\n" }
        text += """
            # HELP consult_view_events_applied Events the view has applied.
            # TYPE consult_view_events_applied counter

            """
        for view in views {
            text += "consult_view_events_applied{view=\"\(Self.label(view.name))\"} \(view.eventsApplied)\n"
        }
        return text
    }

    /// A label value escaped as the format requires (backslash, double quote, newline).
    static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Counts each request under its route pattern (`context.endpointPath`, which the router sets
/// before the route's middleware run, and the not-found responder sets to `NotFound`).
struct CountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        // A client may send any token as a method: only the standard ones become labels.
        let method = Self.methods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        do {
            let response = try await next(request, context)
            metrics.record(
                route: context.endpointPath ?? "NotFound", method: method, status: response.status.code,
                seconds: seconds())
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(
                route: context.endpointPath ?? "NotFound", method: method, status: status, seconds: seconds())
            throw error
        }
    }

    static var methods: Set<String> {
        ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]
    }
}
