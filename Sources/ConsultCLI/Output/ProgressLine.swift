import Foundation
import Synchronization

/// One line of progress on stderr, rewritten in place, and only when stderr is a terminal: what
/// a long command is doing (reading, checking, writing, replaying) and how fast.
final class ProgressLine: Sendable {
    let enabled: Bool
    private let start: Mutex<Date>
    private let shown = Mutex(false)

    init(enabled: Bool = Terminal.stderrIsTerminal, started: Date = Date()) {
        self.enabled = enabled
        self.start = Mutex(started)
    }

    /// When the work the rate is measured over started.
    var started: Date { start.withLock { $0 } }

    /// Measures the rate from now on: the next stage of the work (writing after reading).
    func restart() {
        start.withLock { $0 = Date() }
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

    /// `what: 3.2 of 12.0 MB (26 %, 8.1 MB/s, 1 s left)`; without a total, the bytes and the rate.
    func show(_ what: String, bytes done: Int, of total: Int?) {
        guard enabled else { return }
        let rate = self.rate(done)
        guard let total, total > 0 else {
            show("\(what): \(Self.megabytes(done)) MB (\(Self.megabytes(rate)) MB/s)")
            return
        }
        let percent = min(100, done * 100 / total)
        let left = rate > 0 ? ", \(max(0, (total - done) / rate)) s left" : ""
        show(
            "\(what): \(Self.megabytes(done)) of \(Self.megabytes(total)) MB (\(percent) %, \(Self.megabytes(rate)) MB/s\(left))"
        )
    }

    /// Bytes in megabytes (10⁶ bytes) with one decimal: `12.3`.
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10)"
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
