import ArgumentParser

/// Options every command takes may also come before the subcommand (SPEC.md):
/// `consult --database-url URL status` means `consult status --database-url URL`.
///
/// ArgumentParser gives a root command's options to the root only, so the arguments are
/// rearranged before parsing: the leading ones move right after the subcommand's path, where the
/// subcommand's own `ConnectionOptions` and `OutputOptions` take them (and say so clearly when a
/// command does not take one, e.g. `--format` for `migrate`). Given twice, the later one wins,
/// as it would after the subcommand.
enum LeadingOptions {
    /// Options that take a value and that every command (or every read command) declares.
    static let names = ["--database-url", "--format"]

    static func movedAfterSubcommand(_ arguments: [String]) throws -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if names.contains(argument) {
                guard index + 1 < arguments.count else {
                    throw ValidationError("Missing value for '\(argument)'.")
                }
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if names.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        let rest = Array(arguments[index...])
        // Help needs no store: `consult --database-url URL log --help` is the help of `log`, as
        // without the option (moved after `log`, it would reach `log`'s default subcommand).
        if rest.first == "help" || rest.contains("--help") || rest.contains("-h") { return rest }
        var command: any ParsableCommand.Type = ConsultCommand.self
        var path = 0
        while path < rest.count,
            let subcommand = command.configuration.subcommands.first(where: { $0._commandName == rest[path] })
        {
            command = subcommand
            path += 1
        }
        return Array(rest[..<path]) + leading + Array(rest[path...])
    }
}
