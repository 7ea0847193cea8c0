import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import Testing

/// A line as read, copied out of the reader's buffer; `bytes` is nil for a line that was too long.
private struct ReadLine: Equatable, CustomStringConvertible {
    var number: Int
    var bytes: [UInt8]?

    static func text(_ number: Int, _ text: String) -> ReadLine { ReadLine(number: number, bytes: Array(text.utf8)) }
    static func text(_ number: Int, _ bytes: [UInt8]) -> ReadLine { ReadLine(number: number, bytes: bytes) }
    static func tooLong(_ number: Int) -> ReadLine { ReadLine(number: number, bytes: nil) }

    /// Short lines as text, long ones by length only, so failures stay readable.
    var description: String {
        guard let bytes else { return "\(number): too long" }
        if bytes.count <= 80 { return "\(number): \(String(decoding: bytes, as: UTF8.self).debugDescription)" }
        return "\(number): \(bytes.count) bytes"
    }
}

private let mebibyte = 1 << 20

/// Writes `bytes` to a new temporary file, opens it with `FileHandle(forReadingAtPath:)`, runs `body`, and removes it.
private func withFile<T>(_ bytes: [UInt8], _ body: (FileHandle) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID().uuidString).jsonl")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let handle = try #require(FileHandle(forReadingAtPath: url.path))
    defer { try? handle.close() }
    return try body(handle)
}

private func withFile<T>(_ text: String, _ body: (FileHandle) throws -> T) throws -> T {
    try withFile(Array(text.utf8), body)
}

/// Every line `JSONLinesReader` reads from a file holding `bytes`.
private func readLines(_ bytes: [UInt8]) throws -> [ReadLine] {
    try withFile(bytes) { handle in
        var reader = JSONLinesReader(handle: handle)
        var lines: [ReadLine] = []
        while let line = try reader.next() {
            switch line {
            case .text(let number, let bytes): lines.append(.text(number, Array(bytes)))
            case .tooLong(let number): lines.append(.tooLong(number))
            }
        }
        // Reading past the end keeps returning nil.
        #expect(try reader.next() == nil)
        return lines
    }
}

private func readLines(_ text: String) throws -> [ReadLine] {
    try readLines(Array(text.utf8))
}

/// `count` bytes of printable ASCII without newlines or carriage returns, different for each `seed`.
///
/// The pattern repeats every 4,099 bytes (a prime), so a piece of a line moved by a 64 KiB read chunk shows.
private func filler(_ count: Int, seed: Int = 0) -> [UInt8] {
    let block = (0..<4_099).map { UInt8(ascii: "!") + UInt8((($0 &* 7_919) ^ ($0 >> 3) &+ seed &* 13) % 90) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    var offset = seed % block.count
    while bytes.count < count {
        let piece = block[offset...].prefix(count - bytes.count)
        bytes += piece
        offset = 0
    }
    return bytes
}

/// Parses a file holding `text` and returns the failure, recording an issue when it succeeds or fails otherwise.
private func parseFailure(_ text: String, sourceName: String = "events.jsonl") throws -> ConsultFailure {
    try withFile(text) { handle in
        try #require(throws: ConsultFailure.self) {
            try EventFileParser.parse(handle, sourceName: sourceName)
        }
    }
}

private func event(_ type: String, _ data: String) -> String {
    #"{"type":"\#(type)","data":\#(data)}"#
}

@Suite("JSONL input")
struct JSONLinesReaderTests {
    // MARK: - Lines

    @Test("lines are numbered from 1, empty lines included")
    func numbering() throws {
        #expect(
            try readLines("a\nbb\n\nccc\n \n") == [
                .text(1, "a"), .text(2, "bb"), .text(3, ""), .text(4, "ccc"), .text(5, " "),
            ])
    }

    @Test("CRLF line ends are stripped, other carriage returns are kept")
    func crlf() throws {
        #expect(try readLines("a\r\nb\r\n\r\nc") == [.text(1, "a"), .text(2, "b"), .text(3, ""), .text(4, "c")])
        #expect(try readLines("a\rb\r\n\r\r\n") == [.text(1, "a\rb"), .text(2, "\r")])
        #expect(try readLines("x\r\ny\n") == [.text(1, "x"), .text(2, "y")])
    }

    @Test("the last line need not end with a newline")
    func lastLineWithoutNewline() throws {
        #expect(try readLines("first\nlast") == [.text(1, "first"), .text(2, "last")])
        #expect(try readLines("only") == [.text(1, "only")])
        #expect(try readLines("first\nlast\n") == [.text(1, "first"), .text(2, "last")])
    }

    @Test("an empty file has no lines; a lone newline is one empty line")
    func emptyFile() throws {
        #expect(try readLines("") == [])
        #expect(try readLines("\n") == [.text(1, "")])
        #expect(try readLines("\n\n") == [.text(1, ""), .text(2, "")])
    }

    @Test("non-UTF-8 bytes are passed through untouched")
    func rawBytes() throws {
        #expect(try readLines([0xFF, 0x00, 0x0A, 0xFE]) == [.text(1, [0xFF, 0x00]), .text(2, [0xFE])])
    }

    // MARK: - The 1 MiB limit

    @Test("a line of exactly 1 MiB is read as text")
    func exactlyOneMiB() throws {
        #expect(JSONLinesReader.maximumLineBytes == 1_048_576)
        let line = filler(mebibyte)
        let lines = try readLines(line + Array("\nnext\n".utf8))
        #expect(lines == [.text(1, line), .text(2, "next")])
    }

    @Test("a line of exactly 1 MiB followed by CRLF is read as text")
    func exactlyOneMiBWithCRLF() throws {
        let line = filler(mebibyte, seed: 1)
        #expect(try readLines(line + Array("\r\nnext\r\n".utf8)) == [.text(1, line), .text(2, "next")])
    }

    @Test("a last line of exactly 1 MiB without a newline is read as text")
    func exactlyOneMiBAtEnd() throws {
        let line = filler(mebibyte, seed: 2)
        #expect(try readLines(Array("first\n".utf8) + line) == [.text(1, "first"), .text(2, line)])
    }

    @Test("a line of 1 MiB + 1 is too long, and the next line is read with the next number")
    func oneByteTooLong() throws {
        let lines = try readLines(Array("first\n".utf8) + filler(mebibyte + 1) + Array("\nnext\nlast".utf8))
        #expect(lines == [.text(1, "first"), .tooLong(2), .text(3, "next"), .text(4, "last")])
    }

    @Test("a line of 1 MiB + 1 followed by CRLF is too long")
    func oneByteTooLongWithCRLF() throws {
        let lines = try readLines(filler(mebibyte + 1) + Array("\r\nnext\r\n".utf8))
        #expect(lines == [.tooLong(1), .text(2, "next")])
    }

    @Test("a last line of 1 MiB + 1 without a newline is too long")
    func oneByteTooLongAtEnd() throws {
        #expect(try readLines(Array("first\n".utf8) + filler(mebibyte + 1)) == [.text(1, "first"), .tooLong(2)])
        #expect(try readLines(filler(mebibyte + 2)) == [.tooLong(1)])
    }

    @Test("a 5 MiB line is reported once as too long")
    func fiveMiB() throws {
        let long = filler(5 * mebibyte)
        let lines = try readLines(Array("{}\n".utf8) + long + Array("\n{\"a\":1}\n".utf8))
        #expect(lines == [.text(1, "{}"), .tooLong(2), .text(3, #"{"a":1}"#)])
        #expect(try readLines(long) == [.tooLong(1)])
    }

    @Test("two too-long lines in a row are two reports, and a short line after them is intact")
    func consecutiveLongLines() throws {
        let long = filler(mebibyte + 70_000, seed: 5)
        let lines = try readLines(long + Array("\r\n".utf8) + long + Array("\nok".utf8))
        #expect(lines == [.tooLong(1), .tooLong(2), .text(3, "ok")])
    }

    // MARK: - Chunk boundaries

    @Test("lines spanning the 64 KiB read chunks come back intact")
    func chunkBoundaries() throws {
        var expected: [[UInt8]] = []
        var file: [UInt8] = []
        for index in 0..<60 {
            let line = filler(70_000 + index * 37, seed: index)
            expected.append(line)
            file += line
            file += index.isMultiple(of: 3) ? [0x0D, 0x0A] : [0x0A]
        }
        let lines = try readLines(file)
        #expect(lines.count == expected.count)
        for (index, line) in lines.enumerated() where index < expected.count {
            #expect(line.number == index + 1)
            #expect(line.bytes == expected[index], "line \(index + 1) differs")
        }
    }

    @Test("a newline or CRLF that falls exactly on a chunk boundary")
    func newlineOnChunkBoundary() throws {
        let chunk = 1 << 16
        // The newline is the last byte of the first chunk.
        let first = filler(chunk - 1)
        #expect(try readLines(first + [0x0A] + Array("b\n".utf8)) == [.text(1, first), .text(2, "b")])
        // The newline is the first byte of the second chunk.
        let second = filler(chunk, seed: 3)
        #expect(try readLines(second + [0x0A] + Array("b".utf8)) == [.text(1, second), .text(2, "b")])
        // The carriage return ends the first chunk, its newline starts the second.
        let third = filler(chunk - 1, seed: 4)
        #expect(try readLines(third + Array("\r\nb\r\n".utf8)) == [.text(1, third), .text(2, "b")])
    }

    @Test("many short lines across many chunks keep their numbers")
    func manyShortLines() throws {
        let count = 50_000
        let text = (1...count).map { "\($0)" }.joined(separator: "\n")
        let lines = try readLines(text)
        #expect(lines.count == count)
        let mismatches = lines.filter { $0.bytes != Array("\($0.number)".utf8) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    // MARK: - EventFileParser

    @Test("events come back with their input lines; blank lines are skipped but counted")
    func parsesEvents() throws {
        let target = "1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0001"
        let text = [
            "",
            #"{"type":"StakeholderRegistered","id":"\#(target)","data":{"stakeholderId":"msit"},"#
                + #""metadata":{"by":"t"}}"#,
            "   \t ",
            "\r",
            event("CommitmentMade", #"{"commitmentId":"gpu-2024","amount":1.50}"#) + "\r",
            #"{"type":"RecordCorrected","expectedVersion":0,"data":{"correctsEventId":"\#(target)"}}"#,
            "",
        ].joined(separator: "\n")
        let parsed = try withFile(text) { try EventFileParser.parse($0, sourceName: "events.jsonl") }
        #expect(parsed.lines == [2, 5, 6])
        try #require(parsed.events.count == 3)
        let id = try #require(UUID(uuidString: target))

        #expect(parsed.events[0].id == id)
        #expect(parsed.events[0].type == "StakeholderRegistered")
        #expect(parsed.events[0].schemaVersion == 1)
        #expect(parsed.events[0].stream == .stream("stakeholder-msit"))
        #expect(parsed.events[0].expectedVersion == nil)
        // As jsonb prints them (keys by length, then bytes; ", " and ": "), so the store hashes them.
        #expect(parsed.events[0].data == #"{"stakeholderId": "msit"}"#)
        #expect(parsed.events[0].metadata == #"{"by": "t"}"#)
        #expect(parsed.events[0].isJSONBText)

        #expect(parsed.events[1].type == "CommitmentMade")
        #expect(parsed.events[1].stream == .stream("commitment-gpu-2024"))
        #expect(parsed.events[1].data == #"{"amount": 1.50, "commitmentId": "gpu-2024"}"#)
        #expect(parsed.events[1].metadata == "{}")
        #expect(parsed.events[1].id != parsed.events[2].id)

        #expect(parsed.events[2].type == "RecordCorrected")
        #expect(parsed.events[2].stream == .streamOfEvent(id))
        #expect(parsed.events[2].expectedVersion == 0)
    }

    @Test("an empty or blank file parses to no events")
    func emptyInput() throws {
        for text in ["", "\n", "\n \n\t\n\r\n", "  "] {
            let parsed = try withFile(text) { try EventFileParser.parse($0, sourceName: "empty.jsonl") }
            #expect(parsed.events.isEmpty)
            #expect(parsed.lines.isEmpty)
        }
    }

    @Test("invalid lines fail with exit code 65 and details naming each line")
    func invalidLines() throws {
        let long = String(repeating: "x", count: mebibyte + 1)
        let text = [
            event("StakeholderRegistered", #"{"stakeholderId":"msit"}"#),
            "not json",
            "",
            event("Nope", "{}"),
            long,
            event("RequestMade", #"{"requestId":"Bad Id"}"#),
            #"{"data":[],"extra":1}"#,
            "[1,2]",
            event("RequestMade", #"{"requestId":"ok"}"#),
        ].joined(separator: "\n")
        let failure = try parseFailure(text, sourceName: "batch.jsonl")
        #expect(failure.exitCode == 65)
        #expect(failure.kind == .invalidInput)
        #expect(failure.message == "batch.jsonl has 6 invalid lines; nothing was written.")
        try #require(failure.details.count == 8)
        #expect(failure.details[0] == "line 2: not valid JSON: unexpected character 'o', expected 'null' (at byte 2)")
        #expect(failure.details[1] == #"line 4: type "Nope" is not a known event type"#)
        #expect(failure.details[2] == "line 5: longer than 1 MiB")
        #expect(failure.details[3] == #"line 6: data.requestId "Bad Id" is not a valid id (\#(Slug.rule))"#)
        #expect(failure.details[4].hasPrefix("line 7: extra is not a known field"))
        #expect(failure.details[5] == "line 7: type is required")
        #expect(failure.details[6] == "line 7: data must be an object, not array")
        #expect(failure.details[7] == "line 8: must be a JSON object, not array")
    }

    @Test("a JSON error's byte is counted from 1 within its line")
    func jsonErrorOffset() throws {
        let failure = try parseFailure("\n" + #"{"type":"RequestMade","data":{"requestId":"r"},}"#)
        #expect(
            failure.details == [
                #"line 2: not valid JSON: unexpected character '}', expected a string key (at byte 48)"#
            ])
    }

    @Test("a single invalid entry is named in the singular")
    func singleInvalidEntry() throws {
        let failure = try parseFailure(event("RequestMade", "{}") + "\n")
        #expect(failure.exitCode == 65)
        #expect(failure.message == "events.jsonl has 1 invalid line; nothing was written.")
        #expect(failure.details == ["line 1: data.requestId is required"])
    }

    @Test("a too-long line fails the parse and the lines after it keep their numbers")
    func tooLongInParser() throws {
        let text = "\n" + String(repeating: "y", count: 5 * mebibyte) + "\n\n" + event("RequestMade", "[]")
        let failure = try parseFailure(text)
        #expect(failure.details == ["line 2: longer than 1 MiB", "line 4: data must be an object, not array"])
    }

    @Test("a valid line of exactly 1 MiB is accepted")
    func oneMiBEvent() throws {
        let prefix = #"{"type":"StatementRecorded","data":{"consultationId":"c-1","text":""#
        let suffix = #""}}"#
        let padding = String(repeating: "p", count: mebibyte - prefix.utf8.count - suffix.utf8.count)
        let line = prefix + padding + suffix
        try #require(line.utf8.count == mebibyte)
        let parsed = try withFile("\n" + line + "\r\n") { try EventFileParser.parse($0, sourceName: "big.jsonl") }
        #expect(parsed.lines == [2])
        #expect(parsed.events.first?.stream == .stream("consultation-c-1"))

        let failure = try parseFailure("\n" + prefix + "p" + padding + suffix + "\n")
        #expect(failure.details == ["line 2: longer than 1 MiB"])
    }

    @Test(
        "details stop at 20, followed by how many more there are", arguments: [(20, 0), (21, 1), (25, 5), (300, 280)])
    func detailsCapped(invalid: Int, hidden: Int) throws {
        let text = (1...invalid).map { _ in "nope" }.joined(separator: "\n")
        let failure = try parseFailure(text)
        #expect(failure.exitCode == 65)
        #expect(failure.message == "events.jsonl has \(invalid) invalid lines; nothing was written.")
        let shown = failure.details.prefix(EventFileParser.shownViolations)
        #expect(EventFileParser.shownViolations == 20)
        #expect(shown.count == 20)
        for (index, detail) in shown.enumerated() {
            #expect(detail.hasPrefix("line \(index + 1): not valid JSON"), "\(detail)")
        }
        if hidden == 0 {
            #expect(failure.details.count == 20)
        } else {
            #expect(failure.details.count == 21)
            #expect(failure.details.last == "… and \(hidden) more")
        }
    }

    @Test("violations of one line count separately towards the cap")
    func capCountsViolations() throws {
        // Each line has three violations: an unknown key, a missing type and a missing data.
        let text = (1...8).map { _ in #"{"x":1}"# }.joined(separator: "\n")
        let failure = try parseFailure(text)
        #expect(failure.message == "events.jsonl has 8 invalid lines; nothing was written.")
        #expect(failure.details.count == 21)
        #expect(failure.details[18].hasPrefix("line 7: x is not a known field"))
        #expect(failure.details[19] == "line 7: type is required")
        #expect(failure.details.last == "… and 4 more")
        #expect(failure.description.hasPrefix("events.jsonl has 8 invalid lines; nothing was written.\nline 1: x "))
    }

    @Test("input echoed in a message cannot forge extra lines: control characters are escaped")
    func controlCharactersEscaped() throws {
        let text = #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a"},"x\nline 9: forged":1}"#
        let failure = try parseFailure(text)
        #expect(failure.details.count == 1)
        #expect(failure.details[0].contains(#"x\u{a}line 9: forged"#))
        #expect(!failure.description.contains("\nline 9"))
    }
}
