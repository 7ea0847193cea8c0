import Foundation

/// Reads a file (or stdin) line by line in fixed-size chunks, so memory stays bounded by the
/// longest line allowed, not the file.
public struct JSONLinesReader {
    /// SPEC.md: at most 1 MiB a line.
    public static let maximumLineBytes = 1 << 20

    public enum Line {
        case text(number: Int, bytes: ArraySlice<UInt8>)
        case tooLong(number: Int)
    }

    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes: bytes before it hold none.
    private var scanned = 0
    private var atEnd = false
    private var lineNumber = 0
    private var skippingLongLine = false
    /// The bytes taken from the input so far (in chunks: ahead of the lines returned by less than one).
    public private(set) var bytesRead = 0

    public init(handle: FileHandle) {
        self.handle = handle
    }

    /// Reads `text` (already in memory, e.g. the embedded sample dataset).
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Reads `bytes` (already in memory; the fuzz target's input).
    public init(bytes: [UInt8]) {
        handle = nil
        buffer = bytes
        bytesRead = bytes.count
        atEnd = true
    }

    /// The next line without its `\n` (and a `\r` before it), or nil at the end of input.
    public mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                scanned = start
                if skippingLongLine || line.count > Self.maximumLineBytes {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                return .text(number: lineNumber, bytes: line)
            }
            if buffer.count - start > Self.maximumLineBytes + 1 {
                // Keep nothing of a line that is already too long; remember to report it.
                skippingLongLine = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            scanned = buffer.count
            if atEnd {
                guard start < buffer.count || skippingLongLine else { return nil }
                lineNumber += 1
                let line = buffer[start...]
                start = buffer.count
                if skippingLongLine || line.count > Self.maximumLineBytes {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                return .text(number: lineNumber, bytes: line)
            }
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            let chunk = try handle?.read(upToCount: 1 << 16) ?? Data()
            if chunk.isEmpty {
                atEnd = true
            } else {
                buffer.append(contentsOf: chunk)
                bytesRead += chunk.count
            }
        }
    }
}
