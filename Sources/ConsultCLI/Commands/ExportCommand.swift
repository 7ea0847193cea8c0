import ArgumentParser
import ConsultDomain
import EventStore
import Foundation

/// `consult export`: the log as JSONL that `consult log --file` takes back.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole log as JSONL that `consult log --file` takes back.",
        discussion: """
            Events come in log order, each with its id, so logging the export into another store reproduces it \
            and logging it again is a no-op. Each line also carries where and when this store recorded the event \
            and its hash ("recorded"); `consult log --file` recomputes the hash chains of such a file and refuses \
            it, writing nothing, if any line was changed, removed or moved. Example: consult export > backup.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let session = try await StoreSession.open(connection, logger: cliLogger)
        try await session.store.exportAll { events in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(events.count * 800)
            for (event, hash) in events {
                try Self.line(for: event, hash: hash).serialize(into: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    /// `{"type":…,"id":…,"data":{…},"metadata":{…},"recorded":{…}}`; metadata only when there is some.
    static func line(for event: RecordedEvent, hash: String) throws -> JSONValue {
        var object = JSONObject()
        object["type"] = .string(event.type)
        object["id"] = .string(event.id.uuidString.lowercased())
        object["data"] = try JSONValue.parse(event.data)
        let metadata = try JSONValue.parse(event.metadata)
        if metadata.objectValue?.isEmpty == false { object["metadata"] = metadata }
        var recorded = JSONObject()
        recorded["stream"] = .string(event.streamID)
        recorded["version"] = .number(String(event.streamVersion))
        recorded["schemaVersion"] = .number(String(event.schemaVersion))
        recorded["recordedAt"] = .string(event.recordedAt)
        recorded["hash"] = .string(hash)
        object["recorded"] = .object(recorded)
        return .object(object)
    }
}
