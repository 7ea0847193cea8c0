// consult-bench: the in-process measurements of tools/bench (and a CLI the peers' harness can
// drive). Each subcommand prints one JSON object as its last line. The connection is
// --database-url, else CONSULT_DATABASE_URL, else libpq's PG* variables.
import ConsultDomain
import EventStore
import Foundation
import Logging
import Postgres
import Projections
import Synchronization

let logger = Logger(label: "consult-bench")

struct Arguments {
    var values: [String: String] = [:]
    var command = ""

    init(_ arguments: [String]) {
        command = arguments.first ?? ""
        var index = 1
        while index < arguments.count {
            let key = arguments[index]
            if key.hasPrefix("--"), index + 1 < arguments.count {
                values[String(key.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                index += 1
            }
        }
    }

    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))

/// The server, and CONSULT_POOLER as consult reads it (`transaction` measures unnamed statements).
func configuration() -> ConnectionConfiguration {
    var configuration = ConnectionConfiguration.environment
    if let url = arguments.values["database-url"] ?? ProcessInfo.processInfo.environment["CONSULT_DATABASE_URL"] {
        configuration = .url(url)
    }
    configuration.pooler = ProcessInfo.processInfo.environment["CONSULT_POOLER"].flatMap {
        ConnectionConfiguration.Pooler(rawValue: $0)
    }
    return configuration
}

func openStore() async throws -> PostgresEventStore {
    let connection = try await Connection.connect(configuration(), applicationName: "consult-bench", logger: logger)
    try await Migrator(logger: logger).migrate(connection)
    return PostgresEventStore(connection: connection, logger: logger)
}

func emit(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A statement of realistic size (about 450 bytes of Korean JSON, like the peers' payload).
func statementData(_ writer: Int, _ index: Int) -> String {
    let texts = [
        "스타트업이 양질의 데이터와 개발 인력을 확보하기 어렵다는 지적이 나왔고, 정부의 실효성 있는 지원과 대기업과의 협업이 필요하다는 의견이 이어졌다.",
        "고성능 컴퓨팅 지원사업과 AI 반도체 활용 지원사업을 더 키우고 대상별로 나눠 달라는 요청이 있었으며, 장관은 검토하겠다고 답했다.",
    ]
    return """
        {"consultationId":"bench-c\(writer)-\(index / 10)","statementId":"bench-s\(writer)-\(index)",\
        "speakerId":"bench-p\(index % 7)","summary":"\(texts[index % 2])","topics":["data","talent","startups"]}
        """
}

/// `append --events N --writers W`: W writers, each appending N events one per transaction, and one
/// reader tailing the log with the gap-safe read, counting what it sees.
func append() async throws {
    let perWriter = arguments.int("events", 5000)
    let writers = arguments.int("writers", 1)
    let total = perWriter * writers
    let setup = try await openStore()
    let before = try await setup.status().eventCount
    let start = try await setup.status().head ?? .start
    let seen = Mutex<(count: Int, duplicates: Int, ids: Set<UUID>)>((0, 0, []))
    let writing = Atomic<Bool>(true)
    let tail = arguments.int("tail", 1) == 1
    let reader = Task {
        guard tail else { return }
        let store = try await openStore()
        var position = start
        while true {
            let events = try await store.readAll(after: position, limit: 1000)
            if let last = events.last { position = last.logPosition }
            let done = seen.withLock { state in
                for event in events {
                    if state.ids.insert(event.id).inserted { state.count += 1 } else { state.duplicates += 1 }
                }
                return state.count >= total
            }
            if done || (events.isEmpty && !writing.load(ordering: .acquiring) && seen.withLock({ $0.count }) >= total) {
                break
            }
            if events.isEmpty {
                if !writing.load(ordering: .acquiring) {
                    // Give held-back events a moment after the writers stop.
                    try await Task.sleep(for: .milliseconds(20))
                    let status = try await store.status()
                    if status.eventsHeldBack == 0, try await store.readAll(after: position, limit: 1).isEmpty { break }
                } else {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
    }
    let started = now()
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for writer in 0..<writers {
            group.addTask {
                let store = try await openStore()
                var latencies: [Double] = []
                latencies.reserveCapacity(perWriter)
                for index in 0..<perWriter {
                    let event = ProposedEvent(
                        type: "StatementRecorded", stream: .stream("consultation-bench-c\(writer)-\(index / 10)"),
                        data: statementData(writer, index), metadata: #"{"recordedBy":"consult-bench"}"#)
                    let t0 = now()
                    _ = try await store.append([event])
                    latencies.append(now() - t0)
                }
                return latencies
            }
        }
        var all: [Double] = []
        for try await part in group { all += part }
        return all
    }
    let elapsed = now() - started
    writing.store(false, ordering: .releasing)
    try await reader.value
    let after = try await setup.status().eventCount
    let sorted = latencies.sorted()
    let state = tail ? seen.withLock { ($0.count, $0.duplicates) } : (total, 0)
    emit([
        "scenario": writers == 1 ? "append_1" : "append_\(writers)", "events": total, "writers": writers,
        "elapsed_s": elapsed, "events_per_s": Double(total) / elapsed,
        "p50_ms": percentile(sorted, 50) * 1000, "p99_ms": percentile(sorted, 99) * 1000,
        "stored": after - before, "tail_seen": state.0, "tail_missed": total - state.0, "tail_duplicates": state.1,
    ])
}

/// `ext-append --file F`: the peers' harness (ext_cli): one event per transaction from its JSONL
/// ({stream_id, version, type, data, metadata}), through the store's append.
func externalAppend() async throws {
    guard let path = arguments.values["file"] ?? ProcessInfo.processInfo.environment["PEERBENCH_EVENTS_FILE"],
        let text = try? String(contentsOfFile: path, encoding: .utf8)
    else {
        FileHandle.standardError.write(Data("consult-bench: --file is missing or unreadable\n".utf8))
        exit(64)
    }
    let store = try await openStore()
    var events: [ProposedEvent] = []
    for line in text.split(separator: "\n") where !line.isEmpty {
        guard let object = try JSONValue.parse(String(line)).objectValue, let stream = object["stream_id"]?.stringValue
        else { continue }
        events.append(
            ProposedEvent(
                type: object["type"]?.stringValue ?? "StatementRecorded", stream: .stream(stream),
                data: (object["data"] ?? .object(JSONObject())).serialized(),
                metadata: (object["metadata"] ?? .object(JSONObject())).serialized()))
    }
    var latencies: [Double] = []
    let started = now()
    for event in events {
        let t0 = now()
        _ = try await store.append([event])
        latencies.append(now() - t0)
    }
    let elapsed = now() - started
    let sorted = latencies.sorted()
    emit([
        "events": events.count, "elapsed_s": elapsed, "events_per_s": Double(events.count) / elapsed,
        "p50_ms": percentile(sorted, 50) * 1000, "p99_ms": percentile(sorted, 99) * 1000,
    ])
}

/// `read --page 1000`: the whole log in order through the gap-safe read.
func read() async throws {
    let store = try await openStore()
    let page = arguments.int("page", 1000)
    var position = LogPosition.start
    var count = 0
    var bytes = 0
    let started = now()
    while true {
        let events = try await store.readAll(after: position, limit: page)
        guard let last = events.last else { break }
        count += events.count
        for event in events { bytes += event.data.utf8.count }
        position = last.logPosition
    }
    let elapsed = now() - started
    emit([
        "scenario": "read", "events": count, "elapsed_s": elapsed, "events_per_s": Double(count) / elapsed,
        "data_bytes": bytes,
    ])
}

/// `outstanding --reps 20`: `commitments --outstanding` in process (views already up to date).
func outstanding() async throws {
    let store = try await openStore()
    try await ProjectionRunner(store: store).catchUp()
    let model = ReadModel(connection: store.connection)
    var filter = CommitmentFilter()
    filter.outstandingOnly = true
    let date = CalendarDate(arguments.values["as-of"] ?? "2026-11-23") ?? CalendarDate(dayNumber: 20_000)
    var times: [Double] = []
    var rows = 0
    for _ in 0..<arguments.int("reps", 20) {
        let t0 = now()
        rows = try await model.commitments(filter, on: date).count
        times.append(now() - t0)
    }
    let sorted = times.sorted()
    emit([
        "scenario": "outstanding_in_process", "rows": rows, "reps": times.count,
        "p50_ms": percentile(sorted, 50) * 1000, "p95_ms": percentile(sorted, 95) * 1000,
    ])
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
do {
    switch arguments.command {
    case "append": try await append()
    case "ext-append": try await externalAppend()
    case "read": try await read()
    case "outstanding": try await outstanding()
    default:
        FileHandle.standardError.write(
            Data("usage: consult-bench append|ext-append|read|outstanding [--database-url URL] [options]\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("consult-bench: \(error)\n".utf8))
    exit(1)
}
