import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-O3: provider staff sign in apart from customers, to a console of their own. For now: who
/// they are, every organisation with its legal representatives' support codes, and a look-up by
/// support code (R-S1). Every sign-in is audited.
struct ProviderConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let provider = routes.grouped("provider")
        provider.get("login", use: logInPage).named(.openAccount)
        provider.post("login", use: logIn).named(.openAccount)
        provider.post("logout", use: logOut).named(.openAccount)
        provider.get(use: home).named(.supportCustomers)
        provider.get("organisations", ":org", use: organisationPage).named(.supportCustomers)
    }

    func logInPage(req: Request) async throws -> Response {
        if req.identity?.staff != nil { return .redirect("/provider") }
        let ctx = try await req.pageContext()
        return ConsoleController().logInView(ctx, email: "", next: "", message: nil, action: "/provider/login", title: ctx.strings("provider.login"))
    }

    func logIn(req: Request) async throws -> Response {
        let email = req.formValue("email")
        do {
            guard case .staff(let staff) = try await req.accounts.logIn(email: email, password: req.formValue("password"), ip: req.clientIP, staff: true, store: req.store)
            else { throw AppError.unauthorised }
            return try await TwoFactorController.afterPassword(req, .staff(staff.id), door: .staff, redirect: "/provider")
        } catch AppError.unauthorised {
            let ctx = try await req.pageContext()
            return ConsoleController().logInView(ctx, email: email, next: "", message: ctx.strings("login.failed"), status: .unauthorized,
                                                 action: "/provider/login", title: ctx.strings("provider.login"))
        } catch AppError.validation(let errors) {
            let ctx = try await req.pageContext()
            return ConsoleController().logInView(ctx, email: "", next: "", message: errors.map { ctx.strings.fieldError($0) }.joined(separator: " "),
                                                 status: .unprocessableEntity, action: "/provider/login", title: ctx.strings("provider.login"))
        }
    }

    /// R-S3 for support staff: the organisation's products reachable under an active grant
    /// (R-P10 clause c). Each view is audited with the support user and the grants.
    func organisationPage(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("org").flatMap(OrganisationID.init(string:)), let organisation = try await req.store.organisation(id: id) else {
            throw AppError.notFound
        }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let products: [(Product, SupportGrantID)]
        do { products = try await req.support.products(staff: staff, organisation: id, store: req.store) } catch AppError.notFound { products = [] }
        return Layout.page(organisation.name, ctx) {
            tag("p") { link("← " + s("provider.title"), "/provider") }
            tag("h1") { text(organisation.name) }
            tag("h2") { text(s("provider.organisation_products")) }
            if products.isEmpty {
                tag("p", cls("empty")) { text(s("provider.no_grant")) }
            } else {
                tag("table", cls("table"), attr("id", "support-products")) {
                    tableHead([s("field.product"), s("field.category"), "grant"])
                    tag("tbody") {
                        for (product, grant) in products {
                            tag("tr") {
                                tag("td") { text(product.name) }
                                tag("td") { text(s("category.\(product.category.rawValue)")) }
                                tag("td") { tag("code") { text(grant.string) } }
                            }
                        }
                    }
                }
            }
        }
    }

    func logOut(req: Request) async throws -> Response {
        if let cookie = req.cookies[Cookies.session]?.string {
            try await req.store.write { tx in try await tx.deleteSession(tokenHash: Store.sha256Hex(cookie)) }
        }
        let response = Response.redirect("/provider/login")
        response.cookies[Cookies.session] = .expired
        return response
    }

    func home(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let store = req.store
        let organisations = try await store.allOrganisations()
        let overview = try await store.organisationOverview()
        let query = ((try? req.query.get(String.self, at: "code")) ?? "")
        let found: (User, [String])? = try await SupportCode(query).asyncMap { try await req.support.lookUpSupportCode(staff: staff, code: $0, store: store) } ?? nil
        // R-S2: the same field verifies a VIP code (audited).
        let vip = try await SupportCode(query).asyncMap { try await req.support.lookUpVIP(staff: staff, code: $0, store: store) } ?? nil
        let themeRequests = staff.role == .programAdmin ? try await store.openThemeRequests() : []
        let names = Dictionary(organisations.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("provider.title"), ctx) {
            tag("h1") { text(s("provider.title")) }
            tag("p") { text(s("provider.you", ["name": staff.name, "role": staff.role.rawValue])) }
            tag("p") { link(s("profile.two_factor_link"), "/provider/two-factor") }
            // Partners become partners through the application queue (R-E2).
            if staff.role == .programAdmin { ProviderProgramController.menu(s) }
            tag("section", cls("card"), attr("aria-labelledby", "lookup")) {
                tag("h2", attr("id", "lookup")) { text(s("provider.lookup")) }
                tag("form", attr("method", "get"), attr("action", "/provider"), cls("form inline")) {
                    field("code", label: s("profile.support_code"), value: query, required: false)
                    button(s("provider.lookup"), style: "secondary")
                }
                if !query.isEmpty {
                    if let (user, orgs) = found {
                        tag("p", attr("role", "status")) { text(s("provider.lookup_found", ["name": user.name, "email": user.email.value, "orgs": orgs.joined(separator: ", ")])) }
                    }
                    if let vip {
                        tag("p", attr("role", "status"), attr("id", "vip-found")) {
                            text(s("vip.lookup_found", ["org": vip.organisation.name, "state": s(vip.premiumActive ? "vip.active" : "vip.inactive")]))
                        }
                    }
                    if found == nil && vip == nil { tag("p", attr("role", "status")) { text(s("provider.lookup_none")) } }
                }
            }
            if !themeRequests.isEmpty {
                tag("section", cls("card"), attr("aria-labelledby", "themes")) {
                    tag("h2", attr("id", "themes")) { text(s("provider.theme_requests")) }
                    for request in themeRequests {
                        postForm("/provider/theme-requests/\(request.id.uuidString.lowercased())", csrf: ctx.csrf, classes: "form inline-fields") {
                            tag("p") { text((names[request.organisationID] ?? "") + " · " + BillingConsoleController.day(request.requestedAt)) }
                            field("licence_key", label: s("provider.licence_key"), value: "")
                            button(s("provider.fulfil"), style: "secondary")
                        }
                    }
                }
            }
            tag("h2") { text(s("provider.organisations")) }
            if organisations.isEmpty {
                tag("p", cls("empty")) { text(s("provider.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("field.organisation_name"), s("field.country"), s("field.currency"), s("provider.representatives")])
                    tag("tbody") {
                        for organisation in organisations {
                            tag("tr") {
                                tag("td") {
                                    link(organisation.name, "/provider/organisations/\(organisation.id.string)")
                                    if staff.role == .programAdmin {
                                        text(" · ")
                                        link(s("provider.orders_link"), "/provider/organisations/\(organisation.id.string)/orders")
                                    }
                                }
                                tag("td") { text(organisation.country.rawValue) }
                                tag("td") { text(organisation.currency.rawValue) }
                                tag("td") {
                                    // Names only: a support code is looked up, audited, never listed (R-S1).
                                    text((overview[organisation.id] ?? []).map(\.name).joined(separator: ", "))
                                }
                                tag("td") {
                                    if organisation.isPartner {
                                        tag("span", cls("badge ok")) { text(s("provider.is_partner")) }
                                        if staff.role == .programAdmin {
                                            text(" ")
                                            link(s("rates.link"), "/provider/organisations/\(organisation.id.string)/rates")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// Demo mode only: the development mailbox lists the outbox so a tester can follow links (R-N1).
struct MailboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // Registered only with --demo, where every mail is meant to be read by the tester.
        routes.get("dev", "mailbox", use: list).named(.visitPublic)
        routes.get("dev", "mailbox", ":id", use: show).named(.visitPublic)
    }

    func list(req: Request) async throws -> Response {
        let messages = try await req.store.outbox(limit: 200)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("mailbox.title"), ctx) {
            tag("h1") { text(s("mailbox.title")) }
            tag("p", cls("muted")) { text(s("mailbox.note")) }
            if messages.isEmpty {
                tag("p", cls("empty")) { text(s("mailbox.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("mailbox.date"), s("mailbox.to"), s("mailbox.subject")])
                    tag("tbody") {
                        for message in messages {
                            tag("tr") {
                                tag("td") { text(Layout.date(message.createdAt)) }
                                tag("td") { text(message.recipient) }
                                tag("td") { link(message.subject, "/dev/mailbox/\(message.id.uuidString.lowercased())") }
                            }
                        }
                    }
                }
            }
        }
    }

    func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let message = try await req.store.outboxMessage(id) else { throw AppError.notFound }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(message.subject, ctx) {
            tag("h1") { text(message.subject) }
            tag("p", cls("muted")) { text(s("mailbox.to") + ": " + message.recipient + " · " + Layout.date(message.createdAt)) }
            tag("div", cls("mail-body")) {
                for line in message.body.split(separator: "\n", omittingEmptySubsequences: false) {
                    tag("p") {
                        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                            // Only this site's own links become links: a mail body quotes what
                            // people typed (a tender's description), which may name any address.
                            if word.hasPrefix(req.partnerHub.configuration.baseURL + "/") {
                                link(String(word), String(word))
                                text(" ")
                            } else {
                                text(String(word) + " ")
                            }
                        }
                    }
                }
            }
            tag("p") { link("← " + s("mailbox.title"), "/dev/mailbox") }
        }
    }
}
