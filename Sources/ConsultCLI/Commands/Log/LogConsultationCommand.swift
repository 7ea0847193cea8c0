import ArgumentParser
import ConsultDomain

/// `consult log consultation`: a forum, roundtable, strategy dialogue, interview… and who took
/// part (`ConsultationHeld`).
struct LogConsultationCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "consultation",
        abstract: "Record a consultation: the occasion, who took part and where it is reported (ConsultationHeld).",
        usage:
            "consult log consultation [<options>] --consultation-id <id> --kind <kind> --title <text> --date <date> --source <source> ...",
        discussion: """
            Participants and organizers are stakeholder ids; register them first so that views can name \
            them. Cite at least one source: --source takes KEY=VALUE pairs separated by commas (publisher, \
            and optionally title, url, publishedOn); a comma not followed by KEY= stays in the value, so \
            titles may contain commas.

            A consultation of one day takes --date; one over several days (a forum of two days, a notice \
            open for comments for 40 days: kind public_comment, participants with role commenter) takes \
            --starts-on and --ends-on. Statements, requests and commitments recorded at it may then give \
            their own --on within those days.

            Example (a hypothetical follow-up meeting; the stakeholders are the sample dataset's, so it can \
            be tried with --dry-run after `consult demo`):

              consult log consultation --consultation-id example-ai-roundtable-2023 \\
                --kind roundtable --title '초거대 AI 후속 간담회 (예시)' \\
                --date 2023-04-20 --organizer-id msit \\
                --participant lee-jong-ho:host --participant baek-sang-yeop:speaker \\
                --source 'publisher=예시 신문,publishedOn=2023-04-20'
            """)
    static let eventType = EventType.consultationHeld

    @Option(help: ArgumentHelp("The consultation's id, a slug.", valueName: "id"))
    var consultationId: String?

    @Option(
        help: ArgumentHelp(
            "One of: \(EventSchema.consultationKinds.joined(separator: ", ")).", valueName: "kind"),
        completion: .list(EventSchema.consultationKinds))
    var kind: String?

    @Option(help: ArgumentHelp("The title, as announced.", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("The day it took place, when it lasted one day (YYYY-MM-DD).", valueName: "date"))
    var date: String?

    @Option(help: ArgumentHelp("Its first day, when it lasted several (YYYY-MM-DD).", valueName: "date"))
    var startsOn: String?

    @Option(help: ArgumentHelp("Its last day (YYYY-MM-DD), with --starts-on.", valueName: "date"))
    var endsOn: String?

    @Option(help: ArgumentHelp("Where it took place.", valueName: "text"))
    var venue: String?

    @Option(help: ArgumentHelp("An organizer's stakeholder id; repeatable.", valueName: "id"))
    var organizerId: [String] = []

    @Option(
        help: ArgumentHelp(
            "A participant and their role (\(EventSchema.roles.joined(separator: ", "))); repeatable.",
            valueName: "id:role"),
        transform: LogFlagValues.participant)
    var participant: [JSONValue] = []

    @Option(
        help: ArgumentHelp(
            "Where it is reported: publisher=…,title=…,url=…,publishedOn=YYYY-MM-DD; at least one, repeatable.",
            valueName: "source"),
        transform: LogFlagValues.source)
    var source: [JSONValue] = []

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--consultation-id", consultationId != nil),
            ("--kind", kind != nil),
            ("--title", title != nil),
            ("--date", date != nil || startsOn != nil),
            ("--source", !source.isEmpty),
        ])
        if date != nil, startsOn != nil || endsOn != nil {
            throw ValidationError(
                "--date is the one day of a consultation; --starts-on and --ends-on give several: use one or the other."
            )
        }
        if endsOn != nil, startsOn == nil {
            throw ValidationError("--ends-on needs --starts-on, the consultation's first day.")
        }
    }

    /// The first day, however it was given.
    var firstDay: String { startsOn ?? date ?? "" }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["consultationId"] = .string(consultationId ?? "")
        data["kind"] = .string(kind ?? "")
        data["title"] = .string(title ?? "")
        data["startsOn"] = .string(firstDay)
        data["endsOn"] = endsOn.map(JSONValue.string)
        data["organizerIds"] = .strings(organizerId)
        data["participants"] = .array(participant)
        data["sources"] = .array(source)
        data["venue"] = venue.map(JSONValue.string)
        return data
    }

    /// `consultation ai-strategy-dialogue-3 (strategy_dialogue) held on 2023-03-08, 3 participants, 1 source`,
    /// or `… held from 2023-05-02 to 2023-06-11, …`.
    func consequence(streamID: String) -> String {
        let when = endsOn.map { "from \(firstDay) to \($0)" } ?? "on \(firstDay)"
        return "consultation \(consultationId ?? "") (\(kind ?? "")) held \(when), "
            + "\(Self.count(participant.count, "participant")), \(Self.count(source.count, "source"))"
    }
}
