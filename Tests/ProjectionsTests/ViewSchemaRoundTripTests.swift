import ConsultDomain
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// Each view table's schema writes its rows with COPY and reads them back from
/// `SELECT <its columns>`: what comes back is what went in, whatever the text holds, NULLs too.
///
/// One test at a time, each in a database without the log's migrations (the tables are the view's
/// own): the whole test run shares one server and its connection limit.
@Suite("View schemas round-trip through PostgreSQL", .serialized)
struct ViewSchemaRoundTripTests {
    static let hostile = [
        "plain", "tab\there", "new\nline", "carriage\rreturn", #"back\slash"#, #"\N"#, #"quote "inside""#,
        "{braces,comma}", "NULL", "null", "", " ", "  leading and trailing  ", "과학기술정보통신부", "🙂",
        "\u{202E}reversed", "e\u{301}", "a,b", "{}", "\\", "\"",
    ]

    /// A text for row `index`; every other optional value is nil.
    static func text(_ index: Int) -> String { hostile[index % hostile.count] }
    static func optional(_ index: Int) -> String? { index % 2 == 0 ? nil : text(index + 1) }
    static func date(_ index: Int) -> CalendarDate { CalendarDate(dayNumber: 19_000 + index * 37) }
    static func optionalDate(_ index: Int) -> CalendarDate? { index % 3 == 0 ? nil : date(index + 1) }
    static func strings(_ index: Int) -> [String] {
        index % 4 == 0 ? [] : [text(index), "b", text(index + 2), "NULL", ""]
    }
    /// Objects with keys in `jsonb`'s own order (shorter keys first), which it keeps.
    static func objects(_ index: Int) -> [JSONValue] {
        index % 4 == 1
            ? []
            : [
                .object(JSONObject([("role", .string(text(index))), ("stakeholderId", .string(text(index + 3)))])),
                .string(text(index + 1)), .number("12"), .bool(true), .null,
                .array([.string(text(index + 2)), .array([])]),
            ]
    }
    static var count: Int { hostile.count + 2 }
    static func stream(_ index: Int) -> String { "s-" + String(1000 + index) }

    /// Creates `schema`'s table, writes `rows` with COPY, and reads them back in key order.
    static func roundTrip<Row: ViewRow>(_ schema: ViewSchema<Row>, _ rows: [Row]) async throws -> [Row] {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.withTransaction { connection in
            for statement in schema.table.createStatements(suffix: "") {
                try connection.query(PostgresQuery(unsafeSQL: statement))
            }
            try schema.insert(rows, suffix: "", on: connection)
        }
        let columns = schema.columnList()
        let order = schema.table.key.joined(separator: ", ")
        let stored = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(columns) FROM \(schema.table.name) ORDER BY \(order)"))
        let decoded = try stored.map(schema.decode)
        await connection.close()
        return decoded
    }

    @Test("commitments")
    func commitments() async throws {
        let rows = (0..<Self.count).map { index in
            var row = CommitmentsView.Commitment()
            row.streamID = Self.stream(index)
            row.state = CommitmentRecord.State(
                commitmentID: Self.text(index), summary: Self.text(index + 1), ownerID: Self.text(index + 2),
                ownerName: Self.optional(index), ownerSector: Self.optional(index + 1), madeByID: Self.text(index + 3),
                makerName: Self.optional(index + 2), makerTitle: Self.optional(index + 3),
                consultationID: Self.text(index + 4), consultationTitle: Self.optional(index + 4),
                consultationKind: Self.optional(index + 5), madeOn: Self.optionalDate(index), due: Self.optional(index),
                dueText: Self.optional(index + 1), originalDueBy: Self.optionalDate(index + 1),
                dueBy: Self.optionalDate(index + 2), slips: index, status: Self.text(index + 5),
                statusOn: Self.optionalDate(index), dueByAtStatus: Self.optionalDate(index + 1),
                lastNote: Self.optional(index), restatements: -index, followUps: [],
                respondsToRequestIDs: Self.strings(index), topics: Self.strings(index + 1),
                latestDate: Self.optionalDate(index + 2))
            row.followUpCount = index * 3
            return row
        }
        #expect(try await Self.roundTrip(CommitmentsView.commitments, rows) == rows)
    }

    @Test("consultations and statements")
    func consultations() async throws {
        let consultations = (0..<Self.count).map { index in
            var row = ConsultationsView.Consultation()
            row.streamID = Self.stream(index)
            row.consultationID = Self.text(index)
            row.kind = Self.text(index + 1)
            row.title = Self.text(index + 2)
            row.startsOn = Self.optionalDate(index)
            row.endsOn = Self.optionalDate(index + 1)
            row.venue = Self.optional(index)
            row.organizerIDs = Self.strings(index)
            row.participants = Self.objects(index)
            row.sources = Self.objects(index + 1)
            return row
        }
        #expect(try await Self.roundTrip(ConsultationsView.consultations, consultations) == consultations)
        let statements = (0..<Self.count).map { index in
            var row = ConsultationsView.Statement()
            row.streamID = Self.stream(index / 3)
            row.sequence = index
            row.statementID = Self.text(index)
            row.consultationID = Self.text(index + 1)
            row.speakerID = Self.text(index + 2)
            row.summary = Self.text(index + 3)
            row.quote = Self.optional(index)
            row.topics = Self.strings(index)
            row.on = Self.optionalDate(index + 2)
            return row
        }
        #expect(try await Self.roundTrip(ConsultationsView.statements, statements) == statements)
    }

    @Test("follow-ups")
    func followUps() async throws {
        let rows = (0..<Self.count).map { index in
            var row = FollowUpsView.FollowUp()
            row.streamID = Self.stream(index / 2)
            row.ordinal = index % 2
            row.commitmentID = Self.text(index)
            row.consultationID = Self.text(index + 1)
            row.checkOn = Self.date(index)
            row.assignee = Self.optional(index)
            row.note = Self.optional(index + 1)
            row.firstProgressOn = Self.optionalDate(index)
            row.status = Self.text(index + 2)
            row.latestDate = Self.optionalDate(index + 1)
            return row
        }
        #expect(try await Self.roundTrip(FollowUpsView.followUps, rows) == rows)
    }

    @Test("history: versions, with their data as text")
    func history() async throws {
        let rows = (0..<Self.count).map { index in
            var row = HistoryView.Version()
            row.streamID = Self.stream(index)
            row.eventID = UUID()
            row.type = Self.text(index)
            row.sequence = index
            row.onDate = Self.optionalDate(index)
            row.recordedFrom = 1_700_000_000_000_000 + Int64(index)
            row.recordedUntil = index % 2 == 0 ? nil : Int64.max - Int64(index)
            // Text keeps the keys' order, unlike jsonb.
            row.data = JSONObject([
                ("z", .string(Self.text(index))), ("a", .array(Self.objects(index))), ("n", .number("1.50")),
            ])
            return row
        }
        #expect(try await Self.roundTrip(HistoryView.versions, rows) == rows)
    }

    @Test("requests")
    func requests() async throws {
        let rows = (0..<Self.count).map { index in
            var row = RequestsView.Request()
            row.streamID = Self.stream(index)
            row.requestID = Self.text(index)
            row.consultationID = Self.text(index + 1)
            row.requesterID = Self.text(index + 2)
            row.addressedToIDs = Self.strings(index)
            row.summary = Self.text(index + 3)
            row.topics = Self.strings(index + 1)
            row.answers = Self.objects(index)
            row.answerCommitmentIDs = Self.strings(index + 2)
            row.on = Self.optionalDate(index + 3)
            return row
        }
        #expect(try await Self.roundTrip(RequestsView.requests, rows) == rows)
    }

    @Test("search texts")
    func search() async throws {
        let rows = (0..<Self.count).map { index in
            SearchView.Text(
                streamID: Self.stream(index / 4), sequence: index / 2, ordinal: index % 2, kind: Self.text(index),
                id: Self.text(index + 1), field: Self.text(index + 2), text: Self.text(index + 3),
                folded: Self.optional(index), consultationID: Self.optional(index + 1))
        }
        #expect(try await Self.roundTrip(SearchView.texts, rows) == rows)
    }

    @Test("a query may read some of the columns: the other properties are left as Row() has them")
    func someColumns() async throws {
        let rows = (0..<Self.count).map { index in
            SearchView.Text(
                streamID: Self.stream(index), sequence: index, ordinal: 0, kind: Self.text(index),
                id: Self.text(index + 1), field: "name", text: Self.text(index + 3), folded: Self.optional(index),
                consultationID: Self.optional(index + 1))
        }
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        try await connection.withTransaction { connection in
            for statement in SearchView.texts.table.createStatements(suffix: "") {
                try connection.query(PostgresQuery(unsafeSQL: statement))
            }
            try SearchView.texts.insert(rows, suffix: "", on: connection)
        }
        let some = SearchView.texts.only([\.text, \.kind, \.consultationID])
        #expect(some.columnList(qualifiedBy: "v") == "v.kind, v.text, v.consultation_id")
        let stored = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(some.columnList()) FROM view_search ORDER BY stream_id"))
        let expected = rows.map { SearchView.Text(kind: $0.kind, text: $0.text, consultationID: $0.consultationID) }
        #expect(try stored.map(some.decode) == expected)
        await connection.close()
    }

    @Test("stakeholders")
    func stakeholders() async throws {
        let rows = (0..<Self.count).map { index in
            var row = StakeholdersView.Stakeholder()
            row.streamID = Self.stream(index)
            row.stakeholderID = Self.text(index)
            row.name = Self.text(index + 1)
            row.kind = Self.text(index + 2)
            row.sector = Self.text(index + 3)
            row.title = Self.optional(index)
            row.affiliationID = Self.optional(index + 1)
            row.party = Self.optional(index + 2)
            row.aliases = Self.strings(index)
            return row
        }
        #expect(try await Self.roundTrip(StakeholdersView.stakeholders, rows) == rows)
    }

    @Test("a NULL in a column whose property is not optional is an error that names the column")
    func nullInRequiredColumn() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        let stored = try await connection.query(
            "SELECT 's-1', 1, NULL::text, 'c', '2024-01-01'::date, NULL, NULL, NULL, 'open', NULL")
        #expect(FollowUpsView.followUps.columns.count == 10)
        let error = #expect(throws: PostgresError.self) { try FollowUpsView.followUps.decode(stored[0]) }
        #expect(error?.column == "commitment_id")
        await connection.close()
    }
}
