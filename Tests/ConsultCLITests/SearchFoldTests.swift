import Foundation
import TestSupport
import Testing

@testable import Projections

/// Search folding skips normalizing and lower-casing where they cannot change anything; it must
/// give exactly what always doing both gives.
@Suite("search folding")
struct SearchFoldTests {
    static func reference(_ text: String) -> String { text.precomposedStringWithCanonicalMapping.lowercased() }

    @Test("the same as NFC then lower case, on Korean, Latin, decomposed and mixed text")
    func sameAsAlways() {
        let samples = [
            "", "인재", "AI 인재 비자", "Talent is SCARCE", "ÀÉÎÕÜ àéîõü ß", "Å (U+212B)", "\u{212B}ngström",
            "e\u{0301}cole", "\u{1100}\u{1161}\u{11A8}", "가\u{11A8}", "ΑΒΓ δ", "ＡＢＣ", "İstanbul", "ǅ", "日本語 テキスト",
            "\u{F900}", "\u{2000}space", "mixed 한글 and ÄÖÜ with e\u{0301}",
        ]
        for sample in samples {
            #expect(SearchView.fold(sample) == Self.reference(sample), "\(sample.debugDescription)")
        }
        // Random strings over a mix of scalars, seeded so a failure can be replayed.
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "À", "ß", "ÿ", "\u{0301}", "\u{0308}", "\u{1100}", "\u{1161}", "\u{11A8}", "가", "힣",
            "\u{212B}", "Ω", "\u{2126}", "İ", "ﬁ", "Ａ", "日", "\u{F900}",
        ]
        var generator = SplitMix64(seed: 20_261_123)
        for _ in 0..<2000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int(generator.next() % 8) {
                text.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            let string = String(text)
            #expect(SearchView.fold(string) == Self.reference(string), "\(string.debugDescription)")
        }
    }
}
