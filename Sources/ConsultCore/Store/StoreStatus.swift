import ConsultDomain
import EventStore
import Foundation
import Projections

/// `consult status`: the log's size and position, what holds readers back, each view's checkpoint.
public struct StoreStatus: Sendable {
    public var log: LogStatus
    public var views: [ViewStatus]

    /// The status as `status --format json` prints it (one object).
    public var json: JSONObject {
        let status = log
        var object = JSONObject()
        object["eventCount"] = .number(String(status.eventCount))
        object["lastPosition"] = status.lastPosition.map { .number(String($0)) } ?? .null
        object["readableHead"] = status.head.map { .string($0.description) } ?? .null
        object["eventsHeldBack"] = .number(String(status.eventsHeldBack))
        if let writer = status.oldestWriter {
            var transaction = JSONObject()
            transaction["pid"] = .number(String(writer.pid))
            transaction["state"] = .string(writer.state)
            transaction["secondsOpen"] = .number(String(Int(writer.secondsOpen)))
            transaction["applicationName"] = .string(writer.applicationName)
            object["oldestOpenWriter"] = .object(transaction)
        } else {
            object["oldestOpenWriter"] = .null
        }
        object["views"] = .array(
            views.map { view in
                var item = JSONObject()
                item["name"] = .string(view.name)
                item["version"] = .number(String(view.version))
                item["checkpoint"] = view.checkpoint.map { .string($0.description) } ?? .null
                item["eventsApplied"] = .number(String(view.eventsApplied))
                item["lag"] = .number(String(view.lag))
                item["updatedAt"] = .string(view.updatedAt)
                return .object(item)
            })
        return object
    }

    /// How many events the log holds: the total a progress line counts towards.
    public static func eventCount(_ access: StoreAccess) async throws -> Int {
        try await access.withSession { Int(try await $0.store.status().eventCount) }
    }

    /// Reads the status (the views' tables are created first where missing).
    public static func load(_ access: StoreAccess) async throws -> StoreStatus {
        try await access.withSession { try await load($0) }
    }

    /// Reads the status on an open session.
    public static func load(_ session: StoreSession) async throws -> StoreStatus {
        let log = try await session.store.status()
        let runner = ProjectionRunner(store: session.store)
        try await runner.prepare()
        return StoreStatus(log: log, views: try await runner.status())
    }
}
