import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// `/api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API.
///
/// It is built from the constants the routes check and the rows serialize with: each row's
/// properties are its type's `keys` (`CommitmentRow.keys`), each enum the list the query validates
/// against (`CommitmentsQuery.allStatuses`, `EventSchema.sectors`), the bounds of `limit` and
/// `cursor` those `Page` checks. What cannot be derived is checked by tests: every route of the
/// router is documented and the other way round, every row key has a type, each route's parameters
/// are those its 400 lists, and schemathesis finds no answer of the running server that the
/// document does not describe.
enum OpenAPIDocument {
    /// The document, serialized once.
    static let text = document.serialized() + "\n"

    /// A strong tag of the text: the document changes only with the code.
    static let entityTag = "\"\(fingerprint(text))\""

    /// Adds the document's route to `api` (the `/api/v1` group), and on every documented path a 405
    /// naming GET for the methods the API does not take: the server is read-only.
    static func add(to api: RouterGroup<some RequestContext>) {
        api.get("openapi.json") { request, _ in response(request) }
        for operation in operations {
            let path = operation.path.dropFirst("/api/v1/".count).replacingOccurrences(of: "{id}", with: ":id")
            for method in refusedMethods {
                api.on(RouterPath(path), method: method) { request, _ in
                    var response = Problem(
                        status: .methodNotAllowed,
                        detail:
                            "\(request.method) is not allowed here: the API is read-only and answers GET (and HEAD) only."
                    ).response
                    response.headers[.allow] = "GET, HEAD"
                    return response
                }
            }
        }
    }

    /// The methods other than GET and HEAD a client may send (schemathesis sends each of them).
    static let refusedMethods: [HTTPRequest.Method] =
        [.post, .put, .patch, .delete, .options, .trace] + ["QUERY"].compactMap { HTTPRequest.Method($0) }

    /// The route: the document, 304 for its tag, and a 400 for any query parameter.
    static func response(_ request: Request) -> Response {
        do {
            _ = try QueryParameters(request, allowed: [])
        } catch {
            return Problem(error).response
        }
        if Site.matches(request.headers[.ifNoneMatch], entityTag) {
            return Response(status: .notModified, headers: [.eTag: entityTag, .cacheControl: "no-cache"])
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .eTag: entityTag, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// One operation: a GET of `path` (OpenAPI's `{id}` for the router's `:id`).
    struct Operation {
        var path: String
        var id: String
        var summary: String
        var parameters: [JSONValue]
        /// The 200 answer's schema.
        var answer: JSONValue
        /// Whether it reads the views: an `ETag`, 304 for `If-None-Match`, 503 when the database is down.
        var readsViews = true
        /// Whether an unknown id is a 404.
        var findsRecord = false
    }

    /// Every route under `/api/v1`, in the order of SPEC.md.
    static let operations: [Operation] = [
        Operation(
            path: "/api/v1/commitments", id: "listCommitments",
            summary: "Commitments, as `consult commitments --format json` lists them",
            parameters: [
                Parameters.flag("outstanding", "Only commitments still outstanding: open, in_progress or stalled."),
                Parameters.flag("overdue", "Only outstanding commitments past their due-by."),
                Parameters.query(
                    "status", Schema.array(of: Schema.oneOf(CommitmentsQuery.allStatuses)),
                    "Only commitments with one of these statuses; repeat the parameter for several.", explode: true),
                Parameters.query(
                    "owner", Schema.parameterText,
                    "Only commitments owned by this stakeholder (an id, a name or an alias)."),
                Parameters.query(
                    "sector", Schema.oneOf(EventSchema.sectors), "Only commitments whose owner is of this sector."),
                Parameters.query("topic", Schema.parameterText, "Only commitments with this topic."),
                Parameters.asOf, Parameters.recordedAsOf, Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("CommitmentList")),
        Operation(
            path: "/api/v1/commitments/{id}", id: "getCommitment", summary: "One commitment, as its row",
            parameters: [Parameters.id, Parameters.asOf, Parameters.recordedAsOf],
            answer: Schema.reference("Commitment"), findsRecord: true),
        Operation(
            path: "/api/v1/requests", id: "listRequests",
            summary: "Requests made at consultations, as `consult requests --format json` lists them",
            parameters: [
                Parameters.flag("unanswered", "Only requests no answer or commitment responds to."),
                Parameters.query(
                    "to", Schema.parameterText,
                    "Only requests addressed to this stakeholder (an id, a name or an alias)."),
                Parameters.query("topic", Schema.parameterText, "Only requests with this topic."),
                Parameters.asOf, Parameters.recordedAsOf, Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("RequestList")),
        Operation(
            path: "/api/v1/follow-ups", id: "listFollowUps",
            summary: "Follow-up check-ins due, as `consult follow-ups --format json` lists them",
            parameters: [
                Parameters.query(
                    "dueWithin", Schema.integer(0...36_500), "Also the check-ins due within this many days."),
                Parameters.flag("all", "Every follow-up, done or not."),
                Parameters.asOf, Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("FollowUpList")),
        Operation(
            path: "/api/v1/stakeholders", id: "listStakeholders",
            summary: "Stakeholders, as `consult stakeholders --format json` lists them",
            parameters: [
                Parameters.query("sector", Schema.oneOf(EventSchema.sectors), "Only stakeholders of this sector."),
                Parameters.query(
                    "kind", Schema.oneOf(StakeholdersQuery.kinds), "Only people, or only organizations."),
                Parameters.asOf, Parameters.recordedAsOf, Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("StakeholderList")),
        Operation(
            path: "/api/v1/stakeholders/{id}", id: "getStakeholder", summary: "One stakeholder, as its row",
            parameters: [Parameters.id, Parameters.asOf, Parameters.recordedAsOf],
            answer: Schema.reference("Stakeholder"), findsRecord: true),
        Operation(
            path: "/api/v1/consultations", id: "listConsultations",
            summary: "Consultations, as `consult consultations --format json` lists them",
            parameters: [Parameters.asOf, Parameters.recordedAsOf, Parameters.limit, Parameters.cursor],
            answer: Schema.reference("ConsultationList")),
        Operation(
            path: "/api/v1/consultations/{id}", id: "getConsultation", summary: "One consultation, as its row",
            parameters: [Parameters.id, Parameters.asOf, Parameters.recordedAsOf],
            answer: Schema.reference("Consultation"), findsRecord: true),
        Operation(
            path: "/api/v1/search", id: "search",
            summary: "Texts that contain `q`, ignoring case, as `consult search --format json` lists them",
            parameters: [
                Parameters.query(
                    "q", Schema.searchText,
                    "The text to search for: some non-space text, at most "
                        + "\(SearchQuery.maximumLength) characters.", required: true),
                Parameters.query("kind", Schema.oneOf(SearchHit.kinds), "Only texts of this kind of record."),
                Parameters.query(
                    "topic", Schema.searchText, "Only texts of records with this topic (stakeholders have none)."),
                Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("SearchHitList")),
        Operation(
            path: "/api/v1/history/{id}", id: "getHistory",
            summary: "Every event of a record, in log order, as `consult history ID --format json` lists them",
            parameters: [
                Parameters.query(
                    "id", Schema.nonEmptyText,
                    "A record's id, a statement's id or an event's id.", location: "path", required: true),
                Parameters.recordedAsOf, Parameters.limit, Parameters.cursor,
            ],
            answer: Schema.reference("HistoryList"), findsRecord: true),
        Operation(
            path: "/api/v1/status", id: "getStatus",
            summary: "The log's size and position and each view's checkpoint, as `consult status --format json`",
            parameters: [], answer: Schema.reference("Status")),
        Operation(
            path: "/api/v1/openapi.json", id: "getOpenAPIDocument", summary: "This document", parameters: [],
            answer: Schema.object, readsViews: false),
    ]

    /// A row type's schema: its properties are `keys` in order, each typed by `fields`, all
    /// required, nothing else allowed.
    struct RowSchema {
        var name: String
        var keys: [String]
        var fields: [String: JSONValue]

        var schema: JSONValue { Schema.closed(keys.map { ($0, fields[$0] ?? Schema.anything) }) }
    }

    /// The rows of the list and record routes.
    static let rows: [RowSchema] = [
        RowSchema(
            name: "Commitment", keys: CommitmentRow.keys,
            fields: [
                "commitmentId": Schema.text, "summary": Schema.text, "ownerId": Schema.text,
                "ownerName": Schema.optionalText, "ownerSector": Schema.oneOf(EventSchema.sectors, nullable: true),
                "madeById": Schema.text, "makerName": Schema.optionalText, "makerTitle": Schema.optionalText,
                "consultationId": Schema.text, "consultationTitle": Schema.optionalText,
                "consultationKind": Schema.oneOf(EventSchema.consultationKinds, nullable: true),
                "madeOn": Schema.optionalDate, "due": Schema.optionalText, "dueText": Schema.optionalText,
                "originalDueBy": Schema.optionalDate, "dueBy": Schema.optionalDate, "slips": Schema.count,
                "status": Schema.oneOf(CommitmentsQuery.allStatuses), "statusOn": Schema.optionalDate,
                "schedule": Schema.oneOf(Schedule.allCases.map(\.rawValue)), "overdue": Schema.boolean,
                "lastNote": Schema.optionalText, "restatements": Schema.count, "followUps": Schema.count,
                "respondsToRequestIds": Schema.texts, "topics": Schema.texts,
            ]),
        RowSchema(
            name: "Request", keys: RequestRow.keys,
            fields: [
                "requestId": Schema.text, "consultationId": Schema.text, "requesterId": Schema.text,
                "addressedToIds": Schema.texts, "summary": Schema.text, "topics": Schema.texts,
                "answers": Schema.array(of: Schema.reference("Answer")), "commitmentIds": Schema.texts,
                "unanswered": Schema.boolean,
            ]),
        RowSchema(
            name: "FollowUp", keys: FollowUpRow.keys,
            fields: [
                "commitmentId": Schema.text, "checkOn": Schema.date, "assignee": Schema.optionalText,
                "note": Schema.optionalText, "done": Schema.boolean, "due": Schema.boolean,
            ]),
        RowSchema(
            name: "Stakeholder", keys: StakeholderRow.keys,
            fields: [
                "stakeholderId": Schema.text, "name": Schema.text, "kind": Schema.oneOf(StakeholdersQuery.kinds),
                "sector": Schema.oneOf(EventSchema.sectors), "title": Schema.optionalText,
                "affiliationId": Schema.optionalText, "party": Schema.optionalText, "aliases": Schema.texts,
                "statements": Schema.count, "requests": Schema.count, "commitmentsMade": Schema.count,
                "commitmentsOwned": Schema.count, "outstanding": Schema.count, "overdue": Schema.count,
            ]),
        RowSchema(
            name: "Consultation", keys: ConsultationRow.keys,
            fields: [
                "consultationId": Schema.text, "kind": Schema.oneOf(EventSchema.consultationKinds),
                "title": Schema.text, "date": Schema.optionalDate, "startsOn": Schema.optionalDate,
                "endsOn": Schema.optionalDate, "venue": Schema.optionalText,
                "organizerIds": Schema.texts, "participants": Schema.array(of: Schema.reference("Participant")),
                "statements": Schema.count, "requests": Schema.count, "commitments": Schema.count,
            ]),
        RowSchema(
            name: "SearchHit", keys: SearchHit.keys,
            fields: [
                "kind": Schema.oneOf(SearchHit.kinds), "id": Schema.text, "field": Schema.text, "text": Schema.text,
                "consultationId": Schema.optionalText,
            ]),
    ]

    /// Each list route's envelope, by the name of its items' schema.
    static let lists = ["Commitment", "Request", "FollowUp", "Stakeholder", "Consultation", "SearchHit", "History"]

    /// The objects inside rows, the history's events, the status and the problem.
    static let otherSchemas: [(String, JSONValue)] = [
        (
            "Answer",
            Schema.closed([
                ("on", Schema.date), ("answeredById", Schema.text), ("outcome", Schema.oneOf(EventSchema.outcomes)),
                ("reason", Schema.text), ("commitmentIds", Schema.texts),
            ])
        ),
        ("Participant", Schema.closed([("stakeholderId", Schema.text), ("role", Schema.oneOf(EventSchema.roles))])),
        (
            "History",
            Schema.closed([
                ("position", Schema.count), ("streamId", Schema.text), ("streamVersion", Schema.count),
                ("type", Schema.text), ("schemaVersion", Schema.count), ("id", Schema.format("uuid")),
                ("recordedAt", Schema.format("date-time")), ("data", Schema.object), ("metadata", Schema.object),
            ])
        ),
        (
            "Status",
            Schema.closed([
                ("eventCount", Schema.count), ("lastPosition", Schema.optionalCount),
                ("readableHead", Schema.optionalText), ("eventsHeldBack", Schema.count),
                (
                    "oldestOpenWriter",
                    Schema.closed(
                        [
                            ("pid", Schema.count), ("state", Schema.text), ("secondsOpen", Schema.count),
                            ("applicationName", Schema.text),
                        ], nullable: true)
                ),
                (
                    "views",
                    Schema.array(
                        of: Schema.closed([
                            ("name", Schema.text), ("version", Schema.count), ("checkpoint", Schema.optionalText),
                            ("eventsApplied", Schema.count), ("lag", Schema.count), ("updatedAt", Schema.text),
                        ]))
                ),
            ])
        ),
        (
            "Problem",
            Schema.json([
                ("type", .string("object")),
                ("description", .string("RFC 9457 problem details: `detail` says in one sentence what went wrong.")),
                ("required", .array(["type", "title", "status", "detail"].map(JSONValue.string))),
                (
                    "properties",
                    Schema.json([
                        ("type", Schema.format("uri-reference")), ("title", Schema.text),
                        ("status", Schema.integer(100...599)), ("detail", Schema.text),
                        ("instance", Schema.format("uri-reference")),
                    ])
                ),
            ])
        ),
    ]

    /// The whole document.
    static var document: JSONValue {
        var schemas: [(String, JSONValue)] = rows.map { ($0.name, $0.schema) } + otherSchemas
        schemas += lists.map { ("\($0)List", Schema.list(of: $0)) }
        let paths = operations.map { operation in
            (operation.path, Schema.json([("get", pathItem(operation))]))
        }
        return Schema.json([
            ("openapi", .string("3.1.0")),
            (
                "info",
                Schema.json([
                    ("title", .string("Consultation Tracker API")),
                    ("version", .string(ConsultVersion.current)),
                    (
                        "description",
                        .string(
                            "The record of public consultations and the commitments made at them, read-only. "
                                + "A list answers {items, next, asOf, recordedAsOf}; give `next` as `cursor` for "
                                + "the next page. Its items have exactly the keys of the command line's "
                                + "`--format json` rows.")
                    ),
                ])
            ),
            ("paths", Schema.json(paths)),
            (
                "components",
                Schema.json([
                    ("schemas", Schema.json(schemas)),
                    (
                        "headers",
                        Schema.json([
                            (
                                "ETag",
                                Schema.json([
                                    (
                                        "description",
                                        .string("Changes when the views take in an event or the day changes.")
                                    ),
                                    ("required", .bool(true)), ("schema", Schema.text),
                                ])
                            )
                        ])
                    ),
                    (
                        "responses",
                        Schema.json([
                            ("NotModified", notModified),
                            ("BadRequest", problem("A parameter is unknown, repeated or invalid: `detail` names it.")),
                            ("NotFound", problem("Nothing has this id.")),
                            ("Unavailable", problem("The database is unavailable.")),
                        ])
                    ),
                ])
            ),
        ])
    }

    /// The `get` of one path.
    static func pathItem(_ operation: Operation) -> JSONValue {
        let parameters = operation.parameters + [Parameters.ifNoneMatch]
        var responses: [(String, JSONValue)] = [
            (
                "200",
                Schema.json([
                    ("description", .string("OK")),
                    ("headers", Schema.json([("ETag", Schema.reference("ETag", kind: "headers"))])),
                    (
                        "content",
                        Schema.json([("application/json", Schema.json([("schema", operation.answer)]))])
                    ),
                ])
            ),
            ("304", Schema.reference("NotModified", kind: "responses")),
            ("400", Schema.reference("BadRequest", kind: "responses")),
        ]
        if operation.findsRecord { responses.append(("404", Schema.reference("NotFound", kind: "responses"))) }
        if operation.readsViews { responses.append(("503", Schema.reference("Unavailable", kind: "responses"))) }
        return Schema.json([
            ("operationId", .string(operation.id)), ("summary", .string(operation.summary)),
            ("parameters", .array(parameters)), ("responses", Schema.json(responses)),
        ])
    }

    static var notModified: JSONValue {
        Schema.json([
            ("description", .string("Not modified: If-None-Match named the current ETag. No body.")),
            ("headers", Schema.json([("ETag", Schema.reference("ETag", kind: "headers"))])),
        ])
    }

    static func problem(_ description: String) -> JSONValue {
        Schema.json([
            ("description", .string(description)),
            (
                "content",
                Schema.json([
                    ("application/problem+json", Schema.json([("schema", Schema.reference("Problem"))]))
                ])
            ),
        ])
    }

    /// FNV-1a, 64 bits, in hex: enough to tell one build's document from another's.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension OpenAPIDocument {
    /// The query, path and header parameters of the document.
    enum Parameters {
        static func query(
            _ name: String, _ schema: JSONValue, _ description: String, location: String = "query",
            required: Bool = false, explode: Bool = false
        ) -> JSONValue {
            var members: [(String, JSONValue)] = [
                ("name", .string(name)), ("in", .string(location)), ("description", .string(description)),
            ]
            if required { members.append(("required", .bool(true))) }
            if explode { members += [("style", .string("form")), ("explode", .bool(true))] }
            members.append(("schema", schema))
            return Schema.json(members)
        }

        static func flag(_ name: String, _ description: String) -> JSONValue {
            query(name, Schema.boolean, description + " `true` or `false` (the default).")
        }

        static let id = query("id", Schema.nonEmptyText, "The record's id.", location: "path", required: true)

        static let asOf = query(
            "asOf", Schema.date,
            "The state on this date: events dated after it are ignored. Today in the server's time zone by default.")

        static let recordedAsOf = query(
            "recordedAsOf", Schema.instant,
            "What the tracker knew then: events recorded after it are ignored. An RFC 3339 time, or a date "
                + "(the end of that day in the server's time zone).")

        static let limit = query(
            "limit", Schema.integer(1...Page.maximumLimit),
            "The most items to answer (\(Page.maximumLimit) by default).")

        static let cursor = query(
            "cursor", Schema.integer(0...Int(Int32.max)), "Where the page starts: the previous answer's `next`.")

        static let ifNoneMatch = query(
            "If-None-Match", Schema.text, "An ETag of an earlier answer: 304 if it is still current.",
            location: "header")
    }

    /// JSON Schema (2020-12, as OpenAPI 3.1 takes it) for the document's types.
    enum Schema {
        /// An object from members in order.
        static func json(_ members: [(String, JSONValue)]) -> JSONValue {
            .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
        }

        static func type(_ name: String, nullable: Bool = false) -> JSONValue {
            nullable ? .array([.string(name), .string("null")]) : .string(name)
        }

        static let anything = json([])
        static let text = json([("type", type("string"))])
        /// A free-text query parameter (an id, a name, a topic), as long as `QueryParameters` takes.
        static let parameterText = json([
            ("type", type("string")), ("maxLength", .number(String(QueryParameters.maximumLength))),
        ])
        static let nonEmptyText = json([("type", type("string")), ("minLength", .number("1"))])
        static let optionalText = json([("type", type("string", nullable: true))])
        static let texts = array(of: text)
        static let boolean = json([("type", type("boolean"))])
        static let object = json([("type", type("object"))])
        static let count = json([("type", type("integer")), ("minimum", .number("0"))])
        static let optionalCount = json([("type", type("integer", nullable: true)), ("minimum", .number("0"))])
        static let date = format("date")
        static let optionalDate = format("date", nullable: true)

        /// An RFC 3339 time or a date, as `TimeArguments.instant` takes them.
        static let instant = json([
            ("type", type("string")), ("anyOf", .array([format("date-time"), format("date")])),
        ])

        /// What `SearchQuery` searches for: at least one character that is not white space (as
        /// Foundation's `whitespacesAndNewlines` has it), at most `SearchQuery.maximumLength`.
        static let searchText = json([
            ("type", type("string")), ("minLength", .number("1")),
            ("maxLength", .number(String(SearchQuery.maximumLength))),
            (
                "pattern",
                .string(
                    "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]")
            ),
        ])

        static func format(_ name: String, nullable: Bool = false) -> JSONValue {
            json([("type", type("string", nullable: nullable)), ("format", .string(name))])
        }

        static func integer(_ range: ClosedRange<Int>) -> JSONValue {
            json([
                ("type", type("integer")), ("minimum", .number(String(range.lowerBound))),
                ("maximum", .number(String(range.upperBound))),
            ])
        }

        static func oneOf(_ values: [String], nullable: Bool = false) -> JSONValue {
            json([
                ("type", type("string", nullable: nullable)),
                ("enum", .array(values.map(JSONValue.string) + (nullable ? [.null] : []))),
            ])
        }

        static func array(of items: JSONValue) -> JSONValue {
            json([("type", type("array")), ("items", items)])
        }

        static func reference(_ name: String, kind: String = "schemas") -> JSONValue {
            json([("$ref", .string("#/components/\(kind)/\(name)"))])
        }

        /// An object with exactly `properties`, all required.
        static func closed(_ properties: [(String, JSONValue)], nullable: Bool = false) -> JSONValue {
            json([
                ("type", type("object", nullable: nullable)),
                ("required", .array(properties.map { .string($0.0) })),
                ("properties", json(properties)),
                ("additionalProperties", .bool(false)),
            ])
        }

        /// A list route's answer: a page of `item`s.
        static func list(of item: String) -> JSONValue {
            closed([
                ("items", array(of: reference(item))),
                ("next", json([("type", type("string", nullable: true)), ("pattern", .string("^[0-9]+$"))])),
                ("asOf", date),
                ("recordedAsOf", format("date-time", nullable: true)),
            ])
        }
    }
}
