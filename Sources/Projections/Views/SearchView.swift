import ConsultDomain
import Foundation
import Postgres

/// The searchable texts: stakeholder names, aliases and titles, consultation titles, statement
/// summaries and quotes, request and commitment summaries. Each is kept folded (NFC, lower case)
/// next to the original (`folded`, null when folding changes nothing, as for most Korean text), so
/// a substring query matches Korean syllables and Latin text alike, without depending on the
/// database's locale.
///
/// Rows are keyed by the stream, the version in it of the event the text comes from, and an
/// ordinal. Consultation streams (which hold every statement) get new rows as events come and are
/// recomputed only on a correction or retraction; other streams are small and recomputed whole.
struct SearchView: ProjectionView {
    let name = "search"
    let version = 1
    static let texts = ViewSchema<Text>(
        "view_search", key: ["stream_id", "sequence", "ordinal"],
        columns: [
            .column("sequence", .integer, \.sequence), .column("ordinal", .integer, \.ordinal),
            .column("kind", .text, \.kind), .column("id", .text, \.id), .column("field", .text, \.field),
            .column("text", .text, \.text), .column("folded", .text, \.folded),
            .column("consultation_id", .text, \.consultationID),
        ])

    /// A row: one searchable text, numbered within the event it comes from.
    struct Text: ViewRow, Equatable {
        var streamID = ""
        /// The version in the stream of the event the text comes from.
        var sequence = 0
        var ordinal = 0
        /// `stakeholder`, `consultation`, `statement`, `request` or `commitment`.
        var kind = ""
        var id = ""
        /// The field the text is from (`name`, `title`, `summary`, `quote`, `aliases`).
        var field = ""
        var text = ""
        /// `text` folded (`SearchView.fold`); nil when folding changes nothing.
        var folded: String?
        var consultationID: String?
    }

    var tables: [ViewTable] { [Self.texts.table] }

    /// The form texts and queries are compared in: NFC, lower case.
    ///
    /// Most texts are Hangul syllables, ASCII and Latin-1, which NFC leaves as they are (none of
    /// them decomposes, and no combining mark or conjoining jamo follows them), so normalizing is
    /// skipped for those, and lower-casing when nothing is upper case: both showed up in replay
    /// profiles.
    static func fold(_ text: String) -> String {
        var normalize = false
        var lower = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if value >= 0x41 && value <= 0x5A { lower = true }
            } else if value >= 0xAC00 && value <= 0xD7A3 {
                continue
            } else if value < 0x300 {
                lower = true
            } else {
                normalize = true
                lower = true
                break
            }
        }
        var folded = text
        if normalize { folded = folded.precomposedStringWithCanonicalMapping }
        if lower { folded = folded.lowercased() }
        return folded
    }

    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws {
        // Answers, progress, restatements and follow-ups add no text: their streams stay as they are.
        let recomputed =
            batch.touched(.stakeholder) + batch.touched(.request, by: [.requestMade])
            + batch.touched(.commitment, by: [.commitmentMade]) + batch.corrected(.consultation)
        var rows = Rows()
        for (stream, versions) in try batch.known(recomputed, on: connection) {
            if let record = StakeholderRecord(versions: versions) {
                let profile = record.profile(on: nil)
                let id = profile.stakeholderID
                let sequence = record.registration.sequence
                rows.add(stream, sequence, "stakeholder", id, "name", profile.name, consultation: nil)
                for alias in profile.aliases {
                    rows.add(stream, sequence, "stakeholder", id, "aliases", alias, consultation: nil)
                }
                rows.add(stream, sequence, "stakeholder", id, "title", profile.title, consultation: nil)
            } else if let record = ConsultationRecord(versions: versions),
                let held = versions.first(where: { $0.type == .consultationHeld })
            {
                rows.add(consultation: held, stream: stream)
                for version in versions where version.type == .statementRecorded {
                    rows.add(statement: version, stream: stream, consultation: record.consultationID)
                }
            } else if let record = RequestRecord(versions: versions),
                let made = versions.first(where: { $0.type == .requestMade })
            {
                rows.add(
                    stream, made.sequence, "request", record.requestID, "summary", record.summary,
                    consultation: record.consultationID)
            } else if let record = CommitmentRecord(versions: versions) {
                rows.add(
                    stream, record.made.sequence, "commitment", record.commitmentID, "summary",
                    record.made.data["summary"]?.stringValue, consultation: record.consultationID)
            }
        }
        try Self.texts.replace(streams: recomputed, with: rows.texts, suffix: suffix, on: connection)
        rows = Rows()
        for (stream, event) in batch.recordEvents(.consultation, excluding: Set(recomputed)) {
            if event.type == .consultationHeld {
                rows.add(consultation: event.firstVersion, stream: stream)
            } else if let consultation = event.data["consultationId"]?.stringValue {
                rows.add(statement: event.firstVersion, stream: stream, consultation: consultation)
            }
        }
        try Self.texts.insert(rows.texts, suffix: suffix, on: connection)
    }

    /// Search rows being built, numbered within each source event.
    struct Rows {
        var texts: [Text] = []
        private var ordinals: [String: Int] = [:]

        mutating func add(
            _ stream: String, _ sequence: Int, _ kind: String, _ id: String, _ field: String, _ text: String?,
            consultation: String?
        ) {
            guard let text, !text.isEmpty else { return }
            let key = "\(stream)#\(sequence)"
            let ordinal = ordinals[key, default: 0]
            ordinals[key] = ordinal + 1
            let folded = SearchView.fold(text)
            texts.append(
                Text(
                    streamID: stream, sequence: sequence, ordinal: ordinal, kind: kind, id: id, field: field,
                    text: text, folded: folded == text ? nil : folded, consultationID: consultation))
        }

        mutating func add(consultation held: RecordVersion, stream: String) {
            let id = held.data["consultationId"]?.stringValue ?? ""
            add(stream, held.sequence, "consultation", id, "title", held.data["title"]?.stringValue, consultation: id)
        }

        mutating func add(statement version: RecordVersion, stream: String, consultation: String) {
            guard let statement = ConsultationRecord.statement(version) else { return }
            add(
                stream, version.sequence, "statement", statement.statementID, "summary", statement.summary,
                consultation: consultation)
            add(
                stream, version.sequence, "statement", statement.statementID, "quote", statement.quote,
                consultation: consultation)
        }
    }
}
