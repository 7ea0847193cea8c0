import ConsultDomain
import Postgres

/// Each stakeholder as it stands now. Statement, request and commitment counts are counted from
/// the other views when asked, since they depend on the date asked about.
struct StakeholdersView: ProjectionView {
    let name = "stakeholders"
    let version = 1
    static let stakeholders = ViewTable(
        "view_stakeholders", key: ["stream_id"], indexes: [["stakeholder_id"]],
        columns: [
            ("stakeholder_id", "text"), ("name", "text"), ("kind", "text"), ("sector", "text"), ("title", "text"),
            ("affiliation_id", "text"), ("party", "text"), ("aliases", "text[]"),
        ])
    var tables: [ViewTable] { [Self.stakeholders] }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = batch.touched(.stakeholder)
        var rows: [JSONObject] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            guard let profile = StakeholderRecord(versions: versions)?.profile(on: nil) else { continue }
            var row = Row()
            row["stream_id"] = stream
            row["stakeholder_id"] = profile.stakeholderID
            row["name"] = profile.name
            row["kind"] = profile.kind
            row["sector"] = profile.sector
            row["title"] = profile.title
            row["affiliation_id"] = profile.affiliationID
            row["party"] = profile.party
            row.set("aliases", profile.aliases)
            rows.append(row.object)
        }
        try Self.stakeholders.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}
