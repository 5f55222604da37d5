import PartnerCore
import Plot
import Vapor

/// R-H1: a console form refused before its page could show it again (an expired CSRF token, a
/// field no handler reads that holds what nothing may hold, a limit) keeps what was typed: this
/// page says why and offers every field again — as the user typed it, in an editable box — to send
/// to the same address. Passwords are never echoed.
enum RefusedForm {
    /// Never shown again: what a person types once and a page must not repeat.
    static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["password", "passwd", "pwd", "card", "cvc", "cvv", "secret", "token", "_csrf"].contains { lower.contains($0) }
    }

    static func page(_ req: Request, ctx: PageContext, status: HTTPResponseStatus, reason: String, errors: [FieldError]) -> Response? {
        guard req.method == .POST, !req.isAPI, let buffer = req.body.data else { return nil }
        // Every field as typed, minus what no field may hold (the reason it came back).
        let pairs = FormEncoding.read(Array(buffer.readableBytesView))
        let shown = pairs.filter { !isSecret($0.name) && TextInput.hasOnlyAllowedScalars($0.name, .singleLine) && !$0.name.isEmpty }
        let withheld = pairs.contains { isSecret($0.name) && $0.name != "_csrf" }
        // Passwords and card numbers come back as empty fields to fill in again; other secrets
        // (link tokens) are not the person's to retype and are left out.
        var seen = Set<String>()
        let retyped = pairs.map(\.name).filter { name in
            let lower = name.lowercased()
            return ["password", "card", "cvc", "cvv"].contains { lower.contains($0) } && TextInput.hasOnlyAllowedScalars(name, .singleLine) && seen.insert(name).inserted
        }
        let s = ctx.strings
        let refused = Set(errors.map(\.field))
        var firstIDs: [String: String] = [:]
        return Layout.page(s("form.refused.title"), ctx, status: status) {
            tag("h1") { text(s("form.refused.title")) }
            tag("div", cls("error-summary"), attr("role", "alert")) {
                tag("p") { text(reason) }
                if !errors.isEmpty {
                    tag("ul") {
                        for error in errors {
                            tag("li") { link("\(label(error.field, s)): \(s.fieldError(error))", "#f-\(anchor(error.field))") }
                        }
                    }
                }
            }
            if ctx.user != nil || ctx.staff != nil || req.cookies[Cookies.csrf] != nil {
                tag("p", cls("muted")) { text(s("form.refused.again")) }
                if withheld { tag("p", cls("hint")) { text(s("form.refused.secrets")) } }
                postForm(req.url.path, csrf: ctx.csrf) {
                    for pair in shown where navigation.contains(pair.name) { hidden(pair.name, pair.clean) }
                    for pair in shown where !navigation.contains(pair.name) {
                        let id = firstIDs[pair.name] == nil ? "f-\(anchor(pair.name))" : "f-\(anchor(pair.name))-\(UUID().uuidString.prefix(8))"
                        let _ = firstIDs[pair.name] = id
                        tag("div", cls(refused.contains(pair.name) ? "field has-error" : "field")) {
                            tag("label", attr("for", id)) { text(label(pair.name, s)) }
                            tag("textarea", attr("name", pair.name), attr("id", id), attr("rows", "2")) { text(pair.clean) }
                        }
                    }
                    // What the person typed once and must type again: empty, of its own kind.
                    for name in retyped {
                        tag("div", cls("field")) {
                            tag("label", attr("for", "f-\(anchor(name))")) { text(label(name, s)) }
                            tag("input", attr("type", "password"), attr("name", name), attr("id", "f-\(anchor(name))"), attr("autocomplete", "off"))
                        }
                    }
                    button(s("form.refused.send"))
                }
            } else {
                tag("p") { link(s("login.title"), "/login") }
            }
        }
    }

    /// Where to go after the form: carried along, not shown as something to edit.
    static let navigation: Set<String> = ["next", "back"]

    static func label(_ field: String, _ s: Strings) -> String {
        let key = "field.\(field)"
        let translated = s(key)
        return translated == key ? field : translated
    }

    static func anchor(_ field: String) -> String {
        String(String.UnicodeScalarView(field.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }))
    }
}
