import Foundation
import PartnerCore
@testable import PartnerWeb

/// R-H1's hostile corpus: what the review sent into the service, and its relatives. Each value
/// says whether a field may accept it at all: `refusedEverywhere` values no field of any kind may
/// take; `refusedInSingleLine` ones no single-line field may take; the rest are ordinary text a
/// text field may accept (and any field of another kind must refuse).
struct HostileValue: Sendable, CustomStringConvertible {
    enum Refusal: Sendable { case everywhere, inSingleLine, tooLong, none }
    let label: String
    /// The text as a form sends it (percent-encoded by the client) and as a JSON string's content.
    let text: String
    /// Raw JSON for the value when it cannot be a Swift string (a lone surrogate).
    let rawJSON: String?
    let refusal: Refusal
    var description: String { label }

    static let corpus: [HostileValue] = [
        HostileValue(label: "combining mark after a digit", text: "1\u{0301}", rawJSON: nil, refusal: .none),
        HostileValue(label: "combining marks inside a number", text: "12\u{0301}3.4\u{0301}5", rawJSON: nil, refusal: .none),
        HostileValue(label: "fullwidth digits", text: "１２３", rawJSON: nil, refusal: .none),
        HostileValue(label: "Arabic-Indic digits", text: "١٢٣", rawJSON: nil, refusal: .none),
        HostileValue(label: "NUL", text: "Anna\u{0}Alpen", rawJSON: nil, refusal: .everywhere),
        HostileValue(label: "lone surrogate", text: "\u{FFFD}", rawJSON: #""A\ud800B""#, refusal: .everywhere),
        HostileValue(label: "right-to-left override", text: "Anna\u{202E}nepla", rawJSON: nil, refusal: .everywhere),
        HostileValue(label: "escape sequence", text: "Anna\u{1B}[31m", rawJSON: nil, refusal: .everywhere),
        HostileValue(label: "CR LF header", text: "Anna\r\nBcc: victim@example.ch", rawJSON: nil, refusal: .inSingleLine),
        HostileValue(label: "emoji sequences", text: "👩‍👩‍👧‍👦🇨🇭👍🏽", rawJSON: nil, refusal: .none),
        HostileValue(label: "quotes and angle brackets", text: "\"><'", rawJSON: nil, refusal: .none),
        HostileValue(label: "100,000 characters", text: String(repeating: "x", count: 100_000), rawJSON: nil, refusal: .tooLong),
        HostileValue(label: "100,000 combining marks on one letter", text: "a" + String(repeating: "\u{0301}", count: 100_000), rawJSON: nil, refusal: .tooLong),
        HostileValue(label: "Int64 maximum", text: "9223372036854775807", rawJSON: nil, refusal: .none),
        HostileValue(label: "past Int64", text: "9223372036854775808", rawJSON: nil, refusal: .none),
        HostileValue(label: "below Int64", text: "-9223372036854775809", rawJSON: nil, refusal: .none),
    ]

    /// JSON numbers at and past Int64's limits, for integer fields.
    static let numbers = ["9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400", "-1", "0.5", "true", "null"]

    /// The value as a JSON literal.
    var json: String {
        if let rawJSON { return rawJSON }
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// Forms found in the console's own markup. The markup is ours and regular (HTMLText escapes every
/// value), so a small reader suffices here; the injection test parses pages with a real HTML5 parser.
struct PageForm: Sendable {
    struct Field: Sendable {
        enum Kind: Sendable { case singleLine, multiLine, hidden, choice, password }
        let name: String
        let kind: Kind
        let value: String
    }
    let action: String
    let fields: [Field]

    var visibleTextFields: [Field] { fields.filter { $0.kind == .singleLine || $0.kind == .multiLine || $0.kind == .password } }

    /// The form as a browser would send it untouched: every field with its value, one checkbox
    /// value per checked box, the first option of each select unless one is selected.
    var defaults: [(String, String)] { fields.map { ($0.name, $0.value) } }

    static func all(in html: String) -> [PageForm] { allForms(in: html).posts }

    /// GET forms (searches) submitted with their defaults, as a person pressing the button would.
    /// A search box gets, besides its default, a two-letter probe ("al": Alpenweb), so results and
    /// the forms under them show.
    static func searches(in html: String) -> [String] {
        allForms(in: html).searches.flatMap { form -> [String] in
            func url(_ pairs: [(String, String)]) -> String {
                form.action + "?" + pairs.map { "\(HostileAPITests.formEncoded($0.0))=\(HostileAPITests.formEncoded($0.1))" }.joined(separator: "&")
            }
            let probe = form.fields.map { ($0.name, $0.kind == .singleLine && $0.value.isEmpty ? "al" : $0.value) }
            return [url(form.defaults), url(probe)]
        }
    }

    static func searchForms(in html: String) -> [PageForm] { allForms(in: html).searches }

    static func allForms(in html: String) -> (posts: [PageForm], searches: [PageForm]) {
        var forms: [PageForm] = [], searches: [PageForm] = []
        var rest = html[...]
        while let start = rest.range(of: "<form"), let end = rest[start.upperBound...].range(of: "</form>") {
            let open = rest[start.lowerBound..<(rest[start.upperBound...].firstIndex(of: ">") ?? end.lowerBound)]
            let body = rest[start.upperBound..<end.lowerBound]
            rest = rest[end.upperBound...]
            guard let action = attribute("action", in: open) else { continue }
            let form = PageForm(action: action, fields: fields(in: body))
            if attribute("method", in: open)?.lowercased() == "post" { forms.append(form) } else { searches.append(form) }
        }
        return (forms, searches)
    }

    static func fields(in body: Substring) -> [Field] {
        var result: [Field] = []
        var index = body.startIndex
        while let open = body[index...].range(of: "<") {
            guard let close = body[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = body[open.upperBound..<close]
            index = body.index(after: close)
            let name = attribute("name", in: tag)
            if tag.hasPrefix("input"), let name {
                let type = attribute("type", in: tag) ?? "text"
                switch type {
                case "submit", "button", "reset": continue
                case "checkbox", "radio":
                    if tag.contains(" checked") { result.append(Field(name: name, kind: .choice, value: attribute("value", in: tag) ?? "on")) }
                case "hidden": result.append(Field(name: name, kind: .hidden, value: attribute("value", in: tag) ?? ""))
                case "password": result.append(Field(name: name, kind: .password, value: ""))
                default: result.append(Field(name: name, kind: .singleLine, value: attribute("value", in: tag) ?? ""))
                }
            } else if tag.hasPrefix("textarea"), let name, let end = body[index...].range(of: "</textarea>") {
                result.append(Field(name: name, kind: .multiLine, value: unescape(body[index..<end.lowerBound])))
                index = end.upperBound
            } else if tag.hasPrefix("select"), let name, let end = body[index...].range(of: "</select>") {
                let options = body[index..<end.lowerBound].components(separatedBy: "<option").dropFirst()
                let chosen = options.first { $0.contains(" selected") } ?? options.first
                result.append(Field(name: name, kind: .choice, value: chosen.flatMap { attribute("value", in: Substring($0)) } ?? ""))
                index = end.upperBound
            }
        }
        return result
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        guard let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return unescape(tag[start.upperBound..<end])
    }

    static func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Same-site links of a page: `href="/…"`, without fragments.
    static func links(in html: String) -> [String] {
        var result: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "href=\"") {
            guard let end = rest[start.upperBound...].firstIndex(of: "\"") else { break }
            var link = unescape(rest[start.upperBound..<end])
            rest = rest[end...]
            if link.hasPrefix("http://127.0.0.1:8080/") { link = String(link.dropFirst("http://127.0.0.1:8080".count)) }
            guard link.hasPrefix("/"), !link.hasPrefix("//") else { continue }
            if let hash = link.firstIndex(of: "#") { link = String(link[..<hash]) }
            result.append(link)
        }
        return result
    }
}

/// A route of the app's table, for coverage: `POST /console/orgs/:org/settings`.
struct RouteKey: Hashable, Sendable, CustomStringConvertible, Comparable {
    let method: String
    let path: String
    var description: String { "\(method) \(path)" }
    static func < (a: RouteKey, b: RouteKey) -> Bool { a.description < b.description }
}

extension TestApp {
    /// The route of the table that answers `method path`, as the router would choose it.
    func route(_ method: String, _ path: String) -> RouteKey? {
        let components = (path.split(separator: "?").first ?? "").split(separator: "/", omittingEmptySubsequences: true)
        let candidates = app.routes.all.filter { $0.method.rawValue == method && MethodNotAllowedMiddleware.matches($0.path, components) }
        // Constants win over parameters, as in the router.
        let best = candidates.max { a, b in
            a.path.filter { if case .constant = $0 { return true } else { return false } }.count
                < b.path.filter { if case .constant = $0 { return true } else { return false } }.count
        }
        return best.map { RouteKey(method: method, path: "/" + $0.path.map { "\($0)" }.joined(separator: "/")) }
    }

    var consoleRoutes: [RouteKey] {
        app.routes.all.map { RouteKey(method: $0.method.rawValue, path: "/" + $0.path.map { "\($0)" }.joined(separator: "/")) }
            .filter { !$0.path.hasPrefix("/api/") }
    }

    func healthy() async throws -> Bool {
        try await app.testing().sendRequest(.GET, "/health").status == .ok
    }
}
