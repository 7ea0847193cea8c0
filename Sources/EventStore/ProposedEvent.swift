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

    public init(
        id: UUID = UUID(), type: String, schemaVersion: Int = 1, stream: StreamTarget, expectedVersion: Int? = nil,
        data: String, metadata: String = "{}"
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.data = data
        self.metadata = metadata
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
