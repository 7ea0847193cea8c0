import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult status`: event count, last position, and what holds the log back.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the log's size and position, each view's checkpoint and lag, and what holds readers back.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let loaded = try await StoreStatus.load(connection.access)
        let status = loaded.log
        let views = loaded.views
        switch output.format {
        case .json:
            Output.writeLine(JSONValue.array([.object(loaded.json)]).serialized())
        case .csv:
            var csv = CSVWriter(headers: ["eventCount", "lastPosition", "readableHead", "eventsHeldBack"])
            csv.append([
                String(status.eventCount), status.lastPosition.map(String.init) ?? "",
                status.head?.description ?? "", String(status.eventsHeldBack),
            ])
            Output.write(output.preamble + csv.text)
            var viewsCSV = CSVWriter(headers: ["view", "checkpoint", "eventsApplied", "lag", "updatedAt"])
            for view in views {
                viewsCSV.append([
                    view.name, view.checkpoint?.description ?? "", String(view.eventsApplied), String(view.lag),
                    view.updatedAt,
                ])
            }
            Output.write("\r\n" + viewsCSV.text)
        case .table:
            Output.writeLine("events         \(status.eventCount)")
            Output.writeLine("last position  \(status.lastPosition.map(String.init) ?? "none")")
            Output.writeLine("readable head  \(status.head?.description ?? "none") (epoch/transaction/position)")
            if let writer = status.oldestWriter {
                let held = status.eventsHeldBack
                Output.writeLine(
                    "held back      \(held) event\(held == 1 ? "" : "s") wait for transaction of pid \(writer.pid) "
                        + "(\(writer.state), open \(Int(writer.secondsOpen)) s, application "
                        + "\"\(writer.applicationName)\")")
            } else {
                Output.writeLine("held back      nothing")
            }
            Output.writeLine()
            var table = TextTable(headers: ["VIEW", "CHECKPOINT", "APPLIED", "LAG", "UPDATED (UTC)"])
            for view in views {
                table.rows.append([
                    view.name, view.checkpoint?.description ?? "none", String(view.eventsApplied),
                    view.lag == 0 ? "up to date" : "\(view.lag) behind", view.updatedAt,
                ])
            }
            Output.write(table.render())
        }
    }
}
