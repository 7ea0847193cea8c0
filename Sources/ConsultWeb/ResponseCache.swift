import Hummingbird

/// An answer kept whole, so that it can be sent again: its status, headers and bytes.
struct Reply: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, contentType: String, body: String) {
        self.status = status
        headers = [.contentType: contentType]
        self.body = ByteBuffer(string: body)
    }

    var response: Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Answers already made, by URL and the entity tag they were made for: while the views do not
/// move, the same URL is answered from here without reading them again. Bounded by bytes; the
/// least recently used answers go first, so the server's memory stays flat under load.
actor ResponseCache {
    let capacity: Int
    private var entries: [String: (tag: String, reply: Reply, used: UInt64)] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0

    init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    func reply(for key: String, tag: String) -> Reply? {
        guard let entry = entries[key], entry.tag == tag else { return nil }
        clock += 1
        entries[key]?.used = clock
        return entry.reply
    }

    func store(_ reply: Reply, for key: String, tag: String) {
        let size = reply.body.readableBytes + key.utf8.count
        guard size <= capacity / 8 else { return }
        if let old = entries.removeValue(forKey: key) { bytes -= old.reply.body.readableBytes + key.utf8.count }
        clock += 1
        entries[key] = (tag, reply, clock)
        bytes += size
        while bytes > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
            entries[oldest.key] = nil
            bytes -= oldest.value.reply.body.readableBytes + oldest.key.utf8.count
        }
    }
}
