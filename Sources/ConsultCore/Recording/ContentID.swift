import ConsultDomain
import EventStore
import Foundation

/// An event id derived from what the event says, for events typed in by people: logging the same
/// event twice (the same command run again) is then recognized as one event, "already recorded",
/// instead of recording it twice. An id given explicitly always wins.
///
/// The id comes from the type and the data only, not the metadata: who recorded the event and
/// their note describe the recording, not the fact. Two people who log the same statement (each
/// with their own `CONSULT_RECORDED_BY`) log one event; the second is told it is already recorded,
/// rather than adding a duplicate progress or a second copy of a statement.
public enum ContentID {
    /// A version-8 UUID (RFC 9562) from the SHA-256 of the type and the data as serialized.
    public static func derive(type: String, data: JSONObject) -> UUID {
        // The text once held the metadata after the data; `{}` keeps the ids of the events logged
        // without metadata what they were.
        var text = "consult-content-id-1\n" + type + "\n"
        text += JSONValue.object(data).serialized() + "\n" + JSONValue.object(JSONObject()).serialized()
        var bytes = Array(SHA256.hash(Array(text.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // the RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
