import ConsultCLI
import ConsultDomain
import Foundation
import TestSupport
import Testing

/// `consult log <kind>`: one event from flags, run as a real process against a database of the
/// test's own, and read back through `consult export`.
@Suite("consult log <kind>")
struct LogKindTests {
    /// One `consult log <kind>` invocation of the record built below, and what it must store and say.
    struct Step {
        var arguments: [String]
        var type: String
        var stream: String
        /// The event's data as JSON text, in any key order.
        var data: String
        /// The line for people that must follow "Recorded …".
        var says: String
    }

    static let consultationEventID = "7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b01"
    static let statementEventID = "7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b02"
    static let commitmentEventID = "7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b03"

    /// A small record from the seed articles, one step per kind: stakeholders, a consultation and
    /// what was said, asked, answered and promised there, then follow-up, a correction and a retraction.
    static let steps: [Step] = [
        Step(
            arguments: [
                "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
                "--sector", "government", "--alias", "MSIT", "--alias", "과기정통부", "--recorded-by", "tests",
                "--metadata-note", "seed 001",
            ],
            type: "StakeholderRegistered", stream: "stakeholder-msit",
            data: #"""
                {"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government",
                 "aliases":["MSIT","과기정통부"]}
                """#,
            says: "stakeholder msit is registered: 과학기술정보통신부 (organization, government)"),
        Step(
            arguments: [
                "stakeholder", "--stakeholder-id", "lee-jong-ho", "--name", "이종호", "--kind", "person", "--sector",
                "government", "--affiliation-id", "msit",
            ],
            type: "StakeholderRegistered", stream: "stakeholder-lee-jong-ho",
            data: #"""
                {"stakeholderId":"lee-jong-ho","name":"이종호","kind":"person","sector":"government",
                 "affiliationId":"msit"}
                """#,
            says: "stakeholder lee-jong-ho is registered: 이종호 (person, government), of msit"),
        Step(
            arguments: [
                "stakeholder", "--stakeholder-id", "baek-sang-yeop", "--name", "백상엽", "--kind", "person",
                "--sector", "large_company", "--title", "카카오엔터프라이즈 대표",
            ],
            type: "StakeholderRegistered", stream: "stakeholder-baek-sang-yeop",
            data: #"""
                {"stakeholderId":"baek-sang-yeop","name":"백상엽","kind":"person","sector":"large_company",
                 "title":"카카오엔터프라이즈 대표"}
                """#,
            says: "stakeholder baek-sang-yeop is registered: 백상엽 (person, large_company), 카카오엔터프라이즈 대표"),
        Step(
            arguments: [
                "stakeholder", "--stakeholder-id", "kim-young-sik", "--name", "김영식", "--kind", "person", "--sector",
                "legislature", "--title", "국회의원", "--party", "국민의힘",
            ],
            type: "StakeholderRegistered", stream: "stakeholder-kim-young-sik",
            data: #"""
                {"stakeholderId":"kim-young-sik","name":"김영식","kind":"person","sector":"legislature",
                 "title":"국회의원","party":"국민의힘"}
                """#,
            says: "stakeholder kim-young-sik is registered: 김영식 (person, legislature), 국회의원, 국민의힘"),
        Step(
            arguments: [
                "change", "--stakeholder-id", "lee-jong-ho", "--on", "2023-03-08", "--title", "과학기술정보통신부 장관",
                "--sector", "government",
            ],
            type: "StakeholderChanged", stream: "stakeholder-lee-jong-ho",
            data: #"""
                {"stakeholderId":"lee-jong-ho","on":"2023-03-08","title":"과학기술정보통신부 장관","sector":"government"}
                """#,
            says: "stakeholder lee-jong-ho from 2023-03-08: title 과학기술정보통신부 장관, sector government"),
        Step(
            arguments: [
                "consultation", "--consultation-id", "ai-strategy-dialogue-3", "--kind", "strategy_dialogue",
                "--title", "제3차 인공지능 최고위 전략대화", "--date", "2023-03-08", "--venue", "카카오판교아지트",
                "--organizer-id", "msit", "--participant", "lee-jong-ho:host", "--participant",
                "baek-sang-yeop:speaker", "--source",
                "publisher=뉴스토마토,title=글로벌 AI 산업 선도, 정부 지원에 달려있어,url=https://www.etomato.com/a?b=1,"
                    + "publishedOn=2023-03-08",
                "--id", consultationEventID,
            ],
            type: "ConsultationHeld", stream: "consultation-ai-strategy-dialogue-3",
            data: #"""
                {"consultationId":"ai-strategy-dialogue-3","kind":"strategy_dialogue","title":"제3차 인공지능 최고위 전략대화",
                 "startsOn":"2023-03-08","venue":"카카오판교아지트","organizerIds":["msit"],
                 "participants":[{"stakeholderId":"lee-jong-ho","role":"host"},
                                 {"stakeholderId":"baek-sang-yeop","role":"speaker"}],
                 "sources":[{"publisher":"뉴스토마토","title":"글로벌 AI 산업 선도, 정부 지원에 달려있어",
                             "url":"https://www.etomato.com/a?b=1","publishedOn":"2023-03-08"}]}
                """#,
            says: "consultation ai-strategy-dialogue-3 (strategy_dialogue) held on 2023-03-08, 2 participants, 1 source"
        ),
        Step(
            arguments: [
                "statement", "--consultation-id", "ai-strategy-dialogue-3", "--statement-id", "baek-speed",
                "--speaker-id", "baek-sang-yeop", "--summary", "성장 속도를 늦추면 글로벌 기업과의 격차가 벌어진다고 경고",
                "--quote", "기회와 위기는 동전의 양면", "--topic", "global", "--topic", "startups", "--id",
                statementEventID,
            ],
            type: "StatementRecorded", stream: "consultation-ai-strategy-dialogue-3",
            data: #"""
                {"consultationId":"ai-strategy-dialogue-3","statementId":"baek-speed","speakerId":"baek-sang-yeop",
                 "summary":"성장 속도를 늦추면 글로벌 기업과의 격차가 벌어진다고 경고","topics":["global","startups"],
                 "quote":"기회와 위기는 동전의 양면"}
                """#,
            says: "statement baek-speed by baek-sang-yeop is on record in consultation ai-strategy-dialogue-3 "
                + "(topics: global, startups)"),
        Step(
            arguments: [
                "request", "--consultation-id", "ai-strategy-dialogue-3", "--request-id", "kakao-more-support",
                "--requester-id", "baek-sang-yeop", "--addressed-to-id", "msit", "--addressed-to-id", "lee-jong-ho",
                "--summary", "고성능 컴퓨팅 지원사업을 확대하고 세분화해 달라고 요청",
            ],
            type: "RequestMade", stream: "request-kakao-more-support",
            data: #"""
                {"consultationId":"ai-strategy-dialogue-3","requestId":"kakao-more-support",
                 "requesterId":"baek-sang-yeop","addressedToIds":["msit","lee-jong-ho"],
                 "summary":"고성능 컴퓨팅 지원사업을 확대하고 세분화해 달라고 요청","topics":[]}
                """#,
            says: "request kakao-more-support from baek-sang-yeop to msit and lee-jong-ho awaits an answer"),
        Step(
            arguments: [
                "commitment", "--commitment-id", "msit-hyperscale-ai-policy-2023", "--consultation-id",
                "ai-strategy-dialogue-3", "--made-by-id", "lee-jong-ho", "--owner-id", "msit", "--summary",
                "업계 제언을 바탕으로 초거대AI 산업 정책방향 발표", "--topic", "compute", "--due", "2023-03",
                "--due-text", "이달 중", "--responds-to-request-id", "kakao-more-support", "--id", commitmentEventID,
            ],
            type: "CommitmentMade", stream: "commitment-msit-hyperscale-ai-policy-2023",
            data: #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","consultationId":"ai-strategy-dialogue-3",
                 "madeById":"lee-jong-ho","ownerId":"msit","summary":"업계 제언을 바탕으로 초거대AI 산업 정책방향 발표",
                 "topics":["compute"],"due":"2023-03","dueText":"이달 중","respondsToRequestIds":["kakao-more-support"]}
                """#,
            says: #"commitment msit-hyperscale-ai-policy-2023 is open, due by 2023-03-31 ("이달 중")"#),
        Step(
            arguments: [
                "answer", "--request-id", "kakao-more-support", "--on", "2023-03-08", "--answered-by-id",
                "lee-jong-ho", "--outcome", "accepted", "--reason", "이달 중 정책방향을 발표하겠다고 화답",
                "--commitment-id", "msit-hyperscale-ai-policy-2023", "--evidence",
                "publisher=뉴스토마토,publishedOn=2023-03-08",
            ],
            type: "RequestAnswered", stream: "request-kakao-more-support",
            data: #"""
                {"requestId":"kakao-more-support","on":"2023-03-08","answeredById":"lee-jong-ho","outcome":"accepted",
                 "reason":"이달 중 정책방향을 발표하겠다고 화답","commitmentIds":["msit-hyperscale-ai-policy-2023"],
                 "evidence":[{"publisher":"뉴스토마토","publishedOn":"2023-03-08"}]}
                """#,
            says: "request kakao-more-support: accepted by lee-jong-ho on 2023-03-08, "
                + "with commitment msit-hyperscale-ai-policy-2023"),
        Step(
            arguments: [
                "restatement", "--commitment-id", "msit-hyperscale-ai-policy-2023", "--consultation-id",
                "ai-strategy-dialogue-3", "--by-id", "lee-jong-ho", "--on", "2023-03-08", "--note", "인사말에서 재확인",
            ],
            type: "CommitmentRestated", stream: "commitment-msit-hyperscale-ai-policy-2023",
            data: #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","consultationId":"ai-strategy-dialogue-3",
                 "byId":"lee-jong-ho","on":"2023-03-08","note":"인사말에서 재확인"}
                """#,
            says: "commitment msit-hyperscale-ai-policy-2023 restated by lee-jong-ho at consultation "
                + "ai-strategy-dialogue-3 on 2023-03-08"),
        Step(
            arguments: [
                "progress", "--commitment-id", "msit-hyperscale-ai-policy-2023", "--on", "2023-04-03", "--status",
                "in_progress", "--note", "초안 보완 중", "--evidence", "publisher=과학기술정보통신부", "--revised-due",
                "2023-04", "--assessment", "self_reported",
            ],
            type: "CommitmentProgressed", stream: "commitment-msit-hyperscale-ai-policy-2023",
            data: #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","on":"2023-04-03","status":"in_progress",
                 "note":"초안 보완 중","evidence":[{"publisher":"과학기술정보통신부"}],"revisedDue":"2023-04",
                 "assessment":"self_reported"}
                """#,
            says: "commitment msit-hyperscale-ai-policy-2023 is now in_progress, due date revised to 2023-04-30"),
        Step(
            arguments: [
                "follow-up", "--commitment-id", "msit-hyperscale-ai-policy-2023", "--check-on", "2023-05-02",
                "--assignee", "policy team", "--note", "4월 중 발표 여부 확인",
            ],
            type: "FollowUpScheduled", stream: "commitment-msit-hyperscale-ai-policy-2023",
            data: #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","checkOn":"2023-05-02","assignee":"policy team",
                 "note":"4월 중 발표 여부 확인"}
                """#,
            says: "check-in on commitment msit-hyperscale-ai-policy-2023 set for 2023-05-02 (policy team)"),
        Step(
            arguments: [
                "correction", "--corrects-event-id", consultationEventID, "--reason", "보도자료로 확인",
                "--change", "venue=null", "--change", #"organizer-ids=["msit","baek-sang-yeop"]"#, "--change",
                "title=제3차 AI 최고위 전략대화",
            ],
            type: "RecordCorrected", stream: "consultation-ai-strategy-dialogue-3",
            data: #"""
                {"correctsEventId":"7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b01","reason":"보도자료로 확인",
                 "changes":{"venue":null,"organizerIds":["msit","baek-sang-yeop"],"title":"제3차 AI 최고위 전략대화"}}
                """#,
            says: #"event 7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b01 in consultation-ai-strategy-dialogue-3 now has "#
                + #"organizerIds ["msit","baek-sang-yeop"], title "제3차 AI 최고위 전략대화"; venue removed"#),
        Step(
            arguments: ["retraction", "--retracts-event-id", statementEventID, "--reason", "같은 발언을 두 번 기록함"],
            type: "RecordRetracted", stream: "consultation-ai-strategy-dialogue-3",
            data: #"""
                {"retractsEventId":"7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b02","reason":"같은 발언을 두 번 기록함"}
                """#,
            says: "event 7d4f2c4e-3b8a-4d6e-9a51-0c2f1e6b9b02 in consultation-ai-strategy-dialogue-3 is retracted: "
                + "views treat it as never recorded"),
    ]

    func consult(_ arguments: [String], database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    func log(_ arguments: [String], database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await consult(["log"] + arguments, database: database)
    }

    func eventCount(_ database: TestDatabase) async throws -> Int64? {
        let status = try await consult(["status", "--format", "json"], database: database)
        return try JSONValue.parse(status.stdout).arrayValue?.first?.objectValue?["eventCount"]?.int64Value
    }

    /// Objects with their keys sorted, so that data compares whatever order jsonb gave it.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            .object(JSONObject(object.members.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case .array(let elements):
            .array(elements.map(canonical))
        default:
            value
        }
    }

    @Test("every kind records the event its flags describe, and export gives the same data back")
    func everyKindRoundTrips() async throws {
        let database = try await TestDatabase.create()
        var versions: [String: Int] = [:]
        var printedIDs: [String] = []
        for (offset, step) in Self.steps.enumerated() {
            let outcome = try await log(step.arguments, database: database)
            #expect(outcome.status == 0, "\(step.arguments[0]): \(outcome.stderr)")
            let version = versions[step.stream, default: 0] + 1
            versions[step.stream] = version
            let lines = outcome.stdout.split(separator: "\n").map(String.init)
            let recorded = "Recorded \(step.type) in \(step.stream), version \(version), position \(offset + 1) (event "
            #expect(lines.count == 2 && lines[0].hasPrefix(recorded) && lines[0].hasSuffix(")."), "\(lines)")
            #expect(lines.last == step.says, "\(step.arguments[0])")
            printedIDs.append(String(lines[0].dropFirst(recorded.count).dropLast(2)))
        }

        let exported = try await consult(["export"], database: database)
        #expect(exported.status == 0)
        let events = try exported.stdout.split(separator: "\n").filter { $0.contains(#""recorded":"#) }.map {
            try JSONValue.parse(String($0))
        }
        try #require(events.count == Self.steps.count)
        for (step, event) in zip(Self.steps, events) {
            let object = try #require(event.objectValue)
            #expect(object["type"] == .string(step.type))
            let data = try #require(object["data"])
            #expect(Self.canonical(data) == Self.canonical(try JSONValue.parse(step.data)), "\(step.type)")
        }
        // Each `log` printed the id of the event it recorded.
        #expect(events.map { $0.objectValue?["id"]?.stringValue ?? "" } == printedIDs)
        // Metadata from --recorded-by and --metadata-note; ids from --id.
        #expect(
            events[0].objectValue?["metadata"]
                == .object(JSONObject([("note", .string("seed 001")), ("recordedBy", .string("tests"))])))
        #expect(events[5].objectValue?["id"] == .string(Self.consultationEventID))

        // The commitment's event is the one to correct for a wrong due date, the everyday correction.
        let correction = try await log(
            [
                "correction", "--corrects-event-id", Self.commitmentEventID, "--reason", "발표 시점 확인",
                "--change", "due=2023-04",
            ], database: database)
        #expect(correction.status == 0, "\(correction.stderr)")
    }

    @Test("--dry-run writes nothing; the same --id twice is a no-op reported as already recorded")
    func dryRunAndIdempotence() async throws {
        let database = try await TestDatabase.create()
        let registration = [
            "stakeholder", "--stakeholder-id", "startup-alliance", "--name", "스타트업얼라이언스", "--kind",
            "organization", "--sector", "association",
        ]
        let dryRun = try await log(registration + ["--dry-run"], database: database)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout == "The event passes the rules (dry run: nothing was written).\n")
        #expect(try await eventCount(database) == 0)
        // A dry run still checks the rules.
        let invalidDryRun = try await log(
            [
                "statement", "--consultation-id", "none", "--statement-id", "s", "--speaker-id", "nobody", "--summary",
                "요약", "--dry-run",
            ], database: database)
        #expect(invalidDryRun.status == 65)

        let id = ["--id", "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"]
        let first = try await log(registration + id, database: database)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Recorded StakeholderRegistered in stakeholder-startup-alliance, version 1, "))
        let again = try await log(registration + id, database: database)
        #expect(again.status == 0, "\(again.stderr)")
        // Positions are not consecutive: the dry run's rolled-back insert used one.
        #expect(again.stdout.hasPrefix("Already recorded (same id) at position "))
        #expect(try await eventCount(database) == 1)

        // The same id with other content is refused.
        let changed = try await log(
            registration.map { $0 == "association" ? "startup" : $0 } + id, database: database)
        #expect(changed.status == 65)
        #expect(changed.stderr.contains("stored already with different content"))
        #expect(!changed.stderr.lowercased().contains("line 1"))
    }

    @Test("usage errors exit 64, rule violations 65 naming the field, stale versions 75; nothing is written")
    func failures() async throws {
        let database = try await TestDatabase.create()
        let registered = try await log(
            [
                "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
                "--sector", "government",
            ], database: database)
        #expect(registered.status == 0, "\(registered.stderr)")
        let consultation = [
            "consultation", "--consultation-id", "forum", "--kind", "forum", "--title", "인공지능 생태계 활성화를 위한 전문가 토론회",
            "--date", "2022-04-21",
        ]

        let usage: [(arguments: [String], mentions: String)] = [
            (Array(consultation.dropLast(2)) + ["--source", "publisher=아이뉴스24"], "--date"),
            (consultation, "--source"),
            (consultation + ["--source", "아이뉴스24"], "KEY=VALUE"),
            (consultation + ["--source", "publisher=아이뉴스24,reporter=박진영"], "reporter"),
            (consultation + ["--source", "publisher=a,publisher=b"], "twice"),
            (consultation + ["--source", "publisher=아이뉴스24", "--participant", "msit"], "--participant"),
            (consultation + ["--source", "publisher=아이뉴스24", "--id", "not-a-uuid"], "UUID"),
            (["change", "--stakeholder-id", "msit", "--on", "2023-03-08"], "Say what changed"),
            (
                ["correction", "--corrects-event-id", "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3", "--reason", "r"],
                "--change"
            ),
            (["correction", "--corrects-event-id", "x", "--reason", "r", "--change", "due=2025"], "UUID"),
            (["retraction", "--retracts-event-id", "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"], "--reason"),
            (
                [
                    "request", "--consultation-id", "forum", "--request-id", "r", "--requester-id", "msit", "--summary",
                    "s",
                ],
                "--addressed-to-id"
            ),
        ]
        for (arguments, mention) in usage {
            let outcome = try await log(arguments, database: database)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.stderr.contains(mention), "\(arguments): \(outcome.stderr)")
        }

        let held = try await log(consultation + ["--source", "publisher=아이뉴스24"], database: database)
        #expect(held.status == 0, "\(held.stderr)")
        let unknownSpeaker = try await log(
            [
                "statement", "--consultation-id", "forum", "--statement-id", "choi-talent", "--speaker-id",
                "choi-jae-sik", "--summary", "해외 AI 인재 유치 환경을 만들자고 제안",
            ], database: database)
        #expect(unknownSpeaker.status == 65)
        #expect(unknownSpeaker.stderr.hasPrefix("consult: The event breaks the rules; nothing was written.\n"))
        // Errors name the flag that was typed, not the event's JSON path.
        #expect(unknownSpeaker.stderr.contains(#"--speaker-id: stakeholder "choi-jae-sik" is not recorded"#))
        #expect(!unknownSpeaker.stderr.contains("data."))
        #expect(!unknownSpeaker.stderr.lowercased().contains("line"), "\(unknownSpeaker.stderr)")
        #expect(!unknownSpeaker.stderr.contains("The input"))
        let badValues = try await log(
            [
                "stakeholder", "--stakeholder-id", "Choi Jae-sik", "--name", "최재식", "--kind", "human", "--sector",
                "academia",
            ], database: database)
        #expect(badValues.status == 65)
        #expect(badValues.stderr.contains("--stakeholder-id: "), "\(badValues.stderr)")
        #expect(!badValues.stderr.contains("data."))
        let badDate = try await log(
            ["change", "--stakeholder-id", "msit", "--on", "2023-02-30", "--title", "장관"], database: database)
        #expect(badDate.status == 65)
        #expect(badDate.stderr.contains(#"--on: "2023-02-30" is not a real calendar date"#))
        let badChange = try await log(
            [
                "correction", "--corrects-event-id", "00000000-0000-4000-8000-000000000001", "--reason", "r",
                "--change", "due=soon",
            ], database: database)
        #expect(badChange.status == 65)
        #expect(!badChange.stderr.contains("data."), "\(badChange.stderr)")

        let stale = try await log(
            [
                "change", "--stakeholder-id", "msit", "--on", "2023-03-08", "--name", "과기정통부", "--expected-version",
                "0",
            ], database: database)
        #expect(stale.status == 75)
        #expect(stale.stderr.contains("Stream stakeholder-msit is at version 1, not the expected 0"), "\(stale.stderr)")
        #expect(!stale.stderr.contains("safe to retry"))
        #expect(stale.stderr.contains("then log again with --expected-version 1"))
        #expect(stale.stderr.contains("Since version 0, stakeholder-msit got: v1 StakeholderRegistered (event "))
        #expect(!stale.stderr.lowercased().contains("line"))
        #expect(try await eventCount(database) == 2)

        let current = try await log(
            [
                "change", "--stakeholder-id", "msit", "--on", "2023-03-08", "--name", "과기정통부", "--expected-version",
                "1",
            ], database: database)
        #expect(current.status == 0, "\(current.stderr)")
        #expect(
            current.stdout.hasPrefix("Recorded StakeholderChanged in stakeholder-msit, version 2, position 3 (event "))
    }

    @Test("a correction or retraction names its event by id, or by record and version")
    func recordAndVersion() async throws {
        let database = try await TestDatabase.create()
        let register = [
            "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
            "--sector", "government",
        ]
        #expect(try await log(register, database: database).status == 0)
        let corrected = try await log(
            ["correction", "--record", "msit", "--record-version", "1", "--reason", "약칭", "--change", "name=과기정통부"],
            database: database)
        #expect(corrected.status == 0, "\(corrected.stderr)")
        let history = try await consult(["history", "msit", "--format", "json"], database: database)
        let events =
            try JSONValue.parse(history.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        let first = events.first?.objectValue?["id"]?.stringValue
        #expect(events.last?.objectValue?["data"]?.objectValue?["correctsEventId"]?.stringValue == first)

        let missing = try await log(
            ["retraction", "--record", "msit", "--record-version", "7", "--reason", "x"], database: database)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("stakeholder-msit has versions 1–2, not 7"), "\(missing.stderr)")
        let both = try await log(
            [
                "retraction", "--retracts-event-id", first ?? "", "--record", "msit", "--record-version", "1",
                "--reason", "x",
            ],
            database: database)
        #expect(both.status == 64)
        let neither = try await log(["retraction", "--reason", "x"], database: database)
        #expect(neither.status == 64)
        #expect(neither.stderr.contains("--record ID --record-version N"))
    }

    @Test("the same command run twice records one event; --id, or other content, makes another")
    func sameCommandTwice() async throws {
        let database = try await TestDatabase.create()
        let register = [
            "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
            "--sector", "government",
        ]
        #expect(try await log(register, database: database).status == 0)
        let change = ["change", "--stakeholder-id", "msit", "--on", "2023-03-08", "--title", "부처"]
        let first = try await log(change, database: database)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try await log(change, database: database)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("Already recorded (same id) at position 2 (event "), "\(again.stdout)")
        #expect(try await eventCount(database) == 2)
        // Other content is another event; so is the same content under an explicit new id.
        #expect(try await log(change + ["--party", "없음"], database: database).status == 0)
        #expect(try await log(change + ["--id", UUID().uuidString], database: database).status == 0)
        #expect(try await eventCount(database) == 4)
    }

    @Test("the recorder comes from CONSULT_RECORDED_BY; the same event by another recorder is already recorded")
    func recorderFromEnvironment() async throws {
        let database = try await TestDatabase.create()
        func log(_ arguments: [String], by recorder: String?, stdin: Data? = nil) async throws
            -> ConsultProcess.Outcome
        {
            var environment = ["CONSULT_DATABASE_URL": database.url]
            environment["CONSULT_RECORDED_BY"] = recorder
            return try await ConsultProcess.run(["log"] + arguments, environment: environment, stdin: stdin)
        }
        let register = [
            "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
            "--sector", "government",
        ]
        let first = try await log(register, by: "analyst@example.org")
        #expect(first.status == 0, "\(first.stderr)")
        // Another person logging the same event: one event, theirs is "already recorded", and the
        // flag wins over the variable without making it another event either.
        let second = try await log(register, by: "editor@example.org")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("Already recorded (same id) at position 1 "), "\(second.stdout)")
        #expect(second.stdout.contains(", by analyst@example.org."), "\(second.stdout)")
        let flagged = try await log(register + ["--recorded-by", "someone"], by: "editor@example.org")
        #expect(flagged.stdout.hasPrefix("Already recorded (same id) at position 1 "), "\(flagged.stdout)")
        // The flag wins; a blank variable is no recorder.
        let change = ["change", "--stakeholder-id", "msit", "--on", "2023-03-08", "--title", "부처"]
        #expect(try await log(change + ["--recorded-by", "tests"], by: "analyst@example.org").status == 0)
        #expect(try await log(change + ["--party", "없음"], by: " ").status == 0)
        // log --file never adds a recorder: an event is stored as the file has it, so that an
        // export logs back as it was.
        let line =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"kakao","name":"카카오","kind":"organization","sector":"large_company"}}"#
        #expect(try await log(["--file", "-"], by: "analyst@example.org", stdin: Data(line.utf8)).status == 0)

        let exported = try await consult(["export"], database: database)
        let metadata = try exported.stdout.split(separator: "\n").filter { $0.contains(#""recorded":"#) }.map {
            try JSONValue.parse(String($0)).objectValue?["metadata"] ?? .null
        }
        let recorders = metadata.map { $0.objectValue?["recordedBy"]?.stringValue }
        #expect(recorders == ["analyst@example.org", "tests", nil, nil], "\(exported.stdout)")
        #expect(metadata[2] == .null && metadata[3] == .null, "\(exported.stdout)")
    }

    @Test("every missing flag is named at once, as the usage shows them; nothing is written")
    func missingFlags() async throws {
        let database = try await TestDatabase.create()
        let some = try await log(
            ["consultation", "--consultation-id", "x", "--kind", "forum", "--source", "publisher=P"],
            database: database)
        #expect(some.status == 64)
        #expect(
            some.stderr.hasPrefix("Error: Missing --title and --date; see consult log consultation --help.\n"),
            "\(some.stderr)")
        for command in LogKindCommands.all {
            let kind = command.configuration.commandName ?? ""
            let help = try await log([kind, "--help"], database: database)
            let usage = help.stdout.split(separator: "\n").first { $0.hasPrefix("USAGE: ") } ?? ""
            // The flags after [<options>], but for the other way of naming an event.
            let words = usage.split(separator: " ").map(String.init)
            let flags = words.filter { word in
                (word.hasPrefix("--") || word.hasPrefix("(--")) && word != "--record" && word != "--record-version"
            }
            let required: [String] = flags.map { flag in
                flag.hasPrefix("(") ? String(flag.dropFirst()) + " (or --record ID --record-version N)" : flag
            }
            #expect(!required.isEmpty, "\(kind): \(usage)")
            let none = try await log([kind], database: database)
            #expect(none.status == 64, "\(kind)")
            let listed =
                required.count == 1
                ? required[0] : required.dropLast().joined(separator: ", ") + " and " + (required.last ?? "")
            #expect(
                none.stderr.hasPrefix("Error: Missing \(listed); see consult log \(kind) --help.\n"),
                "\(kind): \(none.stderr)")
        }
        #expect(try await eventCount(database) == 0)
    }

    @Test("flag values: sources keep commas in titles, changes are JSON only where JSON is meant")
    func flagValues() throws {
        let source = try LogFlagValues.source("title=AI, 데이터,publisher=뉴스토마토,published-on=2023-03-08")
        #expect(
            source
                == .object(
                    JSONObject([
                        ("publisher", .string("뉴스토마토")), ("title", .string("AI, 데이터")),
                        ("publishedOn", .string("2023-03-08")),
                    ])))
        #expect(throws: (any Error).self) { try LogFlagValues.source("") }
        #expect(throws: (any Error).self) { try LogFlagValues.source("publisher=a,Publisher=b") }

        let changes: [(String, String, JSONValue)] = [
            ("due=2025", "due", .string("2025")),
            ("due=null", "due", .null),
            ("due-text=이달 중", "dueText", .string("이달 중")),
            (#"topics=["data","talent"]"#, "topics", .array([.string("data"), .string("talent")])),
            (#"summary="quoted""#, "summary", .string("quoted")),
            ("summary=[초안] 정정", "summary", .string("[초안] 정정")),
            ("summary=true", "summary", .string("true")),
            ("summary=a=b", "summary", .string("a=b")),
        ]
        for (text, field, value) in changes {
            let change = try LogFlagValues.change(text)
            #expect(change.field == field, "\(text)")
            #expect(change.value == value, "\(text)")
        }
        #expect(throws: (any Error).self) { try LogFlagValues.change("due") }

        let participant = try LogFlagValues.participant("lee-jong-ho:host")
        #expect(
            participant
                == .object(JSONObject([("stakeholderId", .string("lee-jong-ho")), ("role", .string("host"))])))
        for bad in ["lee-jong-ho", "lee-jong-ho:", ":host", "a:b:c"] {
            #expect(throws: (any Error).self, "\(bad)") { try LogFlagValues.participant(bad) }
        }
    }

    @Test("every subcommand's help carries an example of itself")
    func helpExamples() async throws {
        for command in LogKindCommands.all {
            let name = command.configuration.commandName ?? ""
            #expect(command.configuration.discussion.contains("  consult log \(name) "), "\(name)")
        }
        let help = try await ConsultProcess.run(["log", "follow-up", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("consult log follow-up --commitment-id msit-hyperscale-ai-policy-2023"))
    }
}
