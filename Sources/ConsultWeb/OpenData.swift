import ConsultCore
import ConsultDomain
import Dispatch
import Hummingbird
import Synchronization

/// Open data: the commitments and requests as the CLI's `--format csv|json` writes them (the same
/// query, the same serializer: the same bytes), the whole log as `consult export` writes it, and
/// `/data` (and `/data.json`) describing every file and field.
enum OpenData {
    static func add(to router: Router<some RequestContext>, site: Site) {
        router.get("/data/commitments.csv") { request, _ in
            await rows(request, site, parameters: CommitmentsQuery.parameterNames, file: "commitments.csv") {
                try CommitmentsQuery($0)
            }
        }
        router.get("/data/commitments.json") { request, _ in
            await rows(request, site, parameters: CommitmentsQuery.parameterNames, file: "commitments.json") {
                try CommitmentsQuery($0)
            }
        }
        router.get("/data/requests.csv") { request, _ in
            await rows(request, site, parameters: RequestsQuery.parameterNames, file: "requests.csv") {
                try RequestsQuery($0)
            }
        }
        router.get("/data/events.jsonl") { request, _ in await events(request, site) }
        router.get("/data") { request, _ in await catalogue(request, site, json: false) }
        router.get("/data.json") { request, _ in await catalogue(request, site, json: true) }
    }

    /// Every row of `make`'s query (no paging: a download is the whole answer), as CSV or a JSON
    /// array by the file's extension, offered as a download named `file`.
    static func rows<Query: ListQuery>(
        _ request: Request, _ site: Site, parameters names: [String], file: String,
        query make: (QueryParameters) throws -> Query
    ) async -> Response {
        let query: Query
        do {
            let parameters = try QueryParameters(request, allowed: names)
            query = try make(parameters)
            try query.validate(names: API.name)
        } catch {
            return site.problem(error).response
        }
        let csv = file.hasSuffix(".csv")
        return await site.get(request) { read, _ in
            let answer = try await query.run(read, names: API.name)
            let objects = answer.rows.map(\.json)
            let text =
                csv
                ? CSVWriter.rows(objects, keys: Query.Row.keys)
                : JSONValue.array(objects.map(JSONValue.object)).serialized() + "\n"
            return Response(
                status: .ok,
                headers: [
                    .contentType: csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"\(file)\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// `/data/events.jsonl`: `consult export` (with `since`, `export --since`), streamed a page
    /// at a time from one snapshot on a pooled connection, so that a large log is never held
    /// whole in memory: the connection's thread waits while the client takes a page.
    static func events(_ request: Request, _ site: Site) async -> Response {
        let since: LogExport.Start?
        do {
            let parameters = try QueryParameters(request, allowed: ["since"])
            since = try parameters.one("since").map { try LogExport.start($0, option: "since") }
        } catch {
            return site.problem(error).response
        }
        let reads = site.reads
        let logger = site.logger
        // The tag and a 304 from site.get; the body is written after that read has ended, on a
        // read of its own.
        return await site.get(request) { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "application/x-ndjson",
                    .contentDisposition: "attachment; filename=\"events.jsonl\"",
                ],
                body: ResponseBody { writer in
                    let pages = ExportPages()
                    let producer = Task {
                        do {
                            try await reads.read { read in
                                try await LogExport.export(
                                    read.session.store, since: since, write: { try pages.put($0) })
                            }
                            pages.finish(nil)
                        } catch {
                            logger.error(
                                "export failed", metadata: ["error": "\(ConsultFailure.from(error).message)"])
                            pages.finish(error)
                        }
                    }
                    do {
                        for try await page in pages.stream {
                            try await writer.write(ByteBuffer(bytes: page))
                            pages.taken()
                        }
                    } catch {
                        pages.cancel()
                        _ = await producer.result
                        throw error
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// `/data`: a page listing every file with its fields; `/data.json` the same as JSON.
    static func catalogue(_ request: Request, _ site: Site, json: Bool) async -> Response {
        do {
            _ = try QueryParameters(request, allowed: [])
        } catch {
            return site.problem(error).response
        }
        if json { return API.json(OpenDataCatalogue.json).response }
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page())))
    }

    /// The `/data` page: semantic HTML, every text escaped, no inline style or script (the CSP
    /// forbids them).
    static func page() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Open data — Consultation Tracker</title>
            </head>
            <body>
            <main>
            <h1>Open data</h1>
            <p>The record of consultations between government and industry, and of the commitments made there, \
            free to download. The files are made by the same queries as the <code>consult</code> command line, so \
            they equal its output for the same parameters. <a href="/data.json">This description as JSON</a>.</p>
            <p>Commitments also have <a href="/feeds/commitments.atom">an Atom feed</a> (and one per owner, topic and \
            commitment under /feeds/), and the JSON API is described at \
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>

            """
        for file in OpenDataCatalogue.files {
            html += "<section>\n<h2><a href=\"\(escape(file.path))\">\(escape(file.path))</a></h2>\n"
            html += "<p>\(escape(file.title)) (\(escape(file.mediaType))). \(escape(file.description))</p>\n"
            html += "<table>\n<caption>Fields of \(escape(file.path))</caption>\n"
            html += "<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Meaning</th></tr></thead>\n<tbody>\n"
            for field in file.fields {
                html +=
                    "<tr><th scope=\"row\"><code>\(escape(field.name))</code></th><td>\(escape(field.meaning))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n</section>\n"
        }
        html += """
            <p>Dates are ISO 8601 calendar dates; times are RFC 3339. asOf answers for a date (events dated after it \
            are ignored; default today); recordedAsOf answers with what the tracker knew at a time (events recorded \
            after it are ignored). Nothing is ever edited or deleted in place: corrections and retractions are events \
            of their own, in events.jsonl.</p>
            </main>
            </body>
            </html>

            """
        return html
    }

    /// `text` as HTML character data or a quoted attribute value.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// The pages of an export on their way from the connection's thread to the response: one page is
/// handed over at a time, and the thread waits until the response has written it (or given up).
final class ExportPages: @unchecked Sendable {
    // Unchecked: the semaphore is thread-safe; the rest is immutable or a Mutex/Atomic.
    let stream: AsyncThrowingStream<[UInt8], any Error>
    private let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let written = DispatchSemaphore(value: 0)
    private let cancelled = Atomic<Bool>(false)

    struct Cancelled: Error {}

    init() {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        self.stream = stream
        self.continuation = continuation
    }

    /// Hands `bytes` over and waits until they are written; throws when the response gave up.
    func put(_ bytes: [UInt8]) throws {
        if cancelled.load(ordering: .acquiring) { throw Cancelled() }
        continuation.yield(bytes)
        written.wait()
        if cancelled.load(ordering: .acquiring) { throw Cancelled() }
    }

    /// The page handed over last is written.
    func taken() { written.signal() }

    /// The response gave up: the waiting thread goes on, and stops.
    func cancel() {
        cancelled.store(true, ordering: .releasing)
        written.signal()
    }

    func finish(_ error: (any Error)?) { continuation.finish(throwing: error) }
}
