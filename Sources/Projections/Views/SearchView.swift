import ConsultDomain
import Foundation
import Postgres

/// The searchable texts: stakeholder names, aliases and titles, consultation titles, statement
/// summaries and quotes, request and commitment summaries. Each is kept folded (NFC, lower case)
/// next to the original, so a substring query matches Korean syllables and Latin text alike,
/// without depending on the database's locale.
struct SearchView: ProjectionView {
    let name = "search"
    let version = 1
    static let texts = ViewTable(
        "view_search", key: ["stream_id", "ordinal"],
        columns: [
            ("ordinal", "integer"), ("kind", "text"), ("id", "text"), ("field", "text"), ("text", "text"),
            ("folded", "text"), ("consultation_id", "text"),
        ])
    var tables: [ViewTable] { [Self.texts] }

    /// The form texts and queries are compared in.
    static func fold(_ text: String) -> String { text.precomposedStringWithCanonicalMapping.lowercased() }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        let streams = RecordKind.allCases.flatMap(batch.touched)
        var rows: [JSONObject] = []
        for (stream, versions) in try batch.known(streams, on: connection) {
            var ordinal = 0
            func add(_ kind: String, _ id: String, _ field: String, _ text: String?, consultation: String?) {
                guard let text, !text.isEmpty else { return }
                var row = Row()
                row["stream_id"] = stream
                row.set("ordinal", ordinal)
                row["kind"] = kind
                row["id"] = id
                row["field"] = field
                row["text"] = text
                row["folded"] = Self.fold(text)
                row["consultation_id"] = consultation
                rows.append(row.object)
                ordinal += 1
            }
            if let record = StakeholderRecord(versions: versions) {
                let profile = record.profile(on: nil)
                add("stakeholder", profile.stakeholderID, "name", profile.name, consultation: nil)
                for alias in profile.aliases {
                    add("stakeholder", profile.stakeholderID, "aliases", alias, consultation: nil)
                }
                add("stakeholder", profile.stakeholderID, "title", profile.title, consultation: nil)
            } else if let record = ConsultationRecord(versions: versions) {
                let id = record.consultationID
                add("consultation", id, "title", record.title, consultation: id)
                for statement in record.statements {
                    add("statement", statement.statementID, "summary", statement.summary, consultation: id)
                    add("statement", statement.statementID, "quote", statement.quote, consultation: id)
                }
            } else if let record = RequestRecord(versions: versions) {
                add("request", record.requestID, "summary", record.summary, consultation: record.consultationID)
            } else if let record = CommitmentRecord(versions: versions) {
                add(
                    "commitment", record.commitmentID, "summary", record.made.data["summary"]?.stringValue,
                    consultation: record.consultationID)
            }
        }
        try Self.texts.replace(streams: streams, with: rows, suffix: suffix, on: connection)
    }
}
