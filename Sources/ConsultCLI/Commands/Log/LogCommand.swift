import ArgumentParser

/// `consult log`: append events, from a JSONL file (`--file`) or one at a time from flags.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Append events: a JSONL file (--file), or one event from flags (consult log <kind> --help).",
        subcommands: [LogFileCommand.self] + LogKindCommands.all,
        defaultSubcommand: LogFileCommand.self)
}
