import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Projections
import TestSupport
import Testing

@testable import ConsultWeb

/// `/api/v1/openapi.json`: served as JSON, describing exactly the routes the router has, each
/// row's properties its keys, each route's parameters those it takes; valid for a real validator.
/// (Whether the running server keeps to it is `OpenAPIConformanceTests`.)
@Suite("web: the OpenAPI document")
struct OpenAPIDocumentTests {
    /// The router over a database that is never reached: the document needs none, and every
    /// parameter check comes before a read.
    static func app() -> some ApplicationProtocol {
        let nowhere = StoreAccess(
            databaseURL: "postgresql://nobody@/none?host=/nonexistent-folder&port=5999",
            logger: Logger(label: "consult.web.tests"))
        return Application(router: WebServer.router(access: nowhere))
    }

    /// The document as served.
    static func served() async throws -> JSONObject {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                return try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
            }
        }
    }

    @Test("served as OpenAPI 3.1.0 JSON, with an ETag that answers 304, and a 400 for any parameter")
    func served() async throws {
        let document = try await Self.served()
        #expect(document["openapi"] == .string("3.1.0"))
        #expect(document["info"]?.objectValue?["version"] == .string(ConsultVersion.current))
        #expect(document["info"]?.objectValue?["title"]?.stringValue?.isEmpty == false)
        #expect((document["paths"]?.objectValue?.count ?? 0) > 10)
        try await Self.app().test(.router) { client in
            let tag = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get, headers: [.ifNoneMatch: tag]) {
                response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == tag)
            }
            try await client.execute(uri: "/api/v1/openapi.json?format=yaml", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                let detail = try JSONValue.parse(String(buffer: response.body)).objectValue?["detail"]?.stringValue
                #expect(detail == "format is not a parameter here; this route takes none.")
            }
        }
    }

    @Test("every /api/v1 route of the router is documented, and every documented path is a route")
    func everyRouteDocumented() async throws {
        let document = try await Self.served()
        let paths = try #require(document["paths"]?.objectValue)
        let routes = WebServer.router(
            access: StoreAccess(databaseURL: "postgresql://nobody@/none", logger: Logger(label: "consult.web.tests"))
        ).routes.filter { $0.path.description.hasPrefix("/api/v1/") }
        // The API answers GET (and HEAD, made from it); other methods only to say so (405).
        #expect(routes.allSatisfy { $0.method == .get || OpenAPIDocument.refusedMethods.contains($0.method) })
        let routed = routes.filter { $0.method == .get }.map { route in
            "\(route.method) " + route.path.description.replacingOccurrences(of: ":id", with: "{id}")
        }
        let documented = paths.flatMap { path, item in
            (item.objectValue?.keys ?? []).map { "\($0.uppercased()) \(path)" }
        }
        #expect(Set(routed) == Set(documented))
        #expect(routed.count == documented.count, "a route twice")
        #expect(routed.count == OpenAPIDocument.operations.count)
    }

    @Test("each row schema has exactly the keys of its row type, each with a type, all required")
    func rowsMatchTheirKeys() async throws {
        let document = try await Self.served()
        let schemas = try #require(document["components"]?.objectValue?["schemas"]?.objectValue)
        let rows: [(String, [String])] = [
            ("Commitment", CommitmentRow.keys), ("Request", RequestRow.keys), ("FollowUp", FollowUpRow.keys),
            ("Stakeholder", StakeholderRow.keys), ("Consultation", ConsultationRow.keys), ("SearchHit", SearchHit.keys),
        ]
        #expect(rows.map(\.0) == OpenAPIDocument.rows.map(\.name))
        for (name, keys) in rows {
            let schema = try #require(schemas[name]?.objectValue, "\(name)")
            #expect(schema["properties"]?.objectValue?.keys == keys, "\(name)")
            #expect(schema["required"] == .array(keys.map(JSONValue.string)), "\(name)")
            #expect(schema["additionalProperties"] == .bool(false), "\(name)")
            let described = try #require(OpenAPIDocument.rows.first { $0.name == name })
            #expect(Set(described.fields.keys) == Set(keys), "\(name): a key without a type, or a type without a key")
            for (key, property) in schema["properties"]?.objectValue ?? JSONObject() {
                #expect(property.objectValue?["type"] != nil, "\(name).\(key) has no type")
            }
        }
        // Every list answers the envelope, and nothing else.
        for name in OpenAPIDocument.lists {
            let list = try #require(schemas["\(name)List"]?.objectValue, "\(name)List")
            #expect(list["properties"]?.objectValue?.keys == ["items", "next", "asOf", "recordedAsOf"])
            #expect(list["additionalProperties"] == .bool(false))
        }
    }

    @Test("each route's documented parameters are those its 400 for an unknown one lists")
    func parametersMatchTheRoutes() async throws {
        let document = try await Self.served()
        let paths = try #require(document["paths"]?.objectValue)
        try await Self.app().test(.router) { client in
            for (path, item) in paths {
                let operation = try #require(item.objectValue?["get"]?.objectValue, "\(path)")
                let parameters = operation["parameters"]?.arrayValue?.compactMap(\.objectValue) ?? []
                let query = parameters.filter { $0["in"] == .string("query") }.compactMap { $0["name"]?.stringValue }
                let inPath = parameters.filter { $0["in"] == .string("path") }.compactMap { $0["name"]?.stringValue }
                #expect(inPath == (path.contains("{id}") ? ["id"] : []), "\(path)")
                let uri = path.replacingOccurrences(of: "{id}", with: "some-id") + "?undocumented=1"
                let detail = try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(path)")
                    return try JSONValue.parse(String(buffer: response.body)).objectValue?["detail"]?.stringValue
                }
                let taken =
                    detail?.hasSuffix("this route takes none.") == true
                    ? []
                    : detail?.components(separatedBy: "the parameters are ").last?.dropLast()
                        .components(separatedBy: ", ") ?? ["?"]
                #expect(Set(query) == Set(taken), "\(path): documented \(query), taken \(taken)")
            }
        }
    }

    @Test("every $ref names a component that exists, and each read route documents 304, 400 and 503")
    func referencesResolve() async throws {
        let document = try await Self.served()
        let components = try #require(document["components"]?.objectValue)
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                if let reference = object["$ref"]?.stringValue { references.append(reference) }
                for (_, member) in object { collect(member) }
            case .array(let elements): elements.forEach(collect)
            default: break
            }
        }
        collect(.object(document))
        #expect(references.count > 20)
        for reference in Set(references) {
            let parts = reference.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && parts[0] == "#" && parts[1] == "components", "\(reference)")
            guard parts.count == 4 else { continue }
            #expect(components[parts[2]]?.objectValue?[parts[3]] != nil, "\(reference) names nothing")
        }
        for operation in OpenAPIDocument.operations {
            let responses = try #require(
                document["paths"]?.objectValue?[operation.path]?.objectValue?["get"]?.objectValue?["responses"]?
                    .objectValue)
            var expected = ["200", "304", "400"]
            if operation.findsRecord { expected.append("404") }
            if operation.readsViews { expected.append("503") }
            #expect(responses.keys == expected, "\(operation.path)")
        }
    }

    @Test("openapi-spec-validator finds the document valid OpenAPI 3.1")
    func validatorAccepts() async throws {
        let validator = try TestTools.executable("openapi-spec-validator")
        let folder = try TestTools.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/openapi.json"
        try OpenAPIDocument.text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await TestTools.run(validator, [file], in: folder, timeout: .seconds(120))
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("OK"), "\(run.output)")
    }
}

extension OpenAPIDocumentTests {
    @Test("a method other than GET on an API path is a 405 problem with Allow: GET")
    func otherMethods() async throws {
        try await Self.app().test(.router) { client in
            for uri in ["/api/v1/commitments", "/api/v1/commitments/c-1", "/api/v1/status", "/api/v1/openapi.json"] {
                for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                    try await client.execute(uri: uri, method: method) { response in
                        #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                        #expect(response.headers[.allow] == "GET, HEAD", "\(method) \(uri)")
                        #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                        #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    }
                }
            }
        }
    }
}
