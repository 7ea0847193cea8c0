import Foundation
import TestSupport
import Testing

/// Filters that take a stakeholder accept its id, name or alias, and say so when nothing has it,
/// instead of answering "No commitments match".
@Suite("filters by stakeholder name or alias")
struct FilterNameTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/sample-dataset.jsonl").path

    func consult(_ arguments: [String], database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    @Test("--owner and --to take an id, a name or an alias; anything else is refused with suggestions")
    func namesAndAliases() async throws {
        let database = try await TestDatabase.create()
        #expect(try await consult(["log", "--file", Self.sample], database: database).status == 0)
        let byID = try await consult(["commitments", "--owner", "msit", "--format", "json"], database: database)
        #expect(byID.status == 0)
        #expect(byID.stdout.contains("msit-hyperscale-ai-policy-2023"))
        for other in ["MSIT", "과학기술정보통신부", "msit"] {
            let named = try await consult(["commitments", "--owner", other, "--format", "json"], database: database)
            #expect(named.status == 0, "\(other): \(named.stderr)")
            #expect(named.stdout == byID.stdout, "\(other)")
        }
        let requests = try await consult(["requests", "--to", "msit", "--format", "json"], database: database)
        let aliased = try await consult(["requests", "--to", "MSIT", "--format", "json"], database: database)
        #expect(aliased.status == 0 && aliased.stdout == requests.stdout && requests.stdout != "[]\n")

        let partial = try await consult(["commitments", "--owner", "과기"], database: database)
        #expect(partial.status == 64)
        #expect(partial.stderr.contains("No stakeholder has the id 과기 for --owner; did you mean msit (과학기술정보통신부)"))
        let unknown = try await consult(["requests", "--to", "nobody-at-all"], database: database)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("consult stakeholders lists them"))

        let never = try await consult(["commitments", "--outstanding", "--status", "fulfilled"], database: database)
        #expect(never.status == 64)
        #expect(never.stderr.contains("can never match"))
    }
}
