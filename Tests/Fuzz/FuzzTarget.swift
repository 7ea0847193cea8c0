// The libFuzzer target of tools/fuzz: JSONL input through the line reader, the JSON parser, the
// envelope checks and the batch rules, as `consult log --file` takes it before the database.
// Compiled by tools/fuzz together with Sources/ConsultDomain and the line reader as one module
// (so no imports of them here), with -sanitize=fuzzer,address.
//
// Besides "no crash, no hang", two properties are checked on every input:
// - every JSON value the parser accepts serializes to text that parses back to the same value;
// - the rules give the same verdict when run twice on the same batch (they are pure).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func consultFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var reader = JSONLinesReader(bytes: input)
    var batch: [BatchRules.Event] = []
    while let line = try? reader.next() {
        guard case .text(_, let bytes) = line else { continue }
        guard let value = try? JSONValue.parse(bytes) else { continue }
        let text = value.serialized()
        guard let again = try? JSONValue.parse(Array(text.utf8)), again == value else {
            fatalError("serialized JSON does not parse back to the same value: \(text)")
        }
        if case .success(let envelope) = EventEnvelope.parse(value) {
            batch.append(BatchRules.Event(id: envelope.id ?? UUID(), type: envelope.type, data: envelope.data))
        }
    }
    var first = RecordIndex()
    var second = RecordIndex()
    let verdict = BatchRules.check(batch, against: &first).map { "\($0.0) \($0.1)" }
    guard verdict == BatchRules.check(batch, against: &second).map({ "\($0.0) \($0.1)" }) else {
        fatalError("the rules gave two verdicts on one batch")
    }
    return 0
}
