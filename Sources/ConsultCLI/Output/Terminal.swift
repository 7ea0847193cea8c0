import Foundation

/// The terminal the output goes to, if any.
enum Terminal {
    /// Its width in columns; nil when stdout is not a terminal (and `COLUMNS` is not set).
    static func columns() -> Int? {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 { return value }
        return windowSize()?.columns
    }

    /// Its height in lines: `LINES` when set (as for `COLUMNS`, and as `less` reads it), else the
    /// window's; nil when stdout is not a terminal or its size is not known.
    static func rows() -> Int? {
        guard stdoutIsTerminal else { return nil }
        if let text = ProcessInfo.processInfo.environment["LINES"], let value = Int(text), value > 0 { return value }
        return windowSize()?.rows
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The size of the window stdout shows in, when it is a terminal that knows it.
    private static func windowSize() -> (columns: Int?, rows: Int?)? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return (size.ws_col > 0 ? Int(size.ws_col) : nil, size.ws_row > 0 ? Int(size.ws_row) : nil)
    }
}
