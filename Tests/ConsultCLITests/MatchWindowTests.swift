import Testing

@testable import ConsultCLI

/// The table cell of a search hit: the match in brackets, kept in view when the text is cut.
@Suite("a search match stays in view in a cut cell")
struct MatchWindowTests {
    static let text = "스타트업은 인재 확보가 가장 어렵다고 말했다."

    func window(_ word: String, width: Int, in text: String = Self.text) -> String {
        let characters = Array(text)
        let start = (0...(characters.count - word.count)).first { String(characters[$0..<($0 + word.count)]) == word }
        let lower = start ?? 0
        return TextTable.window(text, around: lower..<(lower + word.count), width: width)
    }

    @Test("a text that fits is whole, the match in brackets")
    func whole() {
        #expect(window("인재", width: 100) == "스타트업은 [인재] 확보가 가장 어렵다고 말했다.")
    }

    @Test("a cut text keeps the match and as much on either side as fits, by display width")
    func cut() {
        for width in 8...40 {
            for word in ["스타트업은", "인재", "가장", "말했다."] where DisplayWidth.of("[\(word)]") <= width {
                let cell = window(word, width: width)
                #expect(DisplayWidth.of(cell) <= width, "\(word) in \(width): \(cell)")
                #expect(cell.contains("[\(word)]"), "\(word) in \(width): \(cell)")
            }
        }
        #expect(window("말했다.", width: 20) == "… 어렵다고 [말했다.]")
        #expect(window("스타트업은", width: 20) == "[스타트업은] 인재 …")
        #expect(window("가장", width: 16) == "…보가 [가장] 어…")
    }

    @Test("with no room around it, the match alone; too wide itself, its start")
    func narrowest() {
        #expect(window("말했다.", width: 9) == "[말했다.]")
        #expect(window("어렵다고 말했다.", width: 8) == "[어렵다…")
    }
}
