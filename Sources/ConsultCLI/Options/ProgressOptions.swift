import ArgumentParser

/// Long work draws a progress line on stderr when it is a terminal; `--quiet` leaves it out.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress line on stderr.") var quiet = false

    /// A progress line that starts now.
    func line() -> ProgressLine {
        ProgressLine(enabled: !quiet && Terminal.stderrIsTerminal)
    }
}
