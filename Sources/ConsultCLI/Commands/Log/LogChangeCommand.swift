import ArgumentParser
import ConsultDomain

/// `consult log change`: a stakeholder's name, title, affiliation, party or sector from a date on
/// (`StakeholderChanged`).
struct LogChangeCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Record what changed about a stakeholder from a date on (StakeholderChanged).",
        usage: "consult log change [<options>] --stakeholder-id <id> --on <date>",
        discussion: """
            A minister leaves office, a CEO moves to another company: give the date and only what changed. \
            Commitments keep the title their maker held on the day they were made.

            Example: 뉴스토마토 reports 이종호 as minister of science and ICT at the third AI strategy \
            dialogue on 2023-03-08; a stakeholder first registered without a title gets it from that date:

              consult log change --stakeholder-id lee-jong-ho --on 2023-03-08 \\
                --title '과학기술정보통신부 장관' --affiliation-id msit
            """)
    static let eventType = EventType.stakeholderChanged

    @Option(help: ArgumentHelp("The stakeholder's id.", valueName: "id"))
    var stakeholderId: String?

    @Option(help: ArgumentHelp("The date the change takes effect (YYYY-MM-DD).", valueName: "date"))
    var on: String?

    @Option(help: ArgumentHelp("The new name.", valueName: "text"))
    var name: String?

    @Option(help: ArgumentHelp("The new title or position.", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("The organization the person now belongs to (its id).", valueName: "id"))
    var affiliationId: String?

    @Option(help: ArgumentHelp("The new party.", valueName: "text"))
    var party: String?

    @Option(
        help: ArgumentHelp("The new sector: \(EventSchema.sectors.joined(separator: ", ")).", valueName: "sector"),
        completion: .list(EventSchema.sectors))
    var sector: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--stakeholder-id", stakeholderId != nil),
            ("--on", on != nil),
        ])
        if changes.isEmpty {
            throw ValidationError("Say what changed: --name, --title, --affiliation-id, --party or --sector.")
        }
    }

    func run() async throws { try await record() }

    /// The changed fields, in the schema's order.
    private var changes: [(key: String, value: JSONValue)] {
        [("name", name), ("title", title), ("affiliationId", affiliationId), ("party", party), ("sector", sector)]
            .compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
    }

    func eventData() -> JSONObject {
        JSONObject([("stakeholderId", .string(stakeholderId ?? "")), ("on", .string(on ?? ""))] + changes)
    }

    /// `stakeholder lee-jong-ho from 2023-03-08: title 과학기술정보통신부 장관, affiliation msit`.
    func consequence(streamID: String) -> String {
        let described = [
            name.map { "name \($0)" }, title.map { "title \($0)" }, affiliationId.map { "affiliation \($0)" },
            party.map { "party \($0)" }, sector.map { "sector \($0)" },
        ]
        return "stakeholder \(stakeholderId ?? "") from \(on ?? ""): "
            + described.compactMap { $0 }.joined(separator: ", ")
    }
}
