import Foundation
import Synchronization

/// One line of progress on stderr, rewritten in place, and only when stderr is a terminal: what
/// a long command is doing (reading, checking, writing, replaying) and how fast.
final class ProgressLine: Sendable {
    let enabled: Bool
    let started: Date
    private let shown = Mutex(false)

    init(enabled: Bool = Terminal.stderrIsTerminal, started: Date = Date()) {
        self.enabled = enabled
        self.started = started
    }

    /// Replaces the line with `text`.
    func show(_ text: String) {
        guard enabled else { return }
        shown.withLock { $0 = true }
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    /// `what: 12,000 of 50,000 events (24 %, 9,800 events/s, 4 s left)`; without a total, the
    /// count and the rate.
    func show(_ what: String, done: Int, of total: Int?, _ unit: String) {
        guard enabled else { return }
        let rate = self.rate(done)
        guard let total, total > 0 else {
            show("\(what): \(done) \(unit) (\(rate) \(unit)/s)")
            return
        }
        let percent = min(100, done * 100 / total)
        let left = rate > 0 ? ", \(max(0, (total - done) / rate)) s left" : ""
        show("\(what): \(done) of \(total) \(unit) (\(percent) %, \(rate) \(unit)/s\(left))")
    }

    /// `count` per second since the start.
    func rate(_ count: Int) -> Int {
        Int(Double(count) / max(Date().timeIntervalSince(started), 0.001))
    }

    /// Ends the line: keeps it (a new line after it) or clears it, when something was shown.
    func finish(keep: Bool = false) {
        guard enabled, shown.withLock({ $0 }) else { return }
        FileHandle.standardError.write(Data((keep ? "\n" : "\r\u{1B}[K").utf8))
    }
}
