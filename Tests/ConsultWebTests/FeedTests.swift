import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// The Atom feeds, read by a real feed parser (Python's feedparser, which
/// `tools/install-prerequisites --tests` installs): they parse cleanly, every entry is an event of
/// the log and links back to its commitment's page, and stored text is inert.
@Suite("web: feeds")
struct FeedTests {
    /// What `consult export` says of each event: its type and stream, by event id.
    static func exportedEvents(_ database: TestDatabase) async throws -> [String: (type: String, stream: String)] {
        let export = try await ConsultProcess.run(["export"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(export.status == 0, "\(export.stderr)")
        var events: [String: (type: String, stream: String)] = [:]
        for line in export.stdout.split(separator: "\n") where line.contains(#""recorded":"#) {
            let object = try #require(try JSONValue.parse(String(line)).objectValue)
            let id = try #require(object["id"]?.stringValue)
            events[id] = (
                try #require(object["type"]?.stringValue),
                try #require(object["recorded"]?.objectValue?["stream"]?.stringValue)
            )
        }
        return events
    }

    @Test("every feed parses with feedparser; each entry is a real event, newest first, linking to its commitment")
    func feedsParseAndLinkBack() async throws {
        let (app, database) = try await APITests.app(APITests.fixtures)
        let events = try await Self.exportedEvents(database)
        // Which events the feed of every commitment holds: the commitments' events but follow-ups,
        // corrections and retractions of them included.
        let followUps = Set(events.filter { $0.value.type == "FollowUpScheduled" }.keys)
        let exportText = try await ConsultProcess.run(["export"], environment: ["CONSULT_DATABASE_URL": database.url])
        var targets: [String: String] = [:]
        for line in exportText.stdout.split(separator: "\n") {
            let object = try #require(try JSONValue.parse(String(line)).objectValue)
            let data = object["data"]?.objectValue
            if let target = data?["correctsEventId"]?.stringValue ?? data?["retractsEventId"]?.stringValue {
                targets[try #require(object["id"]?.stringValue)] = target.lowercased()
            }
        }
        let expected = Set(
            events.filter { id, event in
                event.stream.hasPrefix("commitment-") && !followUps.contains(id)
                    && !(targets[id].map(followUps.contains) ?? false)
            }.keys)
        #expect(expected.count >= 10, "the fixtures should give the feed enough to show")
        #expect(events.values.contains { $0.type == "RecordRetracted" && $0.stream.hasPrefix("commitment-") })

        try await app.test(.router) { client in
            let feeds = [
                "/feeds/commitments.atom", "/feeds/owners/msit.atom", "/feeds/topics/compute.atom",
                "/feeds/commitments/c-gpu.atom",
            ]
            for path in feeds {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                    #expect(response.headers[.contentType] == "application/atom+xml; charset=utf-8")
                    #expect(response.headers[.eTag] != nil)
                    let parsed = try await FeedParser.parse(String(buffer: response.body))
                    #expect(parsed.bozo == 0, "\(path): \(parsed.exception)")
                    #expect(!parsed.entries.isEmpty, "\(path) has no entries")
                    #expect(parsed.selfLink == "http://localhost" + path, "\(path)")
                    var previous: String?
                    for entry in parsed.entries {
                        let id = try #require(entry.id.hasPrefix("urn:uuid:") ? String(entry.id.dropFirst(9)) : nil)
                        let event = try #require(events[id], "\(path): \(entry.id) is no event of the log")
                        let commitment = String(event.stream.dropFirst("commitment-".count))
                        #expect(event.stream.hasPrefix("commitment-"), "\(path): \(entry.title)")
                        #expect(entry.link == "http://localhost/commitments/\(commitment)", "\(path): \(entry.title)")
                        #expect(event.type != "FollowUpScheduled")
                        if let previous { #expect(entry.updated <= previous, "\(path): not newest first") }
                        previous = entry.updated
                    }
                    let ids = Set(parsed.entries.map { String($0.id.dropFirst(9)) })
                    switch path {
                    case "/feeds/commitments.atom":
                        #expect(ids == expected)
                        #expect(parsed.entries.contains { $0.title.hasPrefix("Retraction of ") })
                        #expect(parsed.entries.contains { $0.title.hasPrefix("Correction of ") })
                        #expect(parsed.entries.contains { $0.title.hasPrefix("Commitment made: ") })
                    case "/feeds/commitments/c-gpu.atom":
                        #expect(ids == Set(expected.filter { events[$0]?.stream == "commitment-c-gpu" }))
                    default:
                        #expect(ids.isSubset(of: expected))
                    }
                }
            }
            // limit cuts the newest entries.
            try await client.execute(uri: "/feeds/commitments.atom?limit=2", method: .get) { response in
                #expect(response.status == .ok)
                let parsed = try await FeedParser.parse(String(buffer: response.body))
                #expect(parsed.entries.count == 2)
            }
        }
    }

    @Test(
        "an unknown stakeholder or commitment is a 404, a bad parameter a 400, all problem+json",
        arguments: [
            ("/feeds/owners/nobody.atom", 404), ("/feeds/commitments/no-such-commitment.atom", 404),
            ("/feeds/commitments.atom?limit=0", 400), ("/feeds/commitments.atom?limit=many", 400),
            ("/feeds/commitments.atom?owner=msit", 400), ("/feeds/topics/compute.atom?x=1", 400),
        ])
    func refusals(_ path: String, _ status: Int) async throws {
        let (app, _) = try await APITests.app(APITests.fixtures)
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status.code == status, "\(path): \(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
            }
        }
    }

    @Test("a topic no commitment has is an empty feed that still parses; an unchanged feed answers 304")
    func emptyTopicAndNotModified() async throws {
        let (app, _) = try await APITests.app(APITests.fixtures)
        try await app.test(.router) { client in
            try await client.execute(uri: "/feeds/topics/%EC%97%86%EC%9D%8C.atom", method: .get) { response in
                #expect(response.status == .ok)
                let parsed = try await FeedParser.parse(String(buffer: response.body))
                #expect(parsed.bozo == 0, "\(parsed.exception)")
                #expect(parsed.entries.isEmpty)
                #expect(parsed.title == "Commitments on 없음")
            }
            let tag = try await client.execute(uri: "/feeds/commitments.atom", method: .get) { $0.headers[.eTag] }
            try await client.execute(
                uri: "/feeds/commitments.atom", method: .get, headers: [.ifNoneMatch: try #require(tag)]
            ) { response in
                #expect(response.status == .notModified)
            }
        }
    }

    @Test("hostile stored text is inert in a feed: markup, ]]>, ampersands and characters XML cannot hold")
    func hostileText() async throws {
        let hostile =
            "<script>alert(1)</script> \\\"><img src=x onerror=alert(2)> ]]> & &amp; </title> "
            + "\\u0001\\u0008\\u000b\\u001f\\ufffe\\uffff 끝 \\u202e\\u200b"
        let lines = [
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"evil","name":"<b>Evil</b> & co","kind":"organization","sector":"government"}}"#,
            #"{"type":"ConsultationHeld","data":{"consultationId":"evil-forum","kind":"forum","title":"</title><script>x</script>","date":"2024-01-10","organizerIds":[],"participants":[{"stakeholderId":"evil","role":"host"}],"sources":[{"publisher":"<i>pub</i>","url":"https://example.org/a?b=1&c=2"}]}}"#,
            #"{"type":"CommitmentMade","id":"11111111-1111-4111-8111-111111111111","data":{"commitmentId":"evil-promise","consultationId":"evil-forum","madeById":"evil","ownerId":"evil","summary":"\#(hostile)","topics":["<topic>&"],"due":"2024-06"}}"#,
            #"{"type":"CommitmentProgressed","data":{"commitmentId":"evil-promise","on":"2024-02-01","status":"in_progress","note":"\#(hostile)","evidence":[{"publisher":"p","url":"https://example.org/a?b=<i>&c=\"d\""}],"revisedDue":"2024-12"}}"#,
            #"{"type":"FollowUpScheduled","id":"22222222-2222-4222-8222-222222222222","data":{"commitmentId":"evil-promise","checkOn":"2024-03-01","note":"check"}}"#,
            #"{"type":"RecordCorrected","data":{"correctsEventId":"22222222-2222-4222-8222-222222222222","reason":"wrong day","changes":{"checkOn":"2024-03-02"}}}"#,
            #"{"type":"RecordCorrected","data":{"correctsEventId":"11111111-1111-4111-8111-111111111111","reason":"\#(hostile)","changes":{"due":"2024-07","summary":"Corrected: <em>kept</em> & done"}}}"#,
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (app, _) = try await APITests.app([file.path])
        try await app.test(.router) { client in
            for path in [
                "/feeds/commitments.atom", "/feeds/owners/evil.atom", "/feeds/commitments/evil-promise.atom",
                "/feeds/topics/%3Ctopic%3E%26.atom",
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                    let xml = String(buffer: response.body)
                    #expect(!xml.contains("<script"), "\(path)")
                    #expect(!xml.contains("<img"), "\(path)")
                    #expect(!xml.contains("<b>"), "\(path)")
                    #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(path)")
                    let parsed = try await FeedParser.parse(xml)
                    #expect(parsed.bozo == 0, "\(path): \(parsed.exception)")
                    // The made, progressed and corrected events; not the follow-up nor its correction.
                    #expect(parsed.entries.count == 3, "\(path): \(parsed.entries.map(\.title))")
                    let made = try #require(parsed.entries.first { $0.title.hasPrefix("Commitment made: ") })
                    #expect(made.title.contains("<script>alert(1)</script>"), "\(made.title)")
                    #expect(made.title.contains("]]> & &amp; </title>"), "\(made.title)")
                    #expect(made.title.contains("끝 \u{202E}\u{200B}"), "\(made.title)")
                    #expect(made.content.contains("<script>alert(1)</script>"), "\(made.content)")
                    #expect(made.id == "urn:uuid:11111111-1111-4111-8111-111111111111")
                    #expect(parsed.entries.allSatisfy { $0.link == "http://localhost/commitments/evil-promise" })
                    let correction = try #require(parsed.entries.first { $0.title.hasPrefix("Correction of ") })
                    #expect(correction.title.hasPrefix("Correction of the commitment: "), "\(correction.title)")
                    #expect(correction.content.contains("Now due: 2024-07"), "\(correction.content)")
                    // Every feed names the commitment by its summary as corrected.
                    #expect(
                        parsed.entries.contains {
                            $0.title == "In progress, due revised to 2024-12: Corrected: <em>kept</em> & done"
                        }, "\(path): \(parsed.entries.map(\.title))")
                    #expect(correction.title == "Correction of the commitment: Corrected: <em>kept</em> & done")
                    if path == "/feeds/commitments/evil-promise.atom" {
                        #expect(parsed.title == "Commitment evil-promise: Corrected: <em>kept</em> & done")
                    }
                }
            }
        }
    }

    @Test("XML escaping replaces what XML 1.0 cannot hold; only a plain host makes the links absolute")
    func escapingAndHosts() {
        #expect(AtomFeed.escape("a<b>&\"'c") == "a&lt;b&gt;&amp;&quot;&apos;c")
        #expect(
            AtomFeed.escape("x\u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE}\u{FFFF}y")
                == "x\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}y")
        #expect(AtomFeed.escape("\t\n\r한\u{10000}") == "\t\n\r한\u{10000}")
        for host in ["localhost", "localhost:8080", "example.org", "127.0.0.1:80", "[::1]:8080", "[::1]"] {
            #expect(Feeds.isPlainHost(host), "\(host)")
        }
        for host in ["", "evil.org/x", "a\"b", "a b", "x:port", "[::1", "[<x>]", "host:123456", "호스트", "a@b"] {
            #expect(!Feeds.isPlainHost(host), "\(host)")
        }
        #expect(Feeds.percentEncoded("a b/ç") == "a%20b%2F%C3%A7")
    }
}

/// Python's feedparser on a feed document, as the tests read its answer.
enum FeedParser {
    struct Parsed {
        var bozo: Int
        var exception: String
        var title: String
        var selfLink: String?
        var entries: [Entry]
    }

    struct Entry {
        var id: String
        var link: String
        var title: String
        var content: String
        var updated: String
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static let script = """
        import json, sys
        try:
            import feedparser
        except ImportError:
            print(json.dumps({"missing": True}))
            sys.exit(0)
        with open(sys.argv[1], "rb") as f:
            d = feedparser.parse(f.read())
        links = [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"]
        print(json.dumps({
            "bozo": 1 if d.bozo else 0,
            "exception": str(d.get("bozo_exception", "")),
            "title": d.feed.get("title", ""),
            "self": links[0] if links else None,
            "entries": [{
                "id": e.get("id", ""), "link": e.get("link", ""), "title": e.get("title", ""),
                "content": (e.get("content") or [{}])[0].get("value", ""), "updated": e.get("updated", ""),
            } for e in d.entries],
        }))
        """

    /// Parses `xml` with feedparser; a clear failure when Python or feedparser is missing.
    static func parse(_ xml: String) async throws -> Parsed {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let feed = folder.appendingPathComponent("feed.atom")
        let script = folder.appendingPathComponent("parse.py")
        let output = folder.appendingPathComponent("out.json")
        try xml.write(to: feed, atomically: true, encoding: .utf8)
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let ran: (status: Int32, stderr: String)
        do {
            ran = try await SpawnedProcess.run(
                "/usr/bin/env", ["python3", script.path, feed.path], output: output.path)
        } catch {
            throw Missing(
                description: "python3 could not be started (\(error)); run tools/install-prerequisites --tests.")
        }
        let text = try String(contentsOf: output, encoding: .utf8)
        guard ran.status == 0, let object = try? JSONValue.parse(text).objectValue else {
            throw Missing(description: "python3 failed on the feed (status \(ran.status)): \(text)\(ran.stderr)")
        }
        if object["missing"] != nil {
            throw Missing(
                description: "Python's feedparser is not installed: run tools/install-prerequisites --tests "
                    + "(or python3 -m pip install feedparser).")
        }
        return Parsed(
            bozo: Int(object["bozo"].flatMap { if case .number(let n) = $0 { n } else { nil } } ?? "1") ?? 1,
            exception: object["exception"]?.stringValue ?? "",
            title: object["title"]?.stringValue ?? "",
            selfLink: object["self"]?.stringValue,
            entries: (object["entries"]?.arrayValue ?? []).map { value in
                let entry = value.objectValue ?? JSONObject()
                return Entry(
                    id: entry["id"]?.stringValue ?? "", link: entry["link"]?.stringValue ?? "",
                    title: entry["title"]?.stringValue ?? "", content: entry["content"]?.stringValue ?? "",
                    updated: entry["updated"]?.stringValue ?? "")
            })
    }
}
