import ConsultCore
import Foundation

/// The file a command reads (`log --file`, `restore`), or stdin for `-`: its handle and the name
/// messages give it. A missing, unreadable or directory path is invalid input, said in one sentence.
enum InputFile {
    /// `takes` completes "PATH is a directory; …", e.g. "--file takes a JSONL file".
    static func open(_ path: String, takes: String) throws -> (handle: FileHandle, sourceName: String) {
        if path == "-" { return (FileHandle.standardInput, "The input") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConsultFailure(.invalidInput, "There is no file \(path); nothing was written.")
        }
        guard !isDirectory.boolValue else {
            throw ConsultFailure(
                .invalidInput, "\(path) is a directory; \(takes) (or - for stdin). Nothing was written.")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConsultFailure(
                .invalidInput, "Cannot read the file \(path) (check its permissions); nothing was written.")
        }
        return (handle, path)
    }
}
