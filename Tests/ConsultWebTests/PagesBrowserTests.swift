import ConsultCore
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The pages in a real browser: the built `consult-server` on a free port over the sample
/// dataset, and headless Chromium reading the DOM and taking screenshots at a phone's width and a
/// desktop's. Chromium is a test prerequisite (`tools/install-prerequisites --tests`): without it
/// the test fails rather than skips, since CI installs it.
@Suite("web: pages in a real browser", .serialized)
struct PagesBrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Where screenshots go: `CONSULT_SCREENSHOTS`, else `.build/web-screenshots/`.
    static var screenshotFolder: URL {
        if let folder = ProcessInfo.processInfo.environment["CONSULT_SCREENSHOTS"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return packageRoot.appendingPathComponent(".build/web-screenshots")
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static var server: URL {
        ConsultProcess.executable.deletingLastPathComponent().appendingPathComponent("consult-server")
    }

    @Test("headless Chromium renders the home, a commitment and a consultation, at phone and desktop widths")
    func browser() async throws {
        guard let chromium = Self.chromium else {
            let message =
                "Chromium is not installed: run tools/install-prerequisites --tests "
                + "(apt-get install -y chromium fonts-noto-cjk)."
            Issue.record(Comment(rawValue: message))
            return
        }
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", APITests.sample], environment: ["CONSULT_DATABASE_URL": database.url])
        try #require(logged.status == 0, "\(logged.stderr)")
        try await PagesTests.catchUp(database)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try Self.freePort()
        let server = try SpawnedProcess.spawn(
            Self.server.path, ["--port", String(port)],
            environment: ConsultProcess.cleanEnvironment().merging(["CONSULT_DATABASE_URL": database.url]) { $1 },
            input: nil, output: folder.appendingPathComponent("server.out").path,
            error: folder.appendingPathComponent("server.err").path)
        defer {
            kill(server.pid, SIGTERM)
            _ = server.isRunning
        }
        try await Self.waitForListening(port: port, server: server, log: folder.appendingPathComponent("server.err"))

        let base = "http://127.0.0.1:\(port)"
        let pages: [(name: String, path: String, expected: [String])] = [
            (
                "home", "/?asOf=2024-06-30",
                [#"id="commitment-msit-hyperscale-ai-policy-2023""#, "약속 계량기", "기한 지남"]
            ),
            (
                "commitment", "/commitments/msit-hyperscale-ai-policy-2023",
                ["초거대AI 산업 정책방향", "제3차 인공지능 최고위 전략대화", #"class="correction""#]
            ),
            (
                "consultation", "/consultations/ai-strategy-dialogue-3",
                ["이종호", #"id="request-dialogue-3-compute-support""#, "카카오판교아지트"]
            ),
        ]
        let output = Self.screenshotFolder
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for page in pages {
            let dom = try await Self.runChromium(
                chromium, ["--dump-dom", base + page.path], folder: folder, name: page.name + "-dom")
            for expected in page.expected {
                #expect(dom.contains(expected), "\(page.name): \(expected) is not in the DOM")
            }
            #expect(dom.contains("</main>"), "\(page.name)")
            for (label, size) in [("phone", "390,844"), ("desktop", "1280,900")] {
                let file = output.appendingPathComponent("\(page.name)-\(label).png")
                try? FileManager.default.removeItem(at: file)
                _ = try await Self.runChromium(
                    chromium, ["--screenshot=\(file.path)", "--window-size=\(size)", base + page.path], folder: folder,
                    name: page.name + "-" + label)
                let data = try Data(contentsOf: file)
                #expect(data.count > 1000, "\(file.path) is too small")
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(file.path) is not a PNG")
                print("screenshot: \(file.path) (\(data.count) bytes)")
            }
        }
    }

    /// Runs Chromium headless with its own profile folder; its standard output, after at most a minute.
    static func runChromium(_ chromium: String, _ arguments: [String], folder: URL, name: String) async throws
        -> String
    {
        let out = folder.appendingPathComponent(name + ".out")
        let err = folder.appendingPathComponent(name + ".err")
        let profile = folder.appendingPathComponent(name + "-profile")
        let child = try SpawnedProcess.spawn(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=\(profile.path)",
            ] + arguments,
            environment: ProcessInfo.processInfo.environment, input: nil, output: out.path, error: err.path)
        let deadline = ContinuousClock.now + .seconds(60)
        while child.isRunning {
            if ContinuousClock.now > deadline {
                kill(child.pid, SIGKILL)
                try await child.wait()
                Issue.record("Chromium did not finish within a minute: \(arguments)")
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if child.terminationStatus != 0 {
            let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            Issue.record("Chromium exited with \(child.terminationStatus ?? -1): \(errors.suffix(2000))")
        }
        return try String(contentsOf: out, encoding: .utf8)
    }

    /// A port nobody listens on now: one the kernel picks for a socket bound to port 0.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits up to a minute for the server to accept connections on `port`.
    static func waitForListening(port: Int, server: SpawnedProcess, log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard server.isRunning else {
                let errors = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw POSIXError(.ECHILD, userInfo: [NSLocalizedDescriptionKey: "consult-server exited: \(errors)"])
            }
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(descriptor)
            if connected { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw POSIXError(.ETIMEDOUT)
    }
}
