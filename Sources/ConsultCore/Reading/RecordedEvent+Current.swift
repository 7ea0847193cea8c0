import ConsultDomain
import EventStore

extension RecordedEvent {
    /// The event's data upcast from the schema version it was stored in to its type's current
    /// one, as the rules and the views read it; nil when the data is not a JSON object.
    public var currentData: JSONObject? {
        guard let data = (try? JSONValue.parse(data))?.objectValue else { return nil }
        guard let type = EventType(rawValue: type) else { return data }
        return Upcasting.upcast(data, of: type, from: schemaVersion)
    }
}
