import Plot

/// R-H1: the console's one HTML layer. Every text and every attribute value goes through
/// `HTMLText.escape` (`&`, `<`, `>`, `"`, `'`), whatever it holds: Plot 0.14 writes attribute
/// values as they are and lets entity-looking text through, so neither is left to it. Markup
/// comes only from the element and attribute names written in this project's code.
enum HTMLText {
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
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// A thin layer over Plot's nodes: any element by name with attributes, children built with
/// Plot's `@ComponentBuilder`.
struct Tag: Component {
    let name: String
    let attributes: [Attr]
    let content: ComponentGroup

    var body: Component {
        Node<HTML.BodyContext>.element(named: name, nodes: attributes.map(\.node) + [.component(content)])
    }
}

struct VoidTag: Component {
    let name: String
    let attributes: [Attr]
    var body: Component {
        Node<HTML.BodyContext>.selfClosedElement(
            named: name, attributes: attributes.compactMap(\.attribute))
    }
}

enum Attr {
    case value(String, String?)
    case flag(String, Bool)

    var node: Node<HTML.BodyContext> {
        switch self {
        case .value(let name, let value): return .attribute(named: name, value: value.map(HTMLText.escape), ignoreIfValueIsEmpty: false)
        case .flag(let name, let on): return on ? .attribute(named: name) : .empty
        }
    }

    var attribute: Attribute<HTML.BodyContext>? {
        switch self {
        case .value(let name, let value): return Attribute(name: name, value: value.map(HTMLText.escape), ignoreIfValueIsEmpty: false)
        case .flag(let name, let on): return on ? Attribute(name: name, value: nil, ignoreIfValueIsEmpty: false) : nil
        }
    }
}

func tag(_ name: String, _ attributes: Attr..., @ComponentBuilder content: () -> ComponentGroup = { ComponentGroup(members: []) }) -> Component {
    Tag(name: name, attributes: attributes, content: content())
}

func tag(_ name: String, _ attributes: [Attr], @ComponentBuilder content: () -> ComponentGroup = { ComponentGroup(members: []) }) -> Component {
    Tag(name: name, attributes: attributes, content: content())
}

func text(_ string: String) -> Component { Node<HTML.BodyContext>.raw(HTMLText.escape(string)) }

func cls(_ name: String) -> Attr { .value("class", name) }
func attr(_ name: String, _ value: String) -> Attr { .value(name, value) }

/// A hidden CSRF field for every state-changing form.
func csrfField(_ token: String) -> Component {
    VoidTag(name: "input", attributes: [.value("type", "hidden"), .value("name", "_csrf"), .value("value", token)])
}

func hidden(_ name: String, _ value: String) -> Component {
    VoidTag(name: "input", attributes: [.value("type", "hidden"), .value("name", name), .value("value", value)])
}

/// A POST form with its CSRF token.
func postForm(_ action: String, csrf: String, classes: String = "form", @ComponentBuilder content: () -> ComponentGroup) -> Component {
    let inner = content()
    return Tag(name: "form", attributes: [.value("method", "post"), .value("action", action), .value("class", classes)],
               content: ComponentGroup(members: [csrfField(csrf)] + inner.members))
}

/// A labelled input that keeps what was typed and shows its error next to it.
func field(_ name: String, label: String, type: String = "text", value: String = "", error: String? = nil,
           hint: String? = nil, required: Bool = true, autocomplete: String? = nil) -> Component {
    let id = "f-\(name)"
    var attributes: [Attr] = [.value("type", type), .value("name", name), .value("id", id), .flag("required", required)]
    if type != "password" { attributes.append(.value("value", value)) }
    if let autocomplete { attributes.append(.value("autocomplete", autocomplete)) }
    var described: [String] = []
    if hint != nil { described.append("\(id)-hint") }
    if error != nil {
        described.append("\(id)-error")
        attributes.append(.value("aria-invalid", "true"))
    }
    if !described.isEmpty { attributes.append(.value("aria-describedby", described.joined(separator: " "))) }
    return tag("div", cls(error == nil ? "field" : "field has-error")) {
        tag("label", attr("for", id)) { text(label) }
        VoidTag(name: "input", attributes: attributes)
        if let hint { tag("p", cls("hint"), attr("id", "\(id)-hint")) { text(hint) } }
        if let error { tag("p", cls("error"), attr("id", "\(id)-error")) { text(error) } }
    }
}

func selectField(_ name: String, label: String, options: [(String, String)], selected: String, error: String? = nil) -> Component {
    let id = "f-\(name)"
    return tag("div", cls(error == nil ? "field" : "field has-error")) {
        tag("label", attr("for", id)) { text(label) }
        tag("select", attr("name", name), attr("id", id)) {
            for (value, title) in options {
                tag("option", [.value("value", value), .flag("selected", value == selected)]) { text(title) }
            }
        }
        if let error { tag("p", cls("error"), attr("id", "\(id)-error")) { text(error) } }
    }
}

func button(_ title: String, style: String = "primary") -> Component {
    tag("button", attr("type", "submit"), cls("button \(style)")) { text(title) }
}

func link(_ title: String, _ href: String, classes: String? = nil) -> Component {
    var attributes: [Attr] = [.value("href", href)]
    if let classes { attributes.append(.value("class", classes)) }
    return tag("a", attributes) { text(title) }
}

/// A table head row: one column header per title.
func tableHead(_ titles: [String]) -> Component {
    tag("thead") {
        tag("tr") {
            for title in titles { tag("th", attr("scope", "col")) { text(title) } }
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// A form value or label by its field name; a field that is not there reads as empty (R-H1:
    /// no `values[field: "x"]` that a missing key could trap on).
    subscript(field key: String) -> String { self[key] ?? "" }
}
