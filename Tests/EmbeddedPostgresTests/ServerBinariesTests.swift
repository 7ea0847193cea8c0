import Foundation
import Testing

@testable import EmbeddedPostgres

@Suite("Finding the PostgreSQL server programs")
struct ServerBinariesTests {
    @Test func findsTheInstalledServerWithoutPATH() async throws {
        let binaries = try await ServerBinaries.locate(environment: [
            "PATH": "", "HOME": "/nonexistent", "PGDATA": "/bogus",
        ])
        #expect(binaries.directory == "/usr/lib/postgresql/15/bin")
    }

    @Test func resolvesSymbolicLinksOnPATH() async throws {
        let candidates = await ServerBinaries.candidateDirectories(environment: ["PATH": "/nonexistent:/usr/local/bin"])
        #expect(candidates.first == "/usr/lib/postgresql/15/bin")
        #expect(Set(candidates).count == candidates.count)
        let binaries = try await ServerBinaries.locate(environment: ["PATH": "/usr/local/bin"])
        #expect(binaries.directory == "/usr/lib/postgresql/15/bin")
    }

    @Test func noCandidateSaysToInstallPostgreSQL() {
        for candidates in [[], ["/nonexistent/bin", "/usr/bin"]] {
            let error = #expect(throws: EmbeddedPostgresError.self) {
                try ServerBinaries.locate(candidates: candidates)
            }
            #expect(error?.kind == .serverBinariesNotFound)
            #expect(error?.message.contains("install the postgresql package") == true)
        }
    }

    @Test func versionedFoldersAreNewestFirst() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["9.6", "10", "15", "16", "common"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)/bin", withIntermediateDirectories: true)
        }
        #expect(
            ServerBinaries.versionedDirectories(under: root)
                == ["\(root)/16/bin", "\(root)/15/bin", "\(root)/10/bin", "\(root)/9.6/bin"])
    }

    @Test func clientProgramsComeFromTheSameFolder() {
        let binaries = ServerBinaries(directory: "/usr/lib/postgresql/15/bin")
        #expect(binaries.program("psql", environment: [:]) == "/usr/lib/postgresql/15/bin/psql")
        #expect(binaries.program("no-such-program", environment: ["PATH": "/usr/bin"]) == nil)
    }
}
