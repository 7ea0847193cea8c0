import Foundation

/// Which stream an event goes to.
public enum StreamTarget: Sendable, Hashable {
    /// A stream named from the event's data, e.g. `commitment-msit-gpu-2024`.
    case stream(String)
    /// The stream of another event (corrections and retractions go to their target's stream);
    /// the target may be stored already or come earlier in the same batch.
    case streamOfEvent(UUID)
}

/// An event to append.
public struct ProposedEvent: Sendable, Hashable {
    /// Makes the append idempotent: an event whose id is stored already is not written again.
    public var id: UUID
    public var type: String
    public var schemaVersion: Int
    public var stream: StreamTarget
    /// The stream version the writer last saw (0: the stream must not exist yet); nil: no check.
    public var expectedVersion: Int?
    /// The event's data: a JSON object, as text.
    public var data: String
    /// The event's metadata: a JSON object, as text.
    public var metadata: String
    /// The same event as written in an earlier schema version of its type (input in an old shape,
    /// upcast to `data`): an event stored with that version and data has the same content.
    public var earlierForm: Form?
    /// Whether `data` and `metadata` are the texts PostgreSQL prints for them as `jsonb`: then the
    /// writer computes the event's hash and the database checks it once for the whole statement,
    /// instead of computing it row by row (migration 0010).
    public var isJSONBText = false

    /// An event's data in one schema version of its type.
    public struct Form: Sendable, Hashable {
        public var schemaVersion: Int
        /// A JSON object, as text.
        public var data: String

        public init(schemaVersion: Int, data: String) {
            self.schemaVersion = schemaVersion
            self.data = data
        }
    }

    public init(
        id: UUID = UUID(), type: String, schemaVersion: Int = 1, stream: StreamTarget, expectedVersion: Int? = nil,
        data: String, metadata: String = "{}", earlierForm: Form? = nil
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.data = data
        self.metadata = metadata
        self.earlierForm = earlierForm
    }

    /// The event as written in `schemaVersion`: itself, or its earlier form; nil when it has no
    /// form in that version.
    public func form(_ schemaVersion: Int) -> ProposedEvent? {
        if schemaVersion == self.schemaVersion { return self }
        guard let earlierForm, earlierForm.schemaVersion == schemaVersion else { return nil }
        var event = self
        event.schemaVersion = schemaVersion
        event.data = earlierForm.data
        event.earlierForm = nil
        return event
    }
}

/// What happened to one proposed event.
public enum AppendOutcome: Sendable, Hashable {
    /// Written at this global position, as this version of its stream.
    case appended(position: Int64, streamID: String, version: Int)
    /// Its id was stored already with the same content: nothing written.
    case duplicate(position: Int64, streamID: String)

    public var position: Int64 {
        switch self {
        case .appended(let position, _, _), .duplicate(let position, _): position
        }
    }
}
