import ConsultDomain
import Postgres

/// Each stakeholder as it stands now. Statement, request and commitment counts are counted from
/// the other views when asked, since they depend on the date asked about.
struct StakeholdersView: ProjectionView {
    let name = "stakeholders"
    let version = 1
    static let stakeholders = ViewSchema<Stakeholder>(
        "view_stakeholders", key: ["stream_id"], indexes: [["stakeholder_id"]],
        columns: [
            .column("stakeholder_id", .text, \.stakeholderID), .column("name", .text, \.name),
            .column("kind", .text, \.kind), .column("sector", .text, \.sector), .column("title", .text, \.title),
            .column("affiliation_id", .text, \.affiliationID), .column("party", .text, \.party),
            .column("aliases", .textArray, \.aliases),
        ])

    /// A row: one stakeholder's profile as it stands now.
    struct Stakeholder: ViewRow, Equatable {
        var streamID = ""
        var stakeholderID = ""
        var name = ""
        var kind = ""
        var sector = ""
        var title: String?
        var affiliationID: String?
        var party: String?
        var aliases: [String] = []

        init() {}

        init(stream: String, _ profile: StakeholderRecord.Profile) {
            streamID = stream
            stakeholderID = profile.stakeholderID
            name = profile.name
            kind = profile.kind
            sector = profile.sector
            title = profile.title
            affiliationID = profile.affiliationID
            party = profile.party
            aliases = profile.aliases
        }
    }

    var tables: [ViewTable] { [Self.stakeholders.table] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = batch.touched(.stakeholder)
        var rows: [Stakeholder] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            guard let profile = StakeholderRecord(versions: versions)?.profile(on: nil) else { continue }
            rows.append(Stakeholder(stream: stream, profile))
        }
        try Self.stakeholders.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}
