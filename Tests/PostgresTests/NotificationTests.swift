import Foundation
import Postgres
import TestSupport
import Testing

@Suite("LISTEN and NOTIFY")
struct NotificationTests {
    @Test("a listener is woken by a NOTIFY sent after another session's commit, and times out otherwise")
    func wakesAndTimesOut() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let listener = try await database.connect()
        try await listener.listen("consult_events")
        let quiet = ContinuousClock.now
        #expect(try await listener.waitForNotifications(timeout: 0.2).isEmpty)
        #expect(ContinuousClock.now - quiet >= .milliseconds(150))

        let sender = try await database.connect()
        async let woken = listener.waitForNotifications(timeout: 10)
        try await Task.sleep(for: .milliseconds(100))
        try await sender.notify(channel: "consult_events", payload: "42")
        let notifications = try await woken
        #expect(notifications.map(\.channel) == ["consult_events"])
        #expect(notifications.first?.payload == "42")
    }

    @Test("channel names are identifiers, never SQL")
    func channelNames() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let listener = try await database.connect()
        await #expect(throws: PostgresError.self) { try await listener.listen("x; DROP TABLE y") }
    }
}
