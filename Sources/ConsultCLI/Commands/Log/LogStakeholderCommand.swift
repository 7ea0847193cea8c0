import ArgumentParser
import ConsultDomain

/// `consult log stakeholder`: registers a person or an organization (`StakeholderRegistered`).
struct LogStakeholderCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "stakeholder",
        abstract: "Register a person or an organization (StakeholderRegistered).",
        usage:
            "consult log stakeholder [<options>] --stakeholder-id <id> --name <text> --kind <kind> --sector <sector>",
        discussion: """
            Register a stakeholder once, before any consultation, statement, request or commitment names it; \
            register an organization before the people affiliated with it. Later changes of title or \
            affiliation go in `consult log change`.

            Example (the ids are the sample dataset's, so it can be tried with --dry-run after \
            `consult demo`): a startup that took part in a later meeting, then its CEO, who belongs to \
            Testworks in the sample:

              consult log stakeholder --stakeholder-id example-ai-startup --name '예시 AI 스타트업' \\
                --kind organization --sector startup --alias 'Example AI'
              consult log stakeholder --stakeholder-id example-founder --name '예시 대표' \\
                --kind person --sector startup --affiliation-id testworks --title 대표
            """)
    static let eventType = EventType.stakeholderRegistered

    @Option(help: ArgumentHelp("The stakeholder's id, a slug (e.g. msit, lee-jong-ho).", valueName: "id"))
    var stakeholderId: String?

    @Option(help: ArgumentHelp("The name, in its own script (e.g. 과학기술정보통신부).", valueName: "text"))
    var name: String?

    @Option(
        help: ArgumentHelp("person or organization.", valueName: "kind"), completion: .list(["person", "organization"]))
    var kind: String?

    @Option(
        help: ArgumentHelp("One of: \(EventSchema.sectors.joined(separator: ", ")).", valueName: "sector"),
        completion: .list(EventSchema.sectors))
    var sector: String?

    @Option(help: ArgumentHelp("The organization a person belongs to (its id).", valueName: "id"))
    var affiliationId: String?

    @Option(help: ArgumentHelp("A person's title or position (e.g. 대표, 장관).", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("A politician's party.", valueName: "text"))
    var party: String?

    @Option(help: ArgumentHelp("The name in another script; repeatable.", valueName: "text"))
    var alias: [String] = []

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--stakeholder-id", stakeholderId != nil),
            ("--name", name != nil),
            ("--kind", kind != nil),
            ("--sector", sector != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["stakeholderId"] = .string(stakeholderId ?? "")
        data["name"] = .string(name ?? "")
        data["kind"] = .string(kind ?? "")
        data["sector"] = .string(sector ?? "")
        data["affiliationId"] = affiliationId.map(JSONValue.string)
        data["title"] = title.map(JSONValue.string)
        data["party"] = party.map(JSONValue.string)
        data["aliases"] = .strings(ifAny: alias)
        return data
    }

    /// `stakeholder yoon-seok-won is registered: 윤석원 (person, startup), 대표 at testworks`.
    func consequence(streamID: String) -> String {
        var line = "stakeholder \(stakeholderId ?? "") is registered: \(name ?? "") (\(kind ?? ""), \(sector ?? ""))"
        switch (title, affiliationId) {
        case (let title?, let affiliation?): line += ", \(title) at \(affiliation)"
        case (let title?, nil): line += ", \(title)"
        case (nil, let affiliation?): line += ", of \(affiliation)"
        case (nil, nil): break
        }
        if let party { line += ", \(party)" }
        return line
    }
}
