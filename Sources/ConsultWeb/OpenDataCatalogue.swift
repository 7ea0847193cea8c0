import ConsultCore
import ConsultDomain
import Projections

/// What `/data` says about each open-data file and each of its fields: the meanings are SPEC.md's
/// (Vocabulary, Time, Events, Views). A test checks that every key a row has is described here.
enum OpenDataCatalogue {
    struct Field {
        var name: String
        var meaning: String
    }

    struct File {
        var path: String
        var mediaType: String
        var title: String
        var description: String
        var fields: [Field]
    }

    static var files: [File] {
        [
            File(
                path: "/data/commitments.csv", mediaType: "text/csv; charset=utf-8", title: "Commitments (CSV)",
                description:
                    "One row per commitment, as consult commitments --format csv writes it: RFC 4180, CRLF line "
                    + "ends, a header row, lists joined with ;. Takes the filters of /api/v1/commitments "
                    + "(outstanding, overdue, status, owner, sector, topic) and asOf, recordedAsOf.",
                fields: commitmentFields),
            File(
                path: "/data/commitments.json", mediaType: "application/json; charset=utf-8",
                title: "Commitments (JSON)",
                description:
                    "The same rows as a JSON array of objects, as consult commitments --format json writes it; "
                    + "the same parameters.",
                fields: commitmentFields),
            File(
                path: "/data/requests.csv", mediaType: "text/csv; charset=utf-8", title: "Requests (CSV)",
                description:
                    "One row per request, as consult requests --format csv writes it. Takes unanswered, to, "
                    + "topic, asOf and recordedAsOf. In CSV, each answer is its on, answeredById, outcome and "
                    + "reason joined with :, and answers are joined with ;.",
                fields: requestFields),
            File(
                path: "/data/events.jsonl", mediaType: "application/x-ndjson",
                title: "The whole log (JSON Lines)",
                description:
                    "Every event ever recorded, one JSON object a line, in log order, exactly as consult export "
                    + "writes it; consult log --file or consult restore takes it back, and each line's hash "
                    + "chains it to the one before in its stream, so a changed, missing or moved line is "
                    + "detected. After the events, one head line per stream in the file (sorted by stream id) "
                    + "and an end line, so a file cut short is detected too. Takes since (a log position, or a "
                    + "time) for the events after it.",
                fields: eventFields),
        ]
    }

    static let commitmentFields: [Field] = [
        Field(name: "commitmentId", meaning: "The commitment's id (a slug), permanent: /commitments/{id} shows it."),
        Field(name: "summary", meaning: "The promise, in the recorder's words."),
        Field(name: "ownerId", meaning: "The organization that owns the promise (a stakeholder id)."),
        Field(name: "ownerName", meaning: "The owner's name."),
        Field(
            name: "ownerSector",
            meaning: "The owner's sector: government, legislature, public_institution, large_company, startup, "
                + "academia, association, civil_society, media or other."),
        Field(name: "madeById", meaning: "The stakeholder who made the promise on the owner's behalf."),
        Field(name: "makerName", meaning: "The maker's name."),
        Field(name: "makerTitle", meaning: "The title the maker held on the day the commitment was made."),
        Field(name: "consultationId", meaning: "The consultation where the promise was made."),
        Field(name: "consultationTitle", meaning: "That consultation's title."),
        Field(
            name: "consultationKind",
            meaning: "That consultation's kind: forum, roundtable, strategy_dialogue, town_hall, hearing, interview, "
                + "op_ed, press_release, public_comment, meeting or other."),
        Field(name: "madeOn", meaning: "The date the promise was made (YYYY-MM-DD)."),
        Field(
            name: "due",
            meaning: "The due value first given: a day (2023-03-31), a month (2023-03) or a year (2025); empty "
                + "when none was given."),
        Field(name: "dueText", meaning: "The words the due was given in, e.g. 이달 중 (this month)."),
        Field(name: "originalDueBy", meaning: "The last day the first due covers; a correction of due changes it."),
        Field(name: "dueBy", meaning: "The last day of the due in force now: a progress report may revise it."),
        Field(name: "slips", meaning: "How many times a revision moved the due-by later."),
        Field(
            name: "status",
            meaning: "What was delivered: open (no progress yet), in_progress, stalled, fulfilled, "
                + "partially_fulfilled, broken or withdrawn. Outstanding means open, in_progress or stalled."),
        Field(name: "statusOn", meaning: "The date of the progress report that gave the status."),
        Field(
            name: "schedule",
            meaning: "Derived on the date answered for: no_deadline, upcoming (due-by more than 30 days away), "
                + "due_soon, overdue, met, late or closed (broken or withdrawn)."),
        Field(name: "overdue", meaning: "true when the schedule is overdue: outstanding and the due-by has passed."),
        Field(name: "lastNote", meaning: "The note of the latest progress report."),
        Field(name: "restatements", meaning: "How many times the promise was made again at a later consultation."),
        Field(name: "followUps", meaning: "How many check-ins are scheduled on it."),
        Field(name: "respondsToRequestIds", meaning: "The requests the commitment answers."),
        Field(name: "topics", meaning: "Free tags, e.g. compute, talent, data, regulation."),
    ]

    static let requestFields: [Field] = [
        Field(name: "requestId", meaning: "The request's id (a slug)."),
        Field(name: "consultationId", meaning: "The consultation where it was made."),
        Field(name: "requesterId", meaning: "The stakeholder who asked or recommended."),
        Field(name: "addressedToIds", meaning: "The organizations it was addressed to."),
        Field(name: "summary", meaning: "The ask, in the recorder's words."),
        Field(name: "topics", meaning: "Free tags."),
        Field(
            name: "answers",
            meaning: "Each answer: on (its date), answeredById, outcome (accepted, partially_accepted, "
                + "under_review or declined) and reason."),
        Field(name: "commitmentIds", meaning: "The commitments that respond to it."),
        Field(name: "unanswered", meaning: "true when it has no answer and no commitment responds to it."),
    ]

    static let eventFields: [Field] = [
        Field(
            name: "type",
            meaning: "The kind of event: StakeholderRegistered, StakeholderChanged, ConsultationHeld, "
                + "StatementRecorded, RequestMade, RequestAnswered, CommitmentMade, CommitmentRestated, "
                + "CommitmentProgressed, FollowUpScheduled, RecordCorrected or RecordRetracted."),
        Field(name: "id", meaning: "The event's id (a UUID): the feeds' entries are urn:uuid: of it."),
        Field(name: "data", meaning: "What the event records, as its type's schema (SPEC.md, Events) says."),
        Field(name: "metadata", meaning: "Who recorded it and notes about the recording; absent when empty."),
        Field(
            name: "recorded.stream",
            meaning: "The stream it belongs to: stakeholder-, consultation-, request- or commitment- and the "
                + "record's id; a correction or retraction is in the stream of the event it targets."),
        Field(name: "recorded.version", meaning: "Its place in that stream, from 1."),
        Field(name: "recorded.schemaVersion", meaning: "The version of its type's schema it was written with."),
        Field(name: "recorded.recordedAt", meaning: "When the tracker recorded it (RFC 3339, UTC)."),
        Field(name: "recorded.hash", meaning: "Its hash, chained to the stream's event before it (SHA-256, hex)."),
        Field(
            name: "recorded.follows",
            meaning: "Only on a stream's first line in a file that starts after it: the id and hash of the event "
                + "before."),
        Field(
            name: "head.stream, head.version, head.hash",
            meaning: "A head line, after the events, one per stream in the file, sorted by stream id: the version "
                + "and hash the stream ends at in the store, which its last line in the file must match."),
        Field(
            name: "end.events, end.streams, end.digest, end.partial",
            meaning: "The last line: how many event lines and streams the file has, the SHA-256 (hex) of their "
                + "hashes (32 bytes each) in file order, and partial: true when it starts after some events "
                + "(since)."),
    ]

    /// The catalogue as `/data.json` gives it: `{"files": [{path, mediaType, title, description,
    /// fields: [{name, meaning}]}]}`.
    static var json: JSONValue {
        let described = files.map { file -> JSONValue in
            var object = JSONObject()
            object["path"] = .string(file.path)
            object["mediaType"] = .string(file.mediaType)
            object["title"] = .string(file.title)
            object["description"] = .string(file.description)
            object["fields"] = .array(
                file.fields.map { field in
                    var entry = JSONObject()
                    entry["name"] = .string(field.name)
                    entry["meaning"] = .string(field.meaning)
                    return .object(entry)
                })
            return .object(object)
        }
        var catalogue = JSONObject()
        catalogue["files"] = .array(described)
        return .object(catalogue)
    }
}
