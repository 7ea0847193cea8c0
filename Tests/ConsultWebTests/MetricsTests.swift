import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// `/metrics`: Prometheus text with requests by route pattern and status, latency, and each view's lag.
@Suite("web: metrics")
struct MetricsTests {
    @Test("after some requests, /metrics counts them by route pattern and status, with latency and each view's lag")
    func countsRequests() async throws {
        let (app, database) = try await APITests.app(APITests.fixtures)
        let status = try await ConsultProcess.run(
            ["status", "--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(status.status == 0, "\(status.stderr)")
        // status --format json prints an array holding one object.
        let views = try #require(
            try JSONValue.parse(status.stdout).arrayValue?.first?.objectValue?["views"]?.arrayValue
        )
        .compactMap { $0.objectValue?["name"]?.stringValue }
        #expect(views.count >= 5)
        try await app.test(.router) { client in
            for uri in [
                "/api/v1/commitments", "/api/v1/commitments?asOf=2023-01-01", "/api/v1/commitments/c-gpu",
                "/api/v1/commitments/c-none", "/no/such/page", "/feeds/owners/msit.atom",
            ] {
                try await client.execute(uri: uri, method: .get) { _ in }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                let lines = Set(text.split(separator: "\n").map(String.init))
                for expected in [
                    #"consult_http_requests_total{route="/api/v1/commitments",method="GET",status="200"} 2"#,
                    #"consult_http_requests_total{route="/api/v1/commitments/{id}",method="GET",status="200"} 1"#,
                    #"consult_http_requests_total{route="/api/v1/commitments/{id}",method="GET",status="404"} 1"#,
                    #"consult_http_requests_total{route="NotFound",method="GET",status="404"} 1"#,
                    #"consult_http_requests_total{route="/feeds/owners/{id}.atom",method="GET",status="200"} 1"#,
                    #"consult_http_request_duration_seconds_bucket{route="/api/v1/commitments",le="+Inf"} 2"#,
                    #"consult_http_request_duration_seconds_count{route="/api/v1/commitments"} 2"#,
                    "# TYPE consult_http_requests_total counter",
                    "# TYPE consult_http_request_duration_seconds histogram",
                    "# TYPE consult_view_lag_events gauge",
                ] {
                    #expect(lines.contains(expected), "missing: \(expected)\n\(text)")
                }
                // Raw paths never become labels.
                #expect(!text.contains("c-gpu"))
                #expect(!text.contains("/no/such/page"))
                for view in views {
                    #expect(
                        lines.contains { $0.hasPrefix("consult_view_lag_events{view=\"\(view)\"} ") },
                        "no lag line for \(view)")
                }
                // Buckets are cumulative.
                let buckets = lines.filter {
                    $0.hasPrefix(#"consult_http_request_duration_seconds_bucket{route="/api/v1/commitments","#)
                }
                #expect(buckets.count == ServerMetrics.buckets.count + 1)
            }
            // An odd method is counted as other, so the label set stays bounded.
            try await client.execute(uri: "/api/v1/commitments", method: .init("BREW")!) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"method="other",status="404"} 1"#))
                #expect(!String(buffer: response.body).contains("BREW"))
            }
            // Parameters are refused here too.
            try await client.execute(uri: "/metrics?x=1", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("a view behind the log shows its lag: /metrics does not catch the views up")
    func showsLag() async throws {
        let (app, database) = try await APITests.app(APITests.fixtures)
        try await app.test(.router) { client in
            // A read catches the views up; then events are logged straight into the store.
            try await client.execute(uri: "/api/v1/commitments", method: .get) { _ in }
            let more = """
                {"type":"FollowUpScheduled","data":{"commitmentId":"c-gpu","checkOn":"2030-01-01"}}
                {"type":"FollowUpScheduled","data":{"commitmentId":"c-gpu","checkOn":"2030-02-01"}}

                """
            let logged = try await ConsultProcess.run(
                ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url], stdin: Data(more.utf8))
            #expect(logged.status == 0, "\(logged.stderr)")
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                let lags = text.split(separator: "\n").filter { $0.hasPrefix("consult_view_lag_events{") }
                #expect(!lags.isEmpty)
                // consult log writes the log only: the two events are the views' lag until a read.
                #expect(lags.contains { $0.hasPrefix("consult_view_lag_events{view=\"commitments\"} 2") }, "\(text)")
            }
        }
    }

    @Test("the exposition escapes label values")
    func labelsAreEscaped() {
        #expect(ServerMetrics.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        let metrics = ServerMetrics()
        metrics.record(route: "/x", method: "GET", status: 200, seconds: 0.003)
        metrics.record(route: "/x", method: "GET", status: 200, seconds: 20)
        let text = metrics.exposition(views: [])
        #expect(text.contains(#"consult_http_request_duration_seconds_bucket{route="/x",le="0.005"} 1"#))
        #expect(text.contains(#"consult_http_request_duration_seconds_bucket{route="/x",le="10"} 1"#))
        #expect(text.contains(#"consult_http_request_duration_seconds_bucket{route="/x",le="+Inf"} 2"#))
        #expect(text.contains(#"consult_http_request_duration_seconds_sum{route="/x"} 20.003"#))
    }
}
