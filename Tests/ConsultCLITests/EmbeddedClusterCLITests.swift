import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

/// The embedded cluster through the real command: no database settings, a private XDG_DATA_HOME.
@Suite("consult with the embedded cluster", .serialized)
struct EmbeddedClusterCLITests {
    @Test("first use creates it, db stop then a command restarts it, two first uses at once share it")
    func lifecycle() async throws {
        let home = FileManager.default.temporaryDirectory.path + "/ce-\(UUID().uuidString.prefix(8))"
        let environment = ["XDG_DATA_HOME": home]
        func consult(_ arguments: String..., stdin: String? = nil) async throws -> ConsultProcess.Outcome {
            try await ConsultProcess.run(arguments, environment: environment, stdin: stdin.map { Data($0.utf8) })
        }
        defer {
            EmbeddedCluster(folder: home + "/consult", logger: TestDatabase.logger).destroyInBackground(
                thenRemoving: home)
        }

        #expect(try await consult("db", "status").stdout.contains("not created"))
        // Two commands at once on a cluster that does not exist yet: one creates it, the other waits.
        async let first = consult("status")
        async let second = consult("status")
        let both = try await [first, second]
        #expect(both.map(\.status) == [0, 0], "\(both.map(\.stderr))")
        let running = try await consult("db", "status")
        #expect(running.stdout.hasPrefix("running"))

        let folder = home + "/consult"
        let attributes = try FileManager.default.attributesOfItem(atPath: folder)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)

        let line =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government"}}"#
        #expect(try await consult("log", "--file", "-", stdin: line).status == 0)
        #expect(try await consult("db", "stop").status == 0)
        #expect(try await consult("db", "status").stdout.hasPrefix("stopped"))
        // Any command starts it again, and the data is still there.
        let history = try await consult("history", "msit")
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("과학기술정보통신부"))
        let url = try await consult("db", "url")
        #expect(url.stdout.hasPrefix("postgresql://"))
    }
}
