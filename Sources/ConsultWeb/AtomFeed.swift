import ConsultCore
import ConsultDomain

/// An Atom feed document (RFC 4287), written as text: every stored text is escaped, and what XML
/// 1.0 cannot hold at all (C0 controls other than tab, newline and carriage return; U+FFFE,
/// U+FFFF) is replaced by U+FFFD, since an escape such as `&#1;` is not allowed either.
struct AtomFeed {
    struct Entry {
        var id: String
        var title: String
        var updated: String
        var link: String
        var category: String
        var content: String
    }

    var id: String
    var title: String
    var updated: String
    var selfLink: String
    var alternateLink: String
    var entries: [Entry] = []

    var document: String {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        xml += "  <id>\(Self.escape(id))</id>\n"
        xml += "  <title type=\"text\">\(Self.escape(title))</title>\n"
        xml += "  <updated>\(Self.escape(updated))</updated>\n"
        xml += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(Self.escape(selfLink))\"/>\n"
        xml += "  <link rel=\"alternate\" type=\"text/html\" href=\"\(Self.escape(alternateLink))\"/>\n"
        xml += "  <author><name>Consultation Tracker</name></author>\n"
        xml += "  <generator>consult</generator>\n"
        for entry in entries {
            xml += "  <entry>\n"
            xml += "    <id>\(Self.escape(entry.id))</id>\n"
            xml += "    <title type=\"text\">\(Self.escape(entry.title))</title>\n"
            xml += "    <updated>\(Self.escape(entry.updated))</updated>\n"
            xml += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(Self.escape(entry.link))\"/>\n"
            xml += "    <category term=\"\(Self.escape(entry.category))\"/>\n"
            xml += "    <content type=\"text\">\(Self.escape(entry.content))</content>\n"
            xml += "  </entry>\n"
        }
        xml += "</feed>\n"
        return xml
    }

    /// `text` as XML character data or an attribute value (either quote).
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                escaped.unicodeScalars.append(allowedInXML(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return escaped
    }

    /// Whether XML 1.0 allows `scalar` in a document (its `Char` production; Swift strings hold
    /// no surrogates).
    static func allowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
