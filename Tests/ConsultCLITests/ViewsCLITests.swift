import ConsultDomain
import Foundation
import Postgres
import TestSupport
import Testing

/// The read commands against a hand-built history (`Fixtures/views-batch*.jsonl`, logged as three
/// batches). The expected answers below were worked out by hand from the fixture:
///
/// - c-gpu (due 2023-03, "이달 중"): in progress 2023-03-20; 2023-04-10 revised to 2023-06 (one
///   slip); fulfilled 2023-05-30, before the due-by then in force (2023-06-30): met.
/// - c-talent (due 2023-12-31, answers req-talent): stalled 2024-01-15, revised to 2024-06 (one
///   slip); restated at the town hall 2024-08-10; follow-up 2024-03-01 with no progress after it.
/// - c-fund: no due when made; batch 3 corrects its due to 2024, which is not a slip: the
///   corrected value becomes the original.
/// - c-retracted: retracted in batch 3, so it is gone on every date.
/// - c-kakao (due 2023-06-30): fulfilled 2023-07-10: late. c-broken: broken 2023-11-01: closed.
/// - c-townhall: made 2024-08-10 by lee, whose title changed on 2024-07-01 (batch 3), so its maker
///   title is the new one, while lee's earlier commitments keep the old one.
/// - req-tax is the only request with neither an answer nor a responding commitment.
@Suite("read commands over a hand-built history")
struct ViewsCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func consult(_ arguments: [String], database: TestDatabase, environment: [String: String] = [:]) async throws
        -> ConsultProcess.Outcome
    {
        try await ConsultProcess.run(
            arguments,
            environment: ["CONSULT_DATABASE_URL": database.url, "TZ": "Asia/Seoul"].merging(environment) { $1 })
    }

    /// Logs batch 1, 2 and 3; returns a time (database clock) between the commits of batches 1 and 2.
    func loadHistory(_ database: TestDatabase) async throws -> String {
        var between = ""
        for batch in 1...3 {
            let path = Self.fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
            let logged = try await consult(["log", "--file", path], database: database)
            #expect(logged.status == 0, "\(logged.stderr)")
            if batch == 1 {
                try await Task.sleep(for: .milliseconds(20))
                let connection = try await database.connect()
                between = try await connection.query(
                    #"SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#
                )[0].decode(String.self, column: 0)
                await connection.close()
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return between
    }

    func objects(_ outcome: ConsultProcess.Outcome) throws -> [JSONObject] {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try JSONValue.parse(outcome.stdout).arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// `key` of each object, as text (numbers and booleans as written, arrays joined with ",").
    func column(_ objects: [JSONObject], _ key: String) -> [String] {
        objects.map { object in
            switch object[key] {
            case .string(let text): return text
            case .array(let items): return items.map { $0.stringValue ?? $0.serialized() }.joined(separator: ",")
            case .none, .null: return "null"
            case .some(let value): return value.serialized()
            }
        }
    }

    func byID(_ objects: [JSONObject], _ key: String = "commitmentId") -> [String: JSONObject] {
        Dictionary(uniqueKeysWithValues: objects.map { ($0[key]?.stringValue ?? "", $0) })
    }

    @Test("commitments on a date: status, schedule, due dates, slips, maker's title on the day")
    func commitments() async throws {
        let database = try await TestDatabase.create()
        _ = try await loadHistory(database)
        let all = try objects(
            try await consult(["commitments", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(all, "commitmentId") == ["c-kakao", "c-gpu", "c-broken", "c-talent", "c-fund", "c-townhall"])
        let rows = byID(all)
        let expected: [String: [String: String]] = [
            "c-gpu": [
                "status": "fulfilled", "statusOn": "2023-05-30", "schedule": "met", "originalDueBy": "2023-03-31",
                "dueBy": "2023-06-30", "slips": "1", "due": "2023-03", "dueText": "이달 중", "overdue": "false",
                "makerTitle": "과학기술정보통신부 장관", "lastNote": "GPU 지원 방안이 발표되었다.",
                "respondsToRequestIds": "req-gpu", "followUps": "1", "madeOn": "2023-02-22",
            ],
            "c-talent": [
                "status": "stalled", "statusOn": "2024-01-15", "schedule": "overdue", "originalDueBy": "2023-12-31",
                "dueBy": "2024-06-30", "slips": "1", "overdue": "true", "restatements": "1", "followUps": "1",
            ],
            "c-fund": [
                "status": "open", "schedule": "upcoming", "due": "2024", "originalDueBy": "2024-12-31",
                "dueBy": "2024-12-31", "slips": "0", "statusOn": "2023-02-22",
            ],
            "c-kakao": ["status": "fulfilled", "schedule": "late", "ownerName": "카카오", "ownerSector": "large_company"],
            "c-broken": ["status": "broken", "schedule": "closed", "lastNote": "예산에 반영되지 않았다."],
            "c-townhall": [
                "status": "open", "schedule": "upcoming", "makerName": "이종호", "makerTitle": "전 과학기술정보통신부 장관",
                "consultationId": "townhall", "consultationTitle": "AI 타운홀 미팅", "madeOn": "2024-08-10",
                "ownerName": "과학기술정보통신부", "ownerSector": "government",
            ],
        ]
        for (id, fields) in expected {
            let row = try #require(rows[id], "\(id) is listed")
            for (key, value) in fields {
                #expect(column([row], key) == [value], "\(id).\(key)")
            }
        }
        // Every key of SPEC.md's table is present.
        for key in [
            "commitmentId", "summary", "ownerId", "ownerName", "ownerSector", "madeById", "makerName", "makerTitle",
            "consultationId", "consultationTitle", "madeOn", "due", "dueText", "originalDueBy", "dueBy", "slips",
            "status", "statusOn", "schedule", "overdue", "lastNote", "restatements", "followUps",
            "respondsToRequestIds", "topics",
        ] {
            #expect(all.allSatisfy { $0[key] != nil }, "key \(key)")
        }

        let outstanding = try objects(
            try await consult(
                ["commitments", "--outstanding", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(outstanding, "commitmentId") == ["c-talent", "c-fund", "c-townhall"])
        let overdue = try objects(
            try await consult(
                ["commitments", "--overdue", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(overdue, "commitmentId") == ["c-talent"])
        let byOwner = try objects(
            try await consult(
                ["commitments", "--owner", "kakao", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(byOwner, "commitmentId") == ["c-kakao"])
        let bySector = try objects(
            try await consult(
                [
                    "commitments", "--sector", "government", "--status", "fulfilled", "--as-of", "2024-09-01",
                    "--format", "json",
                ], database: database))
        #expect(column(bySector, "commitmentId") == ["c-gpu"])
        let byTopic = try objects(
            try await consult(
                ["commitments", "--topic", "legislation", "--as-of", "2024-09-01", "--format", "json"],
                database: database))
        #expect(column(byTopic, "commitmentId") == ["c-townhall"])

        // Later dates move the schedule; nothing is stored about it.
        let december = byID(
            try objects(
                try await consult(["commitments", "--as-of", "2024-12-15", "--format", "json"], database: database)))
        #expect(column([december["c-townhall"] ?? JSONObject()], "schedule") == ["due_soon"])
        let january = byID(
            try objects(
                try await consult(["commitments", "--as-of", "2025-01-05", "--format", "json"], database: database)))
        #expect(column([january["c-townhall"] ?? JSONObject()], "schedule") == ["overdue"])
    }

    @Test("--as-of and --recorded-as-of: the state on a date, and what was known at a time")
    func asOfAndRecordedAsOf() async throws {
        let database = try await TestDatabase.create()
        let between = try await loadHistory(database)

        // On 2023-04-01, as recorded now: c-gpu is in progress and overdue (its revision came on
        // 04-10), c-townhall is not made yet, c-retracted is gone, c-fund has its corrected due.
        let early = byID(
            try objects(
                try await consult(["commitments", "--as-of", "2023-04-01", "--format", "json"], database: database)))
        #expect(Set(early.keys) == ["c-gpu", "c-kakao", "c-talent", "c-broken", "c-fund"])
        #expect(column([early["c-gpu"] ?? JSONObject()], "status") == ["in_progress"])
        #expect(column([early["c-gpu"] ?? JSONObject()], "schedule") == ["overdue"])
        #expect(column([early["c-gpu"] ?? JSONObject()], "dueBy") == ["2023-03-31"])
        #expect(column([early["c-gpu"] ?? JSONObject()], "slips") == ["0"])
        #expect(column([early["c-fund"] ?? JSONObject()], "dueBy") == ["2024-12-31"])
        #expect(column([early["c-talent"] ?? JSONObject()], "restatements") == ["0"])

        // On 2024-09-01, as recorded between batch 1 and 2: only c-gpu's first progress was known,
        // c-retracted was still on record, c-fund had no due, c-townhall did not exist.
        let known = byID(
            try objects(
                try await consult(
                    ["commitments", "--as-of", "2024-09-01", "--recorded-as-of", between, "--format", "json"],
                    database: database)))
        #expect(Set(known.keys) == ["c-gpu", "c-talent", "c-fund", "c-retracted", "c-kakao", "c-broken"])
        #expect(column([known["c-gpu"] ?? JSONObject()], "status") == ["in_progress"])
        #expect(column([known["c-gpu"] ?? JSONObject()], "schedule") == ["overdue"])
        #expect(column([known["c-gpu"] ?? JSONObject()], "followUps") == ["0"])
        #expect(column([known["c-talent"] ?? JSONObject()], "status") == ["open"])
        #expect(column([known["c-fund"] ?? JSONObject()], "schedule") == ["no_deadline"])
        #expect(column([known["c-fund"] ?? JSONObject()], "dueBy") == ["null"])
        #expect(column([known["c-retracted"] ?? JSONObject()], "status") == ["open"])

        // Before anything was recorded, nothing was known.
        let nothing = try objects(
            try await consult(
                ["commitments", "--recorded-as-of", "2020-01-01T00:00:00Z", "--format", "json"], database: database))
        #expect(nothing.isEmpty)

        // Follow-ups on a date: c-gpu's check-in of 2023-05-01 was due on 05-15 (no progress since),
        // done by 2024 (fulfilled 05-30); c-talent's stays due (stalled, no progress after 03-01).
        let may = try objects(
            try await consult(["follow-ups", "--as-of", "2023-05-15", "--format", "json"], database: database))
        #expect(column(may, "commitmentId") == ["c-gpu"])
        #expect(column(may, "due") == ["true"])
        let later = try objects(
            try await consult(["follow-ups", "--all", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(later, "commitmentId") == ["c-gpu", "c-talent"])
        #expect(column(later, "done") == ["true", "false"])
        #expect(column(later, "due") == ["false", "true"])
        let dueNow = try objects(
            try await consult(["follow-ups", "--as-of", "2024-09-01", "--format", "json"], database: database))
        #expect(column(dueNow, "commitmentId") == ["c-talent"])
        let ahead = try objects(
            try await consult(
                ["follow-ups", "--as-of", "2024-02-20", "--due-within", "10", "--format", "json"], database: database))
        #expect(column(ahead, "commitmentId") == ["c-talent"])
        #expect(column(ahead, "due") == ["false"])
    }

    @Test("requests, stakeholders, consultations and search")
    func otherViews() async throws {
        let database = try await TestDatabase.create()
        let between = try await loadHistory(database)

        // What is recorded now, asked through --recorded-as-of, is the current view; before batch
        // 2 was recorded, its answers and commitments are not there yet.
        for date in ["2023-03-01", "2023-06-01", "2024-09-01"] {
            let current = try await consult(["requests", "--as-of", date, "--format", "json"], database: database)
            let known = try await consult(
                ["requests", "--as-of", date, "--recorded-as-of", "2999-01-01T00:00:00Z", "--format", "json"],
                database: database)
            #expect(known.stdout == current.stdout, "\(date)")
        }
        for date in ["2023-02-21", "2024-09-01"] {
            let current = try await consult(["consultations", "--as-of", date, "--format", "json"], database: database)
            let known = try await consult(
                ["consultations", "--as-of", date, "--recorded-as-of", "2999-01-01T00:00:00Z", "--format", "json"],
                database: database)
            #expect(known.stdout == current.stdout, "\(date)")
        }
        let consultationsThen = try await consult(
            ["consultations", "--as-of", "2024-09-01", "--recorded-as-of", between, "--format", "json"],
            database: database)
        #expect(!consultationsThen.stdout.contains("townhall"), "batch 3 held the town hall")
        let early = try await consult(
            ["requests", "--as-of", "2024-09-01", "--recorded-as-of", between, "--format", "json"], database: database)
        #expect(early.status == 0, "\(early.stderr)")
        #expect(!early.stdout.contains("partially_accepted"), "\(early.stdout)")

        let requests = try objects(try await consult(["requests", "--format", "json"], database: database))
        let byRequest = byID(requests, "requestId")
        #expect(Set(byRequest.keys) == ["req-talent", "req-data", "req-tax", "req-gpu"])
        #expect(column([byRequest["req-talent"] ?? JSONObject()], "commitmentIds") == ["c-talent"])
        #expect(column([byRequest["req-gpu"] ?? JSONObject()], "commitmentIds") == ["c-gpu"])
        #expect(column([byRequest["req-tax"] ?? JSONObject()], "unanswered") == ["true"])
        #expect(column([byRequest["req-data"] ?? JSONObject()], "unanswered") == ["false"])
        let answers = byRequest["req-data"]?["answers"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(column(answers, "outcome") == ["partially_accepted"])
        #expect(column(answers, "on") == ["2023-04-01"])
        #expect(column(answers, "answeredById") == ["kakao"])
        let unanswered = try objects(
            try await consult(["requests", "--unanswered", "--format", "json"], database: database))
        #expect(column(unanswered, "requestId") == ["req-tax"])
        let toKakao = try objects(
            try await consult(["requests", "--to", "kakao", "--format", "json"], database: database))
        #expect(column(toKakao, "requestId") == ["req-data"])
        let compute = try objects(
            try await consult(["requests", "--topic", "compute", "--format", "json"], database: database))
        #expect(column(compute, "requestId") == ["req-gpu"])

        let stakeholders = byID(
            try objects(
                try await consult(["stakeholders", "--as-of", "2024-09-01", "--format", "json"], database: database)),
            "stakeholderId")
        let lee = stakeholders["lee"] ?? JSONObject()
        #expect(column([lee], "title") == ["전 과학기술정보통신부 장관"])
        #expect(column([lee], "statements") == ["1"])
        #expect(column([lee], "commitmentsMade") == ["5"])
        #expect(column([lee], "outstanding") == ["3"])
        #expect(column([lee], "overdue") == ["1"])
        #expect(column([stakeholders["msit"] ?? JSONObject()], "commitmentsOwned") == ["5"])
        #expect(column([stakeholders["kim"] ?? JSONObject()], "requests") == ["2"])
        #expect(column([stakeholders["alliance"] ?? JSONObject()], "requests") == ["2"])
        #expect(column([stakeholders["kakao"] ?? JSONObject()], "outstanding") == ["0"])

        let consultations = try objects(try await consult(["consultations", "--format", "json"], database: database))
        #expect(column(consultations, "consultationId") == ["forum-1", "dialogue-3", "townhall"])
        #expect(column(consultations, "statements") == ["1", "1", "0"])
        #expect(column(consultations, "requests") == ["3", "1", "0"])
        #expect(column(consultations, "commitments") == ["2", "3", "1"])
        let participants = consultations.first?["participants"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(column(participants, "stakeholderId") == ["kim", "lee"])

        let talent = try objects(try await consult(["search", "인재", "--format", "json"], database: database))
        #expect(column(talent, "id") == ["st-1", "req-talent", "c-talent"])
        #expect(column(talent, "kind") == ["statement", "request", "commitment"])
        #expect(column(talent, "consultationId") == ["forum-1", "forum-1", "forum-1"])
        let latin = try objects(try await consult(["search", "TALENT", "--format", "json"], database: database))
        #expect(column(latin, "text") == ["Talent is scarce"])
        // The corrected statement is found by its new words, not by its old ones.
        let corrected = try objects(try await consult(["search", "클러스터 구축", "--format", "json"], database: database))
        #expect(column(corrected, "id") == ["st-2"])
        let old = try objects(try await consult(["search", "컴퓨팅 자원", "--format", "json"], database: database))
        #expect(old.isEmpty)
        let aliases = try objects(try await consult(["search", "kakao", "--format", "json"], database: database))
        #expect(column(aliases, "field") == ["aliases"])
    }

    @Test("stakeholders: --recorded-as-of, alone and with --as-of, and --sector and --kind")
    func stakeholdersKnownAndFiltered() async throws {
        let database = try await TestDatabase.create()
        let between = try await loadHistory(database)
        func stakeholders(_ arguments: [String]) async throws -> [String: JSONObject] {
            byID(
                try objects(
                    try await consult(["stakeholders"] + arguments + ["--format", "json"], database: database)),
                "stakeholderId")
        }

        // Between batch 1 and 2: lee's title had not changed, c-retracted was on record and
        // c-townhall not, and no progress but c-gpu's first: lee's five promises were all
        // outstanding, and three of them (c-gpu, c-talent, c-broken) overdue on 2024-09-01.
        let then = try await stakeholders(["--as-of", "2024-09-01", "--recorded-as-of", between])
        let lee = then["lee"] ?? JSONObject()
        #expect(column([lee], "title") == ["과학기술정보통신부 장관"])
        #expect(column([lee], "statements") == ["1"])
        #expect(column([lee], "commitmentsMade") == ["5"])
        #expect(column([lee], "outstanding") == ["5"])
        #expect(column([lee], "overdue") == ["3"])
        #expect(column([then["msit"] ?? JSONObject()], "commitmentsOwned") == ["5"])
        #expect(column([then["msit"] ?? JSONObject()], "outstanding") == ["5"])
        #expect(column([then["kakao"] ?? JSONObject()], "outstanding") == ["1"])
        #expect(column([then["kakao"] ?? JSONObject()], "overdue") == ["1"])
        #expect(column([then["alliance"] ?? JSONObject()], "requests") == ["2"])
        // Alone, --recorded-as-of answers for today.
        let alone = try await stakeholders(["--recorded-as-of", between])
        #expect(column([alone["lee"] ?? JSONObject()], "commitmentsMade") == ["5"])
        #expect(column([alone["lee"] ?? JSONObject()], "title") == ["과학기술정보통신부 장관"])
        // Before anything was recorded, no one was.
        #expect(try await stakeholders(["--recorded-as-of", "2020-01-01T00:00:00Z"]).isEmpty)

        // What is recorded now, asked through --recorded-as-of, is the current view, on every date.
        for date in ["2023-02-21", "2024-06-30", "2024-09-01"] {
            let current = try await consult(["stakeholders", "--as-of", date, "--format", "json"], database: database)
            let known = try await consult(
                ["stakeholders", "--as-of", date, "--recorded-as-of", "2999-01-01T00:00:00Z", "--format", "json"],
                database: database)
            #expect(known.status == 0, "\(known.stderr)")
            #expect(known.stdout == current.stdout, "\(date)")
        }
        // The profile is the one in force on the date: lee's title changed on 2024-07-01.
        let june = try await stakeholders(["--as-of", "2024-06-30"])
        #expect(column([june["lee"] ?? JSONObject()], "title") == ["과학기술정보통신부 장관"])
        let july = try await stakeholders(["--as-of", "2024-07-01"])
        #expect(column([july["lee"] ?? JSONObject()], "title") == ["전 과학기술정보통신부 장관"])

        // --sector and --kind filter, and combine with the rest.
        let government = try await stakeholders(["--sector", "government", "--as-of", "2024-09-01"])
        #expect(Set(government.keys) == ["lee", "msit"])
        let persons = try await stakeholders(["--kind", "person", "--as-of", "2024-09-01"])
        #expect(Set(persons.keys) == ["lee", "kim"])
        let both = try await stakeholders(
            ["--kind", "organization", "--sector", "government", "--recorded-as-of", between])
        #expect(Set(both.keys) == ["msit"])
        #expect(column([both["msit"] ?? JSONObject()], "outstanding") == ["5"])
        let none = try await consult(["stakeholders", "--sector", "media"], database: database)
        #expect(none.status == 0)
        #expect(none.stdout.contains("No stakeholders match."))
        for (arguments, message) in [
            (["--sector", "goverment"], "--sector goverment is not a sector; did you mean government? Use one of "),
            (["--kind", "people"], "--kind people is not a kind of stakeholder; use one of person, organization."),
        ] {
            let refused = try await consult(["stakeholders"] + arguments, database: database)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty)
        }
    }

    @Test("search: --kind, --topic, and the match shown in the table however long the text")
    func searchFiltersAndMatch() async throws {
        let database = try await TestDatabase.create()
        _ = try await loadHistory(database)
        func hits(_ arguments: [String]) async throws -> [JSONObject] {
            try objects(try await consult(["search"] + arguments + ["--format", "json"], database: database))
        }

        #expect(column(try await hits(["인재", "--kind", "request"]), "id") == ["req-talent"])
        let consultations = try await hits(["AI", "--kind", "consultation"])
        #expect(column(consultations, "id") == ["dialogue-3", "forum-1", "townhall"])  // by id
        // --topic: the statements, requests and commitments that carry it, and the consultations
        // where one was recorded (forum-1; dialogue-3 and the town hall have none on talent).
        let talent = try await hits(["AI", "--topic", "talent"])
        #expect(column(talent, "id") == ["forum-1", "req-talent", "c-talent"])
        #expect(column(talent, "kind") == ["consultation", "request", "commitment"])
        #expect(column(try await hits(["인재", "--topic", "talent", "--kind", "statement"]), "id") == ["st-1"])
        #expect(try await hits(["인재", "--topic", "compute"]).isEmpty)
        // A corrected topic is the one searched: st-2 is found by its words and its topic.
        #expect(column(try await hits(["클러스터", "--topic", "compute"]), "id") == ["st-2", "req-gpu"])
        let none = try await consult(
            ["search", "GPU", "--kind", "commitment", "--topic", "talent"], database: database)
        #expect(none.status == 0)
        #expect(none.stdout == "Nothing contains \"GPU\" among commitments with topic talent.\n")
        for (arguments, message) in [
            (["--kind", "stakeholders"], "--kind stakeholders is not a kind of record; did you mean stakeholder?"),
            (["--kind", "stakeholder", "--topic", "talent"], "can never match: stakeholders have no topics."),
        ] {
            let refused = try await consult(["search", "AI"] + arguments, database: database)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty)
        }

        // The table marks the match; JSON keeps the whole field, unmarked.
        let piped = try await consult(["search", "인재", "--kind", "statement"], database: database)
        #expect(piped.stdout.contains("스타트업은 [인재] 확보가 가장 어렵다고 말했다."), "\(piped.stdout)")
        let json = try await hits(["인재", "--kind", "statement"])
        #expect(column(json, "text") == ["스타트업은 인재 확보가 가장 어렵다고 말했다."])
        // On a narrow terminal the text is cut around the match, not after it: the match at the
        // end of each summary stays in view, with the words before it.
        let narrow = try await consult(
            ["search", "말했다"], database: database, environment: ["COLUMNS": "60"])
        let lines = narrow.stdout.split(separator: "\n").dropFirst()
        #expect(lines.count == 2, "\(narrow.stdout)")
        for line in lines {
            #expect(displayWidth(String(line)) <= 60, "\(line)")
            #expect(line.contains("…") && line.contains(" [말했다]."), "\(line)")
        }
        // A match at the start keeps the words after it.
        let start = try await consult(["search", "스타트업은"], database: database, environment: ["COLUMNS": "60"])
        #expect(start.stdout.contains("[스타트업은] 인재"), "\(start.stdout)")
    }

    @Test("golden output: table aligned by display width, JSON and CSV")
    func golden() async throws {
        let database = try await TestDatabase.create()
        _ = try await loadHistory(database)
        let table = try await consult(
            ["commitments", "--outstanding", "--as-of", "2024-09-01"], database: database,
            environment: ["COLUMNS": "200"])
        #expect(table.status == 0)
        #expect(
            table.stdout == """
                On 2024-09-01, as recorded now:
                COMMITMENT  OWNER               MADE BY                             CONSULTATION              MADE ON     DUE BY      ORIGINAL DUE        STATUS   SCHEDULE  SUMMARY
                c-talent    과학기술정보통신부  이종호, 과학기술정보통신부 장관     AI 스타트업 성장 토론회   2023-02-21  2024-06-30  2023-12-31, 1 slip  stalled  overdue   AI 인재 양성 계획을 내놓겠다.
                c-fund      과학기술정보통신부  이종호, 과학기술정보통신부 장관     제3차 AI 최고위 전략대화  2023-02-22  2024-12-31  2024-12-31          open     upcoming  AI 펀드를 조성하겠다.
                c-townhall  과학기술정보통신부  이종호, 전 과학기술정보통신부 장관  AI 타운홀 미팅            2024-08-10  2024-12-31  2024-12-31          open     upcoming  AI 기본법 제정을 추진하겠다.

                """)
        // Every table says the date it answers for, and what the tracker knew then.
        let recorded = try await consult(
            ["commitments", "--as-of", "2023-05-01", "--recorded-as-of", "2030-01-01T00:00:00Z"], database: database)
        #expect(recorded.stdout.hasPrefix("On 2023-05-01, as recorded by 2030-01-01T00:00:00Z:\n"))
        for command in ["requests", "consultations", "stakeholders", "follow-ups"] {
            let listed = try await consult([command, "--as-of", "2024-09-01"], database: database)
            #expect(listed.stdout.hasPrefix("On 2024-09-01, as recorded now:\n"), "\(command): \(listed.stdout)")
        }

        // A revised due-by is shown as such: the words of the due ("이달 중") belong to the first one.
        let revised = try await consult(
            ["commitments", "--as-of", "2023-05-01"], database: database, environment: ["COLUMNS": "250"])
        let gpu = revised.stdout.split(separator: "\n").first { $0.hasPrefix("c-gpu ") }.map(String.init) ?? ""
        #expect(gpu.contains("2023-06-30  2023-03-31 “이달 중”, 1 slip  "), "\(gpu)")
        #expect(!revised.stdout.contains("2023-06-30 (이달 중)"))
        // Narrow terminals: every line fits, wide cells are cut with an ellipsis.
        let narrow = try await consult(
            ["commitments", "--outstanding", "--as-of", "2024-09-01"], database: database,
            environment: ["COLUMNS": "80"])
        for line in narrow.stdout.split(separator: "\n") {
            #expect(displayWidth(String(line)) <= 80, "\(line)")
        }
        #expect(narrow.stdout.contains("…"))
        // Ids and dates are never cut: free text narrows, and the widest free text goes first.
        for id in ["c-talent", "c-fund", "c-townhall"] { #expect(narrow.stdout.contains("\(id)  ")) }
        for date in ["2023-02-21", "2024-06-30", "2024-12-31"] { #expect(narrow.stdout.contains(date)) }
        // Output that goes to a file or a pipe is never cut.
        let piped = try await consult(["commitments", "--outstanding", "--as-of", "2024-09-01"], database: database)
        #expect(!piped.stdout.contains("…"))
        #expect(piped.stdout.contains("AI 기본법 제정을 추진하겠다."))

        let json = try await consult(
            ["follow-ups", "--all", "--as-of", "2024-09-01", "--format", "json"], database: database)
        #expect(
            json.stdout == """
                [{"commitmentId":"c-gpu","checkOn":"2023-05-01","assignee":"policy-team","note":null,"done":true,"due":false},\
                {"commitmentId":"c-talent","checkOn":"2024-03-01","assignee":"policy-team","note":"발표 여부 확인","done":false,"due":true}]

                """)

        let csv = try await consult(["requests", "--format", "csv"], database: database)
        #expect(
            csv.stdout
                == [
                    "requestId,consultationId,requesterId,addressedToIds,summary,topics,answers,commitmentIds,unanswered",
                    "req-data,forum-1,alliance,msit;kakao,대기업 데이터 공유를 요청했다.,data,2023-04-01:kakao:partially_accepted:일부 데이터만 공유한다.,,false",
                    "req-talent,forum-1,alliance,msit,AI 인재 비자 확대를 요청했다.,talent,,c-talent,false",
                    "req-tax,forum-1,kim,msit,R&D 세액공제 확대를 요청했다.,tax,,,true",
                    "req-gpu,dialogue-3,kim,msit,GPU 클러스터 지원을 요청했다.,compute,,c-gpu,false",
                    "",
                ].joined(separator: "\r\n"))
    }

    /// Columns a terminal gives `text` (Hangul and other East Asian wide characters take two).
    func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let value = scalar.value
            let wide =
                (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
                || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
                || (0xFF00...0xFF60).contains(value)
            return width + (wide ? 2 : 1)
        }
    }
}
