import ConsultCore
import ConsultDomain
import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

/// The sample dataset (examples/sample-dataset.jsonl, from the five seed articles) and `consult demo`.
///
/// The expected values below were derived by reading the articles, not by running the code:
///
/// - Commitments. One article reports a promise. In the 2023-03-08 strategy dialogue (뉴스토마토)
///   the minister of science and ICT, 이종호, promised ("약속하기도 했습니다") to announce the
///   hyperscale-AI industry policy direction "이달 중" (this month): owner MSIT, due 2023-03; no
///   article reports the announcement, so it stays open, and overdue on any date after 2023-03-31.
///   The Seoul AI Hub director (IT조선, 2024-11-28) stated plans, not promises ("마련하고자 한다",
///   "만들 계획이다", "만들어보려고 한다"): first recorded as three commitments, they are retracted
///   in the second reading (issue 16) and his plans recorded as statements. So one outstanding
///   commitment of government and public institutions, with no progress.
/// - Requests. 21 in all: 6 at the 2022 forum (talent support, data sharing, data incentives,
///   startup programmes, visas, and the start-up industry's call for detailed policy support to
///   grow with large companies), 4 at the strategy dialogue (compute and AI-chip programmes,
///   engineers and vouchers, API access and open source, 백상엽's appeal for continued attention),
///   9 in the five-expert interviews (R&D tax, public data, talent plan, coordination council, GPU
///   cluster, AI chips, AI law, and the experts' joint calls for company subsidies and for help in
///   securing global talent), 2 in the op-ed (open data, fair valuation). The minister's promise
///   answers the dialogue's three asks for policy ("업계의 제언들을 바탕으로"), not the appeal for
///   attention; the other 18 are unanswered.
/// - Statements per consultation: forum 6 (정윤혁 2, 최재식 2, 윤석원 2), the minister's roundtable and
///   the vice-minister's town hall 0 (the article only mentions them), strategy dialogue 5
///   (백상엽 2, 이세영 1, 이종호 1, and the industry's confidence that it can match ChatGPT),
///   interviews 6 (이은주 2, one each for the other four), op-ed 6 (the first four, then the
///   author's agreement that narrow fields leave room for small firms and his car-image example),
///   Seoul AI Hub interview 8 (five, then his three plans: generative-AI programmes, AX support
///   with mentoring and consulting, a more active role).
@Suite("the sample dataset and consult demo")
struct SampleDatasetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let file = root.appendingPathComponent("examples/sample-dataset.jsonl")

    func consult(_ arguments: [String], database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    func json(_ outcome: ConsultProcess.Outcome) throws -> [JSONObject] {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try JSONValue.parse(outcome.stdout).arrayValue?.compactMap(\.objectValue) ?? []
    }

    @Test("the binary embeds examples/sample-dataset.jsonl as it is (tools/sample-dataset writes both)")
    func embeddedCopy() throws {
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(SampleDataset.jsonl + "\n" == text)
    }

    @Test("the dataset logs and verifies; logging it twice changes nothing")
    func logsTwice() async throws {
        let database = try await TestDatabase.create()
        let first = try await consult(["log", "--file", Self.file.path], database: database)
        #expect(first.status == 0, "\(first.stderr)")
        let lines = try String(contentsOf: Self.file, encoding: .utf8).split(separator: "\n").count
        #expect(first.stdout.contains("Recorded \(lines) events"))
        let exported = try await consult(["export"], database: database)
        let second = try await consult(["log", "--file", Self.file.path], database: database)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Recorded no new events"))
        #expect(try await consult(["export"], database: database).stdout == exported.stdout)
        let verified = try await consult(["verify"], database: database)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    static let firstEdition = root.appendingPathComponent("Tests/ConsultCLITests/Fixtures/sample-dataset-v1.jsonl")

    /// The ids of a JSONL file's events (or of an export's), in order.
    static func eventIDs(_ text: String) throws -> [String] {
        try text.split(separator: "\n").compactMap { line in
            try JSONValue.parse(String(line)).objectValue?["id"]?.stringValue
        }
    }

    @Test("a store that logged the first edition (92 events) gets only the new events, and the views of a fresh one")
    func upgradesFromFirstEdition() async throws {
        let old = try Self.eventIDs(String(contentsOf: Self.firstEdition, encoding: .utf8))
        let new = try Self.eventIDs(String(contentsOf: Self.file, encoding: .utf8))
        // Every published event stays as it was: the first edition is a prefix of the new one.
        #expect(old.count == 92)
        #expect(Array(new.prefix(old.count)) == old)
        let added = Array(new.dropFirst(old.count))

        let upgraded = try await TestDatabase.create()
        #expect(try await consult(["log", "--file", Self.firstEdition.path], database: upgraded).status == 0)
        let second = try await consult(["log", "--file", Self.file.path], database: upgraded)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Recorded \(added.count) events"), "\(second.stdout)")
        #expect(second.stdout.contains("\(old.count) events were already recorded (same id), skipped"))
        // Exactly the file's events are stored, in its order: no event twice, none refused or changed.
        let exported = try await consult(["export"], database: upgraded)
        #expect(try Self.eventIDs(exported.stdout) == new)
        let third = try await consult(["log", "--file", Self.file.path], database: upgraded)
        #expect(third.stdout.contains("Recorded no new events"), "\(third.stdout)")
        let verified = try await consult(["verify"], database: upgraded)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

        let fresh = try await TestDatabase.create()
        #expect(try await consult(["log", "--file", Self.file.path], database: fresh).status == 0)
        for read in [
            ["commitments", "--as-of", "2026-01-01"], ["commitments", "--as-of", "2024-12-01", "--outstanding"],
            ["requests"], ["follow-ups", "--all"], ["stakeholders"], ["consultations"], ["search", "AI"],
            ["history", "seoul-ai-hub-genai-programs"], ["history", "interviews-2024-ai-law"],
        ] {
            let arguments = read + ["--format", "json"]
            let before = try await consult(arguments, database: upgraded)
            let after = try await consult(arguments, database: fresh)
            #expect(before.status == 0 && after.status == 0, "\(read): \(before.stderr)\(after.stderr)")
            if read[0] == "history" {
                // Recording times differ between the two stores; the events, their positions and
                // their data do not.
                func events(_ outcome: ConsultProcess.Outcome) throws -> [JSONObject] {
                    try json(outcome).map { event in
                        var event = event
                        event["recordedAt"] = nil
                        return event
                    }
                }
                let stored = try events(before)
                #expect(stored.count >= 2, "\(read)")
                #expect(try stored == events(after), "\(read)")
            } else {
                #expect(before.stdout == after.stdout, "\(read.joined(separator: " ")) differs")
            }
        }
    }

    @Test("outstanding government commitments, unanswered requests, statements per consultation")
    func answers() async throws {
        let database = try await TestDatabase.create()
        #expect(try await consult(["log", "--file", Self.file.path], database: database).status == 0)
        var outstanding: [JSONObject] = []
        for sector in ["government", "public_institution"] {
            outstanding += try json(
                try await consult(
                    ["commitments", "--outstanding", "--sector", sector, "--as-of", "2026-01-01", "--format", "json"],
                    database: database))
        }
        let ids = outstanding.compactMap { $0["commitmentId"]?.stringValue }
        #expect(ids == ["msit-hyperscale-ai-policy-2023"])
        // The director's plans, retracted as commitments, are nowhere among them on any view.
        let every = try json(try await consult(["commitments", "--format", "json"], database: database))
        #expect(every.compactMap { $0["commitmentId"]?.stringValue } == ["msit-hyperscale-ai-policy-2023"])
        let msit = try #require(
            outstanding.first { $0["commitmentId"]?.stringValue == "msit-hyperscale-ai-policy-2023" })
        #expect(msit["dueBy"] == .string("2023-03-31"))
        #expect(msit["dueText"] == .string("이달 중"))
        #expect(msit["schedule"] == .string("overdue"))
        #expect(msit["makerTitle"] == .string("과학기술정보통신부 장관"))
        #expect(msit["status"] == .string("open"))
        // Corrected: the article does not say what the policy will contain, only its name.
        #expect(msit["topics"] == .array([.string("hyperscale-ai")]))
        #expect(outstanding.allSatisfy { $0["lastNote"] == .null })
        // Before its due-by, on the day after it was made, the promise was not yet overdue.
        let early = try json(
            try await consult(["commitments", "--as-of", "2023-03-09", "--format", "json"], database: database))
        #expect(early.map { $0["commitmentId"]?.stringValue } == ["msit-hyperscale-ai-policy-2023"])
        #expect(early.first?["schedule"] == .string("due_soon"))

        let requests = try json(try await consult(["requests", "--format", "json"], database: database))
        #expect(requests.count == 21)
        let unanswered = try json(
            try await consult(["requests", "--unanswered", "--format", "json"], database: database))
        #expect(unanswered.count == 18)
        let answered = Set(requests.compactMap { $0["requestId"]?.stringValue })
            .subtracting(unanswered.compactMap { $0["requestId"]?.stringValue })
        #expect(
            answered == ["dialogue-3-compute-support", "dialogue-3-engineers-vouchers", "dialogue-3-startup-ecosystem"])

        let consultations = try json(try await consult(["consultations", "--format", "json"], database: database))
        var statements: [String: String] = [:]
        for consultation in consultations {
            statements[consultation["consultationId"]?.stringValue ?? ""] = consultation["statements"]?.serialized()
        }
        #expect(
            statements == [
                "agilesoda-op-ed-2020": "6", "ai-ecosystem-expert-forum-2022": "6",
                "msit-minister-expert-roundtable-2023": "0", "msit-hyperscale-ai-town-hall-2023": "0",
                "ai-strategy-dialogue-3": "5", "k-ai-expert-interviews-2024": "6", "seoul-ai-hub-interview-2024": "8",
            ])
        // The call for an AI industry law names no addressee; a law needs the legislature too.
        let assembly = try json(
            try await consult(["requests", "--to", "national-assembly", "--format", "json"], database: database))
        #expect(assembly.compactMap { $0["requestId"]?.stringValue } == ["interviews-2024-ai-law"])
        // Every consultation cites its article.
        let sources = try await consult(
            ["history", "ai-ecosystem-expert-forum-2022", "--format", "json"], database: database)
        #expect(sources.stdout.contains("아이뉴스24"))
    }

    @Test("consult demo, run as a new user would: the embedded cluster, a fresh data directory")
    func demo() async throws {
        let home = FileManager.default.temporaryDirectory.path + "/cd-\(UUID().uuidString.prefix(8))"
        defer {
            EmbeddedCluster(folder: home + "/consult", logger: TestDatabase.logger).destroyInBackground(
                thenRemoving: home)
        }
        let first = try await ConsultProcess.run(["demo"], environment: ["XDG_DATA_HOME": home])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Loaded the sample dataset"))
        #expect(first.stdout.contains("Outstanding commitments of government and public institutions"))
        #expect(first.stdout.contains("OWNER"))
        #expect(first.stdout.contains("과학기술정보통신부"))
        #expect(first.stdout.contains("이종호 (과학기술정보통신부 장관)"))
        #expect(first.stdout.contains("overdue"))
        #expect(first.stdout.contains("no progress recorded"))
        #expect(first.stdout.contains("requests --unanswered"))
        let again = try await ConsultProcess.run(["demo"], environment: ["XDG_DATA_HOME": home])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("The sample dataset is loaded"))
    }
}
