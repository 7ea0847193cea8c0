import ConsultDomain
import EventStore
import Foundation
import Projections

/// What the web's Atom feeds show: the events of commitments (made, restated, progressed with
/// revised dues, corrected, retracted), newest first, each described for a person. Follow-ups
/// are the tracker's own schedule, not news of the commitment: they, and the corrections and
/// retractions of them, are left out.
public enum CommitmentFeed {
    /// Whose commitments a feed follows.
    public enum Scope: Sendable, Hashable {
        /// Every commitment.
        case all
        /// The commitments this stakeholder owns.
        case owner(String)
        /// The commitments with this topic.
        case topic(String)
        /// One commitment.
        case commitment(String)
    }

    /// One event of a feed.
    public struct Entry: Sendable {
        public var event: RecordedEvent
        /// The commitment whose stream holds the event.
        public var commitmentID: String
        /// That commitment's summary now (as corrected; a retracted one's own).
        public var summary: String
        /// One line: what happened, and to which commitment.
        public var title: String
        /// What the event says, as plain text (lines).
        public var text: String
    }

    /// How many entries a feed holds when not told; at most `maximumLimit`.
    public static let defaultLimit = 200
    public static let maximumLimit = 1000

    static let excludedTypes = [EventType.followUpScheduled.rawValue]
    static let referenceFields = ["correctsEventId", "retractsEventId"]

    /// The newest `limit` entries of `scope`; nil when the scope names no stakeholder or commitment.
    /// A topic that no commitment has is an empty feed: topics are free tags.
    public static func entries(_ scope: Scope, read: ReadSession, limit: Int = defaultLimit) async throws -> [Entry]? {
        let store = read.session.store
        // Whose streams; for an owner or a topic, the commitments the view lists, with their summaries.
        var summaries: [String: String] = [:]
        let streams: StreamSelection
        switch scope {
        case .all:
            streams = .prefixed(RecordKind.commitment.streamID(""))
        case .commitment(let id):
            streams = .named([RecordKind.commitment.streamID(id)])
        case .owner(let id):
            guard try await read.model.stakeholderNames().contains(where: { $0.id == id }) else { return nil }
            var filter = CommitmentFilter()
            filter.ownerID = id
            (streams, summaries) = try await listed(filter, read: read)
        case .topic(let topic):
            var filter = CommitmentFilter()
            filter.topic = topic
            (streams, summaries) = try await listed(filter, read: read)
        }
        let events = try await store.newestEvents(
            in: streams, excludedTypes: excludedTypes, referenceFields: referenceFields, limit: max(0, limit))
        if case .commitment = scope, events.isEmpty { return nil }
        // The events the corrections and retractions shown refer to, to say what they change.
        var byID: [String: RecordedEvent] = [:]
        for event in events { byID[event.id.uuidString.lowercased()] = event }
        let missing = Set(events.compactMap(RecordHistory.targets)).subtracting(byID.keys)
        for event in try await store.events(ids: missing.compactMap(UUID.init(uuidString:))) {
            byID[event.id.uuidString.lowercased()] = event
        }
        // The other summaries from the commitments' own streams (only those the entries show, not
        // every commitment in the view): as made, as corrected since; a retracted one keeps its own.
        let unnamed = Set(events.map { RecordKind.commitment.recordID(ofStream: $0.streamID) })
            .subtracting(summaries.keys)
        if !unnamed.isEmpty {
            let streamEvents = try await store.readStreams(unnamed.sorted().map { RecordKind.commitment.streamID($0) })
            summaries.merge(Self.summaries(streamEvents)) { current, _ in current }
        }
        return events.map { event in
            let id = RecordKind.commitment.recordID(ofStream: event.streamID)
            let summary = summaries[id] ?? id
            let described = describe(event, summary: summary, byID: byID)
            return Entry(
                event: event, commitmentID: id, summary: summary, title: described.title, text: described.text)
        }
    }

    /// The streams of the commitments the view lists today under `filter`, and their summaries.
    static func listed(_ filter: CommitmentFilter, read: ReadSession) async throws -> (
        StreamSelection, [String: String]
    ) {
        let rows = try await read.model.commitments(filter, on: TimeArguments.today())
        var summaries: [String: String] = [:]
        for row in rows { summaries[row.state.commitmentID] = row.state.summary }
        return (.named(rows.map { RecordKind.commitment.streamID($0.state.commitmentID) }), summaries)
    }

    /// Each commitment's summary in `events` (its streams, in log order): the `CommitmentMade`'s,
    /// or the last correction of it that changes the summary.
    static func summaries(_ events: [RecordedEvent]) -> [String: String] {
        var made: [String: String] = [:]
        var summaries: [String: String] = [:]
        for event in events {
            let id = RecordKind.commitment.recordID(ofStream: event.streamID)
            let data = data(of: event)
            switch EventType(rawValue: event.type) {
            case .commitmentMade?:
                made[event.id.uuidString.lowercased()] = id
                if let summary = data["summary"]?.stringValue { summaries[id] = summary }
            case .recordCorrected?:
                if let target = RecordHistory.targets(of: event), made[target] == id,
                    let summary = data["changes"]?.objectValue?["summary"]?.stringValue
                {
                    summaries[id] = summary
                }
            default: break
            }
        }
        return summaries
    }

    /// A title and a text for `event`, a commitment's event; `byID` holds the events a correction
    /// or retraction may refer to.
    static func describe(_ event: RecordedEvent, summary: String, byID: [String: RecordedEvent]) -> (
        title: String, text: String
    ) {
        let data = data(of: event)
        func string(_ field: String) -> String? { data[field]?.stringValue }
        var lines: [String] = []
        func line(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("\(label): \(value)") }
        }
        switch EventType(rawValue: event.type) {
        case .commitmentMade?:
            lines.append(string("summary") ?? summary)
            line("Owner", string("ownerId"))
            line("Made by", string("madeById"))
            line("Consultation", string("consultationId"))
            line("Made on", string("on"))
            line("Due", [string("due"), string("dueText").map { "“\($0)”" }].compactMap { $0 }.joined(separator: " "))
            line("Topics", strings(data["topics"]).joined(separator: ", "))
            return ("Commitment made: \(string("summary") ?? summary)", lines.joined(separator: "\n"))
        case .commitmentRestated?:
            line("Restated by", string("byId"))
            line("Consultation", string("consultationId"))
            line("On", string("on"))
            line("Note", string("note"))
            return ("Commitment restated: \(summary)", lines.joined(separator: "\n"))
        case .commitmentProgressed?:
            let status = string("status") ?? ""
            line("On", string("on"))
            line("Status", status)
            line("Due revised to", string("revisedDue"))
            line("Note", string("note"))
            line("Reason", string("reason"))
            line("Assessment", string("assessment"))
            for source in data["evidence"]?.arrayValue ?? [] {
                let fields = source.objectValue ?? JSONObject()
                line(
                    "Evidence",
                    ["publisher", "title", "url", "publishedOn"].compactMap { fields[$0]?.stringValue }.joined(
                        separator: ", "))
            }
            let revised = string("revisedDue").map { ", due revised to \($0)" } ?? ""
            return ("\(statusLabel(status))\(revised): \(summary)", lines.joined(separator: "\n"))
        case .recordCorrected?:
            line("Reason", string("reason"))
            for (key, value) in data["changes"]?.objectValue ?? JSONObject() {
                line("Now \(key)", value.stringValue ?? value.serialized())
            }
            return ("Correction of \(target(of: event, byID: byID)): \(summary)", lines.joined(separator: "\n"))
        case .recordRetracted?:
            line("Reason", string("reason"))
            return ("Retraction of \(target(of: event, byID: byID)): \(summary)", lines.joined(separator: "\n"))
        default:
            return ("\(event.type): \(summary)", "")
        }
    }

    /// What a correction or retraction refers to, in words.
    static func target(of event: RecordedEvent, byID: [String: RecordedEvent]) -> String {
        guard let id = RecordHistory.targets(of: event), let target = byID[id] else { return "an earlier event" }
        switch EventType(rawValue: target.type) {
        case .commitmentMade?: return "the commitment"
        case .commitmentRestated?: return "a restatement"
        case .commitmentProgressed?:
            return "a progress report (\(data(of: target)["status"]?.stringValue ?? "status unknown"))"
        case .recordCorrected?: return "a correction"
        case .recordRetracted?: return "a retraction"
        default: return "a \(target.type) event"
        }
    }

    /// A status as a title starts with it: `in_progress` → `In progress`.
    static func statusLabel(_ status: String) -> String {
        let words = status.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func data(of event: RecordedEvent) -> JSONObject {
        event.currentData ?? JSONObject()
    }

    static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
