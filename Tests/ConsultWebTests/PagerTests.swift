import Hummingbird
import Testing

@testable import ConsultWeb

/// A long list on a page: a part at a time, with links to the others.
@Suite("web: pages, long lists")
struct PagerTests {
    func context(from: Int, english: Bool = false) throws -> PageContext {
        let query = "?owner=msit&from=\(from)" + (english ? "&lang=en" : "")
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/commitments" + query),
            body: .init(buffer: ByteBuffer()))
        return try PageContext(request, try QueryParameters(request, allowed: ["owner"] + PageContext.parameterNames))
    }

    @Test("the window is rowsPerPage rows from `from`, cut at the end; past the end it is empty")
    func window() throws {
        let size = PageContext.rowsPerPage
        #expect(Layout.window(250, try context(from: 0)) == 0..<size)
        #expect(Layout.window(250, try context(from: 200)) == 200..<250)
        #expect(Layout.window(250, try context(from: 900)).isEmpty)
    }

    @Test("the pager links to the previous and next parts and keeps the other parameters and the language")
    func links() throws {
        let size = PageContext.rowsPerPage
        let middle = Layout.pager(size * 3, try context(from: size, english: true)).markup
        #expect(middle.contains("href=\"/commitments?owner=msit&amp;lang=en\" rel=\"prev\""), "\(middle)")
        #expect(middle.contains("href=\"/commitments?owner=msit&amp;from=\(size * 2)&amp;lang=en\" rel=\"next\""))
        #expect(Layout.pager(size, try context(from: 0)).markup.isEmpty, "one part needs no pager")
    }
}
