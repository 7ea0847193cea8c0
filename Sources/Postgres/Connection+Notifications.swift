import CLibPQ
import Foundation

/// A `NOTIFY` received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The backend that sent it.
    public var senderPID: Int
}

extension Connection {
    /// Starts listening on `channel` (a trusted identifier the program chose, not user input).
    public func listen(_ channel: String) throws {
        guard channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresError(kind: .client, message: "\"\(channel)\" is not a plain channel name.")
        }
        try execute(unsafeScript: "LISTEN \(channel)")
    }

    /// Waits up to `timeout` seconds for notifications and returns those that arrived (empty on
    /// timeout). Blocks only this connection's own thread, never the cooperative pool.
    public func waitForNotifications(timeout: Double) throws -> [PostgresNotification] {
        let connection = try requireHandle()
        var received = try drainNotifications(connection)
        guard received.isEmpty else { return received }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else {
            throw PostgresError(kind: .connection, message: "The connection to PostgreSQL is closed.")
        }
        let ready = poll(&descriptor, 1, Int32(max(0, timeout) * 1000))
        if ready < 0 && errno != EINTR {
            throw PostgresError(kind: .connection, message: "Waiting for notifications failed: errno \(errno).")
        }
        received = try drainNotifications(connection)
        return received
    }

    private func drainNotifications(_ connection: OpaquePointer) throws -> [PostgresNotification] {
        guard PQconsumeInput(connection) == 1 else {
            throw PostgresError(
                kind: .connection, message: "Lost the connection to PostgreSQL while waiting for notifications.")
        }
        var notifications: [PostgresNotification] = []
        while let notice = PQnotifies(connection) {
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notice.pointee.relname),
                    payload: notice.pointee.extra.map { String(cString: $0) } ?? "",
                    senderPID: Int(notice.pointee.be_pid)))
            PQfreemem(notice)
        }
        return notifications
    }
}
