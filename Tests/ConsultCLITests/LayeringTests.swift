import ConsultDomain
import Foundation
import Testing

/// The layering of ARCHITECTURE.md, checked on the source tree: a change that breaks it fails
/// here, not in review.
@Suite("Layering: who imports whom, where SQL lives, who names the log's tables")
struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every Swift file of `Sources/<module>`, as (path under Sources, text).
    static func sources(of module: String? = nil) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)
        var files: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let path = url.path.replacingOccurrences(of: base.path + "/", with: "")
            if let module, !path.hasPrefix(module + "/") { continue }
            files.append((path, try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// The lines of `text` that are not comments.
    static func codeLines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("//") }
    }

    /// The modules each module may import (besides the standard library, Foundation, Dispatch,
    /// Synchronization and Logging). Arrows point down only; the interfaces never import each other.
    static let allowedImports: [String: Set<String>] = [
        "Postgres": ["CLibPQ"],
        "ConsultDomain": [],
        "EventStore": ["Postgres", "Crypto"],
        "EmbeddedPostgres": ["Subprocess"],
        "Projections": ["EventStore", "ConsultDomain", "Postgres"],
        "ConsultCore": ["Projections", "EventStore", "ConsultDomain", "EmbeddedPostgres", "Postgres"],
        // The CLI names the core's result types, which come from the layers below, but never the
        // database driver. Subprocess starts the pager.
        "ConsultCLI": [
            "ConsultCore", "Projections", "EventStore", "ConsultDomain", "EmbeddedPostgres", "ArgumentParser",
            "Subprocess",
        ],
        "consult": ["ConsultCLI"],
        // The web interface: the core's use cases and result types, and Hummingbird; never the
        // CLI, never the database driver.
        "ConsultWeb": ["ConsultCore", "Projections", "EventStore", "ConsultDomain", "Hummingbird"],
        "consult-server": ["ConsultWeb", "ConsultCore", "ArgumentParser"],
        "ConsultBench": ["Projections", "EventStore", "ConsultDomain", "Postgres"],
    ]
    static let everywhere: Set<String> = ["Foundation", "Dispatch", "Synchronization", "Logging", "Glibc", "Darwin"]

    @Test("each module imports only the layers below it")
    func imports() throws {
        let files = try Self.sources()
        #expect(files.count > 50)
        for (path, text) in files {
            let module = String(path.prefix { $0 != "/" })
            guard let allowed = Self.allowedImports[module] else {
                Issue.record("\(module) is not in the layering table of this test")
                continue
            }
            for match in text.matches(of: #/(?m)^(?:@testable )?import (\w+)/#) {
                let imported = String(match.1)
                #expect(
                    allowed.contains(imported) || Self.everywhere.contains(imported),
                    "\(path) imports \(imported)")
            }
        }
    }

    /// SQL as it starts a statement or a clause, in upper case as this codebase writes it.
    static var sqlPattern: Regex<(Substring, Substring)> {
        #/\b(SELECT .*\bFROM\b|SELECT \w+\(|INSERT INTO \w+|DELETE FROM \w+|UPDATE \w+ SET|CREATE (?:TEMPORARY )?(?:TABLE|INDEX|FUNCTION)|ALTER TABLE|DROP TABLE|COPY \w+|pg_\w+\()/#
    }

    @Test("the command line holds no SQL")
    func noSQLInTheCLI() throws {
        let files = try Self.sources(of: "ConsultCLI")
        #expect(!files.isEmpty)
        for (path, text) in files {
            for line in Self.codeLines(text) {
                #expect(!line.contains(Self.sqlPattern), "\(path) holds SQL: \(line)")
            }
            #expect(!text.contains("PostgresQuery"), "\(path) builds a query")
            #expect(!text.contains(".query("), "\(path) runs a query")
        }
    }

    /// The log's tables and functions (migrations 0001–0008).
    static var logTables: Regex<(Substring, Substring?)> {
        #/(?:\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ON)\s+|')(events|event_stream_heads|consult_log_epochs|consult_migrations)\b|\b(?:consult_log_epoch|consult_lock_records)\(/#
    }

    @Test("only EventStore (and migrations/) names the log's tables in SQL")
    func logTablesOnlyInEventStore() throws {
        for (path, text) in try Self.sources() where !path.hasPrefix("EventStore/") {
            for line in Self.codeLines(text) {
                #expect(!line.contains(Self.logTables), "\(path) names a table of the log: \(line)")
            }
        }
    }

    @Test("EventStore names no domain event")
    func eventStoreKnowsNoEventTypes() throws {
        let files = try Self.sources(of: "EventStore").filter { !$0.path.hasSuffix("EmbeddedMigrations.swift") }
        #expect(!files.isEmpty)
        for (path, text) in files {
            for type in EventType.allCases {
                #expect(!text.contains(type.rawValue), "\(path) names \(type.rawValue)")
            }
            #expect(!text.contains("import ConsultDomain"), "\(path) imports the domain")
        }
    }
}
