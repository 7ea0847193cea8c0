import ArgumentParser
import ConsultCore
import Foundation

/// How `log correction` and `log retraction` may name their event without its uuid: a record and
/// a version of its history (what `consult history ID` shows).
struct EventByRecordOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Instead of the event's id: the record whose event it is (with --record-version).", valueName: "id")
    )
    var record: String?

    // Not --version: every command takes that for consult's own version.
    @Option(
        name: .customLong("record-version"),
        help: ArgumentHelp(
            "With --record: the event's version in the record's history (consult history ID).", valueName: "n"))
    var version: Int?

    /// The event is named one way: by its id (`flag`), or by --record with --record-version.
    func validate(eventID: UUID?, flag: String) throws {
        switch (eventID, record, version) {
        case (.some, nil, nil), (nil, .some, .some): return
        case (.some, _, _):
            throw ValidationError("Give either \(flag) or --record with --record-version, not both.")
        case (nil, .some, nil):
            throw ValidationError("--record needs --record-version: the event's version in consult history ID.")
        case (nil, nil, .some):
            throw ValidationError("--record-version needs --record: the id of the record whose event it is.")
        case (nil, nil, nil):
            throw ValidationError(
                "Name the event: \(flag) UUID, or --record ID --record-version N (see consult history ID).")
        }
    }

    /// The event's id: `given`, or the one at --record-version of --record's history.
    func eventID(given: UUID?, access: StoreAccess) async throws -> UUID? {
        guard let record, let version else { return given }
        return try await RecordHistory.eventID(record: record, version: version, access: access)
    }
}
