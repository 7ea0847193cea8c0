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
            var object = JSONObject()
            object["eventCount"] = .number(String(status.eventCount))
            object["lastPosition"] = status.lastPosition.map { .number(String($0)) } ?? .null
            object["readableHead"] = status.head.map { .string($0.description) } ?? .null
            object["eventsHeldBack"] = .number(String(status.eventsHeldBack))
            if let writer = status.oldestWriter {
                var transaction = JSONObject()
                transaction["pid"] = .number(String(writer.pid))
                transaction["state"] = .string(writer.state)
                transaction["secondsOpen"] = .number(String(Int(writer.secondsOpen)))
                transaction["applicationName"] = .string(writer.applicationName)
                object["oldestOpenWriter"] = .object(transaction)
            } else {
                object["oldestOpenWriter"] = .null
            }
            object["views"] = .array(
                views.map { view in
                    var item = JSONObject()
                    item["name"] = .string(view.name)
                    item["version"] = .number(String(view.version))
                    item["checkpoint"] = view.checkpoint.map { .string($0.description) } ?? .null
                    item["eventsApplied"] = .number(String(view.eventsApplied))
                    item["lag"] = .number(String(view.lag))
                    item["updatedAt"] = .string(view.updatedAt)
                    return .object(item)
                })
            Output.writeLine(JSONValue.array([.object(object)]).serialized())
        case .csv:
            var csv = CSVWriter(headers: ["eventCount", "lastPosition", "readableHead", "eventsHeldBack"])
            csv.append([
                String(status.eventCount), status.lastPosition.map(String.init) ?? "",
                status.head?.description ?? "", String(status.eventsHeldBack),
            ])
            Output.write(csv.text)
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
