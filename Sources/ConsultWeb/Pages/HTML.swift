import Foundation

/// A fragment of HTML. The only ways to make one are escaped text (`HTML(text)`, or a `String`
/// in an `@HTMLBuilder` block) and elements whose tag and attribute names are literals in the
/// code, so a stored text can never become markup: every text from the record is escaped
/// (`& < > " '`), and bidirectional controls in it are shown as visible codes rather than allowed
/// to reorder the page.
struct HTML: Sendable {
    fileprivate(set) var markup: String

    /// `text`, escaped.
    init(_ text: String) { markup = Self.escape(text) }

    fileprivate init(markup: String) { self.markup = markup }

    static let empty = HTML(markup: "")

    /// Joins fragments.
    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(markup: lhs.markup + rhs.markup) }

    /// Characters that change the direction of the text after them (embeddings, overrides,
    /// isolates): in a stored text they could make a name or a date read backwards, so they are
    /// shown as their code point instead.
    static let bidiControls = Set(
        "\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}".unicodeScalars)

    /// Invisible characters that could hide a difference between two texts (zero-width space,
    /// word joiner, byte order mark, left-to-right and right-to-left marks): shown as their code.
    /// Zero-width joiners stay, since emoji and some scripts need them.
    static let invisibles = Set("\u{200B}\u{2060}\u{FEFF}\u{200E}\u{200F}".unicodeScalars)

    /// `text` with the five characters that mean something in HTML escaped (so it is safe both
    /// as element content and inside a quoted attribute value), and hidden controls made visible.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                if bidiControls.contains(scalar) || invisibles.contains(scalar)
                    || (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F
                {
                    result += "[U+" + String(format: "%04X", scalar.value) + "]"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

/// Builds HTML from a block: a `String` in it is escaped text, an `HTML` is taken as it is.
@resultBuilder
enum HTMLBuilder {
    static func buildExpression(_ node: HTML) -> HTML { node }
    static func buildExpression(_ text: String) -> HTML { HTML(text) }
    static func buildExpression(_ nodes: [HTML]) -> HTML { buildArray(nodes) }
    static func buildBlock(_ parts: HTML...) -> HTML { buildArray(parts) }
    static func buildOptional(_ part: HTML?) -> HTML { part ?? .empty }
    static func buildEither(first: HTML) -> HTML { first }
    static func buildEither(second: HTML) -> HTML { second }
    static func buildArray(_ parts: [HTML]) -> HTML { HTML(markup: parts.map(\.markup).joined()) }
}

/// An attribute: its name is a literal in the code; its value is escaped.
struct Attribute: Sendable {
    let name: String
    /// Nil for a boolean attribute (`selected`, `checked`).
    let value: String?

    init(_ name: StaticString, _ value: String) {
        self.name = "\(name)"
        self.value = value
    }

    private init(boolean name: StaticString) {
        self.name = "\(name)"
        value = nil
    }

    static func `class`(_ value: String) -> Attribute { Attribute("class", value) }
    static func id(_ value: String) -> Attribute { Attribute("id", value) }
    /// A link within the site.
    static func href(_ target: Href) -> Attribute { Attribute("href", target.text) }
    static func `for`(_ value: String) -> Attribute { Attribute("for", value) }
    static func name(_ value: String) -> Attribute { Attribute("name", value) }
    static func value(_ value: String) -> Attribute { Attribute("value", value) }
    static func type(_ value: String) -> Attribute { Attribute("type", value) }
    static let selected = Attribute(boolean: "selected")
    static let checked = Attribute(boolean: "checked")
    static let multiple = Attribute(boolean: "multiple")

    var markup: String {
        guard let value else { return " " + name }
        return " \(name)=\"\(HTML.escape(value))\""
    }
}

/// `<tag attributes>content</tag>`.
func element(_ tag: StaticString, _ attributes: [Attribute] = [], @HTMLBuilder _ content: () -> HTML = { .empty })
    -> HTML
{
    let name = "\(tag)"
    return HTML(markup: "<\(name)\(attributes.map(\.markup).joined())>" + content().markup + "</\(name)>")
}

/// `<tag attributes>`: an element with no content (`meta`, `link`, `input`).
func voidElement(_ tag: StaticString, _ attributes: [Attribute] = []) -> HTML {
    HTML(markup: "<\(tag)\(attributes.map(\.markup).joined())>")
}

/// A document: the doctype, then `html`.
func document(@HTMLBuilder _ content: () -> HTML) -> HTML {
    HTML(markup: "<!DOCTYPE html>\n") + content()
}

/// A link within the site, with its query: the path's segments and the parameters
/// percent-encoded, so that an id or a searched text cannot end the path or the attribute.
struct Href: Sendable, Hashable {
    var path: String
    var query: [(String, String)] = []
    var fragment: String?

    static func == (lhs: Href, rhs: Href) -> Bool { lhs.text == rhs.text }
    func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// `/` followed by `segments`, each percent-encoded.
    init(_ segments: String..., query: [(String, String)] = []) {
        path = "/" + segments.map(Self.encode).joined(separator: "/")
        self.query = query
    }

    var text: String {
        var text = path
        if !query.isEmpty {
            text += "?" + query.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        }
        if let fragment { text += "#" + Self.encode(fragment) }
        return text
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Unreserved characters stay; every other byte is `%XX`.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

/// Links to places outside the site, from stored texts (evidence, sources).
enum ExternalLink {
    /// `text` as an `http`/`https` URL with a host, or nil: a `javascript:`, `data:` or any other
    /// scheme, a relative reference, spaces or control characters make it no link.
    static func safeURL(_ text: String) -> String? {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.value > 0x7E })
        else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return text
    }

    /// A link to `url` showing `label`, when the URL is http(s); otherwise the label and the URL as
    /// plain text, so a hostile scheme is seen and never followed.
    static func link(_ url: String, label: String) -> HTML {
        if let safe = safeURL(url) {
            return element("a", [.href(Href(external: safe)), Attribute("rel", "nofollow noopener noreferrer")]) {
                label
            }
        }
        return element("span", [.class("unlinked")]) { label == url ? label : "\(label) (\(url))" }
    }
}

extension Href {
    /// An outside URL already checked by `ExternalLink.safeURL`: kept as it is (escaped where
    /// written, as every attribute).
    fileprivate init(external url: String) {
        path = url
    }
}
