import ArgumentParser

/// Names a mistyped subcommand and suggests the nearest one, before ArgumentParser would say
/// something less helpful (`consult log stakholder` reached `log`'s default subcommand and asked
/// for `--file`; `consult commitment` was an "unexpected argument").
enum SubcommandNames {
    /// A subcommand that is not there, with the command it was looked for under ("consult log").
    struct Unknown: Error {
        var message: String
        var parent: String
    }

    /// Throws a `ValidationError` naming the unknown subcommand in `arguments` (the first word that
    /// is not an option where a subcommand is expected) and the nearest known one.
    static func check(_ arguments: [String]) throws {
        var command: any ParsableCommand.Type = ConsultCommand.self
        var path = ["consult"]
        var index = 0
        while true {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return }
            let names = subcommands.map { $0._commandName }
            guard index < arguments.count else {
                if command == LogCommand.self {
                    throw Unknown(
                        message:
                            "consult log needs --file PATH (or --file - for stdin), or the kind of one event: "
                            + names.filter { $0 != "file" }.joined(separator: ", ")
                            + " (consult log <kind> --help shows its flags).",
                        parent: "consult log")
                }
                return
            }
            let word = arguments[index]
            if word.hasPrefix("-") || word == "help" { return }
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                let what = command == LogCommand.self ? "kind of event" : "command"
                let suggestion = nearest(word, in: names).map { " Did you mean \($0)?" } ?? ""
                let listed =
                    command == LogCommand.self
                    ? "The kinds are: \(names.filter { $0 != "file" }.joined(separator: ", ")) (or --file PATH)."
                    : "The commands are: \(names.joined(separator: ", "))."
                throw Unknown(
                    message: "\(path.joined(separator: " ")) has no \(what) \"\(word)\".\(suggestion) \(listed)",
                    parent: path.joined(separator: " "))
            }
            command = next
            path.append(word)
            index += 1
        }
    }

    /// The known name closest to `word`, when it is close: a prefix of it, or at most a third of
    /// its letters (and at least two) away.
    static func nearest(_ word: String, in names: [String]) -> String? {
        let lowered = word.lowercased()
        if let prefixed = names.first(where: { $0.hasPrefix(lowered) || lowered.hasPrefix($0) }) { return prefixed }
        let scored = names.map { ($0, distance(lowered, $0)) }.min { $0.1 < $1.1 }
        guard let (name, score) = scored, score <= max(2, lowered.count / 3) else { return nil }
        return name
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
