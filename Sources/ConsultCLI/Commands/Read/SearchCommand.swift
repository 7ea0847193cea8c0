import ArgumentParser
import ConsultCore
import ConsultDomain
import Foundation
import Projections

/// `consult search TEXT`: where a word appears.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find TEXT in names, titles, summaries and quotes (substring, any case; Korean works).",
        discussion: """
            Examples:
              consult search 인재
              consult search GPU
              consult search AI --limit 5
            """)

    @Argument(help: "The text to look for.") var text: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func validate() throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("Give some text to search for.")
        }
    }

    func run() async throws {
        let read = try await connection.openForReading()
        let hits = try await read.model.search(text)
        var list = RecordList(
            keys: SearchHit.keys,
            tableColumns: [
                ("KIND", "kind"), ("ID", "id"), ("FIELD", "field"), ("CONSULTATION", "consultationId"),
                ("TEXT", "text"),
            ])
        for hit in hits {
            list.append(hit.json)
        }
        await listing.show(list, output: output, noun: "matches") {
            $0.render(output.format, emptyMessage: "Nothing contains \"\(text)\".")
        }
    }
}
