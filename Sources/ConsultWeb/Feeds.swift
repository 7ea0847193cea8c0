import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird

/// The Atom feeds (RFC 4287): commitments made, restated, progressed (slips included), corrected
/// or retracted, newest first, one entry per event, for everyone to follow in a feed reader.
enum Feeds {
    static let contentType = "application/atom+xml; charset=utf-8"

    static func add(to router: Router<some RequestContext>, site: Site) {
        router.get("/feeds/commitments.atom") { request, _ in
            await feed(request, site, scope: .all, path: ["commitments.atom"])
        }
        router.get("/feeds/commitments/{id}.atom") { request, context in
            let id = capture(context, "id")
            return await feed(request, site, scope: .commitment(id), path: ["commitments", id + ".atom"])
        }
        router.get("/feeds/owners/{id}.atom") { request, context in
            let id = capture(context, "id")
            return await feed(request, site, scope: .owner(id), path: ["owners", id + ".atom"])
        }
        router.get("/feeds/topics/{topic}.atom") { request, context in
            let topic = capture(context, "topic")
            return await feed(request, site, scope: .topic(topic), path: ["topics", topic + ".atom"])
        }
    }

    /// A path capture, percent-decoded (the router matches the path as it came).
    static func capture(_ context: some RequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// The feed of `scope`: `limit` entries at most (default 200), no other parameter; a 404 for a
    /// stakeholder or commitment that is not there.
    static func feed(_ request: Request, _ site: Site, scope: CommitmentFeed.Scope, path: [String]) async -> Response {
        let limit: Int
        do {
            let parameters = try QueryParameters(request, allowed: ["limit"])
            limit =
                try parameters.integer("limit", in: 1...CommitmentFeed.maximumLimit) ?? CommitmentFeed.defaultLimit
        } catch {
            return site.problem(error).response
        }
        let base = baseURL(request)
        return await site.get(request) { read, fresh in
            guard let entries = try await CommitmentFeed.entries(scope, read: read, limit: limit) else {
                throw Problem(status: .notFound, detail: notFound(scope))
            }
            // The feed changed when its latest entry was recorded (the latest time, not the first
            // entry's: the log is ordered by transaction, and a transaction's time is its start);
            // an empty feed says how current the views are.
            var feed = AtomFeed(
                id: "urn:consult:feeds:" + path.map(percentEncoded).joined(separator: ":"),
                title: title(scope, summary: entries.first?.summary),
                updated: entries.map(\.event.recordedAt).max() ?? fresh.lastRecordedAt?.description
                    ?? "1970-01-01T00:00:00Z",
                selfLink: base + "/feeds/" + path.map(percentEncoded).joined(separator: "/"),
                alternateLink: base + alternatePath(scope))
            feed.entries = entries.map { entry in
                AtomFeed.Entry(
                    id: "urn:uuid:" + entry.event.id.uuidString.lowercased(), title: entry.title,
                    updated: entry.event.recordedAt, link: base + "/commitments/" + percentEncoded(entry.commitmentID),
                    category: entry.event.type, content: entry.text)
            }
            return Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: feed.document)))
        }
    }

    /// The feed's title; one commitment's names it by its summary.
    static func title(_ scope: CommitmentFeed.Scope, summary: String?) -> String {
        switch scope {
        case .all: "Commitments: what was promised, and what became of it"
        case .owner(let id): "Commitments owned by \(id)"
        case .topic(let topic): "Commitments on \(topic)"
        case .commitment(let id): "Commitment \(id)" + (summary.map { ": \($0)" } ?? "")
        }
    }

    static func alternatePath(_ scope: CommitmentFeed.Scope) -> String {
        switch scope {
        case .all: "/commitments"
        case .owner(let id): "/stakeholders/" + percentEncoded(id)
        case .topic(let topic): "/commitments?topic=" + percentEncoded(topic)
        case .commitment(let id): "/commitments/" + percentEncoded(id)
        }
    }

    static func notFound(_ scope: CommitmentFeed.Scope) -> String {
        switch scope {
        case .owner(let id):
            "No stakeholder has the id \(QueryParameters.printable(id)); /api/v1/stakeholders lists them."
        case .commitment(let id):
            "No commitment has the id \(QueryParameters.printable(id)); /api/v1/commitments lists them."
        default: "Nothing is here."
        }
    }

    /// `http://<Host>` (https when a proxy says so in `X-Forwarded-Proto`), so that a feed
    /// reader resolves each entry's link; empty (links relative to the feed's own address) when
    /// the request names no usable host. Only a host name, an IPv4 or bracketed IPv6 address and a
    /// port are taken from the header: nothing else of it reaches the feed.
    static func baseURL(_ request: Request) -> String {
        guard let host = request.head.authority, isPlainHost(host) else { return "" }
        let scheme = request.headers[forwardedProto] == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }

    static let forwardedProto = HTTPFields.Element.Name("X-Forwarded-Proto")!

    static func isPlainHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 255 else { return false }
        var name = Substring(host)
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let address = name[name.index(after: name.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return false
            }
            name = name[name.index(after: close)...]
            return name.isEmpty || (name.hasPrefix(":") && isPort(name.dropFirst()))
        }
        if let colon = name.firstIndex(of: ":") {
            guard isPort(name[name.index(after: colon)...]) else { return false }
            name = name[..<colon]
        }
        return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `text` as one path segment or query value: every byte but the unreserved ones
    /// (RFC 3986) percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return encoded
    }
}
