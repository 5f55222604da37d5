import Foundation
import PartnerCore
import Plot
import Vapor

/// What the shared layout needs to know about the request.
struct PageContext {
    let language: Language
    let strings: Strings
    let user: User?
    let staff: StaffMember?
    let organisations: [(Organisation, OrganisationRole)]
    let current: Organisation?
    let csrf: String
    let flash: String?
    let path: String
    let demo: Bool
    /// R-T2's console notification: tenders sent to the current partner not opened yet.
    var unseenTenders = 0
}

extension Request {
    /// Language: the remembered choice (cookie), then the profile, then Accept-Language, then English.
    var language: Language {
        if let raw = cookies[Cookies.language]?.string, let chosen = Language(rawValue: raw) { return chosen }
        if let preferred = identity?.user?.language { return preferred }
        let header = headers.first(name: .acceptLanguage) ?? ""
        for part in header.split(separator: ",") {
            let code = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).prefix(2).lowercased()
            if let language = Language(rawValue: code) { return language }
        }
        return .en
    }

    var strings: Strings { Strings(language: language) }

    func pageContext(current: Organisation? = nil) async throws -> PageContext {
        let user = identity?.user
        var organisations: [(Organisation, OrganisationRole)] = []
        if let user { organisations = try await store.organisations(of: user.id) }
        var context = PageContext(language: language, strings: strings, user: user, staff: identity?.staff, organisations: organisations,
                                  current: current, csrf: csrfToken, flash: cookies[Cookies.flash]?.string, path: url.path,
                                  demo: partnerHub.configuration.demo)
        if let current, current.isPartner {
            let openSince = partnerHub.configuration.clock.now().addingTimeInterval(-TenderRules.lifetime)
            context.unseenTenders = try await store.unseenTenderCount(current.id, openSince: openSince)
        }
        return context
    }
}

enum Layout {
    static func page(_ title: String, _ ctx: PageContext, status: HTTPResponseStatus = .ok, @ComponentBuilder main: () -> ComponentGroup) -> Response {
        let s = ctx.strings
        let content = main()
        let body = ComponentGroup(members: [
            link(s("nav.skip"), "#main", classes: "skip"),
            topBar(ctx),
            tag("div", cls(ctx.current == nil ? "shell single" : "shell")) {
                if let current = ctx.current { sideMenu(ctx, current) }
                tag("main", attr("id", "main"), cls("content")) {
                    if let flash = ctx.flash, Strings.table[flash] != nil {
                        tag("p", cls("flash"), attr("role", "status")) { text(s(flash)) }
                    }
                    content
                }
            },
        ])
        let html = "<!DOCTYPE html><html lang=\"\(ctx.language.rawValue)\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(HTMLText.escape(title)) · PartnerHub</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>"
            + body.render() + "</body></html>"
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        response.headers.cacheControl = .init(noStore: true)
        if ctx.flash != nil { response.cookies[Cookies.flash] = .expired }
        return response
    }

    static func topBar(_ ctx: PageContext) -> Component {
        let s = ctx.strings
        return tag("header", cls("topbar")) {
            link("PartnerHub", ctx.staff != nil ? "/provider" : "/console", classes: "brand")
            if ctx.user != nil && !ctx.organisations.isEmpty {
                tag("details", cls("menu switcher")) {
                    tag("summary") { text(ctx.current?.name ?? s("nav.organisations")) }
                    tag("ul", attr("aria-label", s("nav.organisations"))) {
                        for (organisation, role) in ctx.organisations {
                            tag("li") {
                                tag("a", [.value("href", "/console/orgs/\(organisation.id.string)"),
                                          .value("aria-current", organisation.id == ctx.current?.id ? "true" : "false")]) {
                                    text(organisation.name)
                                    tag("span", cls("muted")) { text(" · " + s.role(role)) }
                                }
                            }
                        }
                        tag("li", cls("separated")) { link("+ " + s("org.new"), "/console/organisations/new") }
                    }
                }
            }
            tag("nav", cls("languages"), attr("aria-label", s("nav.language"))) {
                for language in Language.allCases {
                    tag("a", [.value("href", "/lang/\(language.rawValue)?back=\(ctx.path)"), .value("lang", language.rawValue),
                              .value("hreflang", language.rawValue), .value("class", language == ctx.language ? "current" : ""),
                              .value("aria-current", language == ctx.language ? "true" : "false")]) { text(language.rawValue.uppercased()) }
                }
            }
            if let user = ctx.user {
                tag("details", cls("menu user")) {
                    tag("summary") { text(user.name) }
                    tag("ul") {
                        tag("li") { link(s("nav.profile"), "/console/profile") }
                        tag("li") { link(s("nav.affiliate"), "/console/affiliate") }
                        tag("li") { tag("span", cls("muted")) { text(s("profile.support_code") + ": " + user.supportCode.grouped) } }
                        if ctx.demo { tag("li") { link(s("nav.mailbox"), "/dev/mailbox") } }
                        tag("li") {
                            postForm("/logout", csrf: ctx.csrf, classes: "inline") { button(s("nav.signout"), style: "link") }
                        }
                    }
                }
            } else if ctx.staff != nil {
                postForm("/provider/logout", csrf: ctx.csrf, classes: "inline") { button(s("nav.signout"), style: "link") }
            }
        }
    }

    static func sideMenu(_ ctx: PageContext, _ organisation: Organisation) -> Component {
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)"
        var items = [("nav.dashboard", base), ("nav.products", base + "/products"), ("nav.partners", base + "/partners")]
        let role = ctx.organisations.first(where: { $0.0.id == organisation.id })?.1
        let represents = role == .legalRepresentative || role == .admin
        // The partner space appears once a program admin approved the organisation; tenders and
        // the directory profile are for its legal representatives and admins (employees see
        // their assigned clients, R-P9).
        // R-O5: the menu shows a door where the policy lets this member through (the clock plays
        // no part in a member's own verdicts).
        func may(_ action: Action) -> Bool {
            role.map { Policy.decide(action, Actor(kind: .user, membership: $0, organisationIsPartner: organisation.isPartner), now: .distantPast).isAllowed } ?? false
        }
        if organisation.isPartner {
            items.append(("nav.clients", base + "/clients"))
            // R-B11: the orders waiting for approval (billing), the spending rules (legal representatives).
            if may(.billing) { items.append(("requests.title", base + "/order-requests")) }
            if may(.managePartnerships) { items.append(("spending.title", base + "/spending")) }
            if represents { items.append(("nav.tenders", base + "/tenders")) }
            items.append(("nav.benefits", base + "/benefits"))
            if represents { items.append(("nav.directory_profile", base + "/directory-profile")) }
            items.append(("backup.title", base + "/backup"))
        } else {
            items.append(("nav.program", base + "/program"))
        }
        // R-T1: clients post tenders from their console too.
        items.append(("nav.post_tender", "/tenders/new"))
        // R-O2: billing is for legal representatives and admins.
        if let role, RoleRules.permission(role, .billing) == .whole {
            items.append(("nav.billing", base + "/billing"))
        }
        items += [("nav.members", base + "/members"), ("nav.activity", base + "/activity"), ("nav.settings", base + "/settings"),
                  ("support.contact", base + "/contact-support")]
        return tag("nav", cls("side"), attr("aria-label", s("nav.main"))) {
            tag("p", cls("org-name")) { text(organisation.name) }
            tag("ul") {
                for (key, href) in items {
                    tag("li") {
                        tag("a", [.value("href", href), .value("aria-current", ctx.path == href ? "page" : "false")]) {
                            text(s(key))
                            if key == "nav.tenders" && ctx.unseenTenders > 0 {
                                text(" ")
                                tag("span", cls("badge count"), attr("aria-label", s("tender.unseen", ["count": String(ctx.unseenTenders)]))) { text(String(ctx.unseenTenders)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A form's error summary at the top, linking to each field.
    static func errorSummary(_ errors: [FieldError], _ s: Strings, labels: [String: String]) -> Component {
        tag("div", cls("error-summary"), attr("role", "alert")) {
            tag("p") { text(s("error.summary")) }
            tag("ul") {
                for error in errors {
                    tag("li") { link("\(labels[error.field] ?? error.field): \(s.fieldError(error))", "#f-\(error.field)") }
                }
            }
        }
    }

    /// The confirmation step before a destructive action (CONSOLE.md): one sentence of consequence.
    static func confirmation(_ ctx: PageContext, title: String, consequence: String, action: String, confirmLabel: String, cancel: String) -> Response {
        let s = ctx.strings
        return page(title, ctx) {
            tag("h1") { text(title) }
            tag("p", cls("consequence")) { text(consequence) }
            postForm(action, csrf: ctx.csrf, classes: "actions") {
                button(confirmLabel, style: "danger")
                link(s("confirm.cancel"), cancel, classes: "button secondary")
            }
        }
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " UTC"
    }
}

extension Response {
    static func redirect(_ location: String, flash: String? = nil, secure: Bool = false) -> Response {
        let response = Response(status: .seeOther)
        response.headers.replaceOrAdd(name: .location, value: location)
        if let flash { response.cookies[Cookies.flash] = HTTPCookies.Value(string: flash, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax) }
        return response
    }
}
