/// How the command line spells the core queries' parameters: `asOf` is `--as-of`.
enum OptionNames {
    static func cli(_ name: String) -> String {
        if name == "text" { return "TEXT" }
        if name == "stakeholderList" { return "consult stakeholders" }
        return "--" + name.replacing(#/[A-Z]/#) { "-" + $0.output.lowercased() }
    }
}
