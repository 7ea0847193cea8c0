/// The fields of each event type's data (SPEC.md, "Events").
public enum EventSchema {
    public static let sectors = [
        "government", "legislature", "public_institution", "large_company", "startup", "academia", "association",
        "civil_society", "media", "other",
    ]
    public static let consultationKinds = [
        "forum", "roundtable", "strategy_dialogue", "town_hall", "hearing", "interview", "op_ed", "press_release",
        "public_comment", "meeting", "other",
    ]
    public static let roles = [
        "host", "speaker", "panelist", "moderator", "attendee", "interviewee", "author", "commenter",
    ]
    public static let outcomes = ["accepted", "partially_accepted", "under_review", "declined"]
    /// Every status but `open`, which only the absence of progress means.
    public static let progressStatuses = [
        "in_progress", "stalled", "fulfilled", "partially_fulfilled", "broken", "withdrawn",
    ]
    public static let assessments = ["independent", "self_reported"]

    static let summary = FieldType.text(maximum: 2000)
    static let shortText = FieldType.text(maximum: 300)
    static let topics = FieldType.list(of: .tag, nonEmpty: false)

    /// Where a fact comes from.
    public static let source = FieldType.object(
        name: "source",
        fields: [
            .required("publisher", shortText), .optional("title", shortText), .optional("url", .url),
            .optional("publishedOn", .date),
        ])

    static let participant = FieldType.object(
        name: "participant", fields: [.required("stakeholderId", .slug), .required("role", .oneOf(roles))])

    /// The fields of `type`, required ones first.
    public static func fields(of type: EventType) -> [FieldSpec] {
        switch type {
        case .stakeholderRegistered:
            [
                .required("stakeholderId", .slug), .required("name", shortText),
                .required("kind", .oneOf(["person", "organization"])), .required("sector", .oneOf(sectors)),
                .optional("affiliationId", .slug), .optional("title", shortText), .optional("party", shortText),
                .optional("aliases", .list(of: shortText, nonEmpty: false)),
            ]
        case .stakeholderChanged:
            [
                .required("stakeholderId", .slug), .required("on", .date), .optional("name", shortText),
                .optional("title", shortText), .optional("affiliationId", .slug), .optional("party", shortText),
                .optional("sector", .oneOf(sectors)),
            ]
        case .consultationHeld:
            [
                .required("consultationId", .slug), .required("kind", .oneOf(consultationKinds)),
                .required("title", shortText), .required("startsOn", .date),
                .required("organizerIds", .list(of: .slug, nonEmpty: false)),
                .required("participants", .list(of: participant, nonEmpty: false)),
                .required("sources", .list(of: source, nonEmpty: true)), .optional("endsOn", .date),
                .optional("venue", shortText),
            ]
        case .statementRecorded:
            [
                .required("consultationId", .slug), .required("statementId", .slug), .required("speakerId", .slug),
                .required("summary", summary), .required("topics", topics), .optional("quote", .text(maximum: 1000)),
                .optional("on", .date),
            ]
        case .requestMade:
            [
                .required("consultationId", .slug), .required("requestId", .slug), .required("requesterId", .slug),
                .required("addressedToIds", .list(of: .slug, nonEmpty: true)), .required("summary", summary),
                .required("topics", topics), .optional("on", .date),
            ]
        case .requestAnswered:
            [
                .required("requestId", .slug), .required("on", .date), .required("answeredById", .slug),
                .required("outcome", .oneOf(outcomes)), .required("reason", summary),
                .optional("commitmentIds", .list(of: .slug, nonEmpty: false)),
                .optional("evidence", .list(of: source, nonEmpty: true)),
            ]
        case .commitmentMade:
            [
                .required("commitmentId", .slug), .required("consultationId", .slug), .required("madeById", .slug),
                .required("ownerId", .slug), .required("summary", summary), .required("topics", topics),
                .optional("due", .due), .optional("dueText", shortText),
                .optional("respondsToRequestIds", .list(of: .slug, nonEmpty: false)), .optional("on", .date),
            ]
        case .commitmentRestated:
            [
                .required("commitmentId", .slug), .required("consultationId", .slug), .required("byId", .slug),
                .required("on", .date), .optional("note", summary),
            ]
        case .commitmentProgressed:
            [
                .required("commitmentId", .slug), .required("on", .date),
                .required("status", .oneOf(progressStatuses)), .required("note", summary),
                .required("evidence", .list(of: source, nonEmpty: true)), .optional("revisedDue", .due),
                .optional("assessment", .oneOf(assessments)), .optional("reason", summary),
            ]
        case .followUpScheduled:
            [
                .required("commitmentId", .slug), .required("checkOn", .date), .optional("assignee", shortText),
                .optional("note", summary),
            ]
        case .recordCorrected:
            [.required("correctsEventId", .uuid), .required("reason", summary), .required("changes", .changes)]
        case .recordRetracted:
            [.required("retractsEventId", .uuid), .required("reason", summary)]
        }
    }
}
