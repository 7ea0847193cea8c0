import ConsultDomain
import Testing

@testable import ConsultWeb

@Suite("web: words for the schema's values")
struct WordsTests {
    @Test("every consultation kind and participant role has a Korean and an English label")
    func everyValueIsNamed() {
        for kind in EventSchema.consultationKinds {
            #expect(Words.consultationKinds[kind] != nil, "\(kind)")
        }
        for role in EventSchema.roles {
            #expect(Words.roles[role] != nil, "\(role)")
        }
        #expect(Words.kind("public_comment", .korean) == "입법·행정예고 의견수렴")
    }
}
