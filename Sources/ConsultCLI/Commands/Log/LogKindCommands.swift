import ArgumentParser

/// The `consult log <kind>` subcommands, one event from flags each.
enum LogKindCommands {
    static let all: [any ParsableCommand.Type] = []
}
