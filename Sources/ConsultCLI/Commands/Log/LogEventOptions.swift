import ArgumentParser
import ConsultDomain
import Foundation

/// The options every `consult log <kind>` takes besides the event's data: how to append it, and
/// the metadata kept with it.
///
/// The metadata note is `--metadata-note`, not `--note`, because `note` is a data field of
/// restatements, progress and follow-ups.
struct LogEventOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The event's id: logging the same event with the same id again is a no-op.", valueName: "uuid"),
        transform: LogFlagValues.uuid)
    var id: UUID?

    @Option(
        help: ArgumentHelp(
            "The version of the event's stream you last saw (0: the record must not exist yet); "
                + "if the stream has moved on, nothing is written (exit 75).",
            valueName: "n"))
    var expectedVersion: Int?

    @Flag(help: "Check the event against the rules and the store, and write nothing.")
    var dryRun = false

    @Option(
        help: ArgumentHelp(
            "Who recorded the event (kept in its metadata); default: the CONSULT_RECORDED_BY environment variable.",
            valueName: "text"))
    var recordedBy: String?

    @Option(help: ArgumentHelp("A note about the record itself (kept in its metadata).", valueName: "text"))
    var metadataNote: String?

    func validate() throws {
        if let expectedVersion, !(0...Int(Int32.max)).contains(expectedVersion) {
            throw ValidationError("--expected-version must be a stream version from 0 to \(Int32.max).")
        }
    }

    /// `{"recordedBy": …, "note": …}`, with only what was given; the recorder is --recorded-by, else
    /// `CONSULT_RECORDED_BY` when it is set and not blank.
    var metadata: JSONObject {
        var metadata = JSONObject()
        metadata["recordedBy"] = (recordedBy ?? Self.recorderFromEnvironment).map(JSONValue.string)
        metadata["note"] = metadataNote.map(JSONValue.string)
        return metadata
    }

    /// `CONSULT_RECORDED_BY`, unless unset or blank.
    static var recorderFromEnvironment: String? {
        guard let value = ProcessInfo.processInfo.environment["CONSULT_RECORDED_BY"],
            !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { return nil }
        return value
    }
}
