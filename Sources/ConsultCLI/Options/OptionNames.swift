/// How the command line spells the core queries' parameters: `asOf` is `--as-of`.
enum OptionNames {
    static func cli(_ name: String) -> String {
        "--" + name.replacing(#/[A-Z]/#) { "-" + $0.output.lowercased() }
    }
}
