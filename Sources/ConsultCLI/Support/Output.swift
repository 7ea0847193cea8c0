import Foundation

/// Buffered writing to stdout and stderr.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { FileHandle.standardOutput.write(Data($0)) }
    }

    static func writeLine(_ text: String = "") {
        write(text + "\n")
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
