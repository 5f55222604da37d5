import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// A redirect target taken from the request only when it stays on this site (no `//host`,
/// no backslashes a browser might read as `//`, no control characters).
func localPath(_ raw: String?) -> String? {
    guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"),
          !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
    return raw
}

extension Request {
    var secureCookies: Bool { partnerHub.configuration.secureCookies }
}

/// The customer console: public pages (sign-up, sign-in, invitations) and the organisation pages.
struct ConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get { req in Response.redirect(req.identity?.user == nil ? "/login" : "/console") }
        routes.get("static", "app.css") { _ in
            let response = Response(body: .init(string: Stylesheet.css))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            response.headers.cacheControl = .init(maxAge: 3600)
            return response
        }
        routes.get("lang", ":code", use: switchLanguage)
        routes.get("signup", use: signUpPage)
        routes.post("signup", use: signUp)
        routes.get("login", use: logInPage)
        routes.post("login", use: logIn)
        routes.post("logout", use: logOut)
        routes.get("invitations", ":token", use: invitationPage)
        routes.post("invitations", ":token", "accept") { req in try await answerInvitation(req, accept: true) }
        routes.post("invitations", ":token", "decline") { req in try await answerInvitation(req, accept: false) }

        let console = routes.grouped("console")
        console.get(use: home)
        console.get("profile", use: profilePage)
        console.post("profile", use: updateProfile)
        console.post("profile", "password", use: changePassword)
        console.post("profile", "support-code", use: regenerateSupportCode)
        console.post("profile", "tokens", use: createToken)
        console.get("profile", "tokens", ":token", "revoke", use: revokeTokenConfirmation)
        console.post("profile", "tokens", ":token", "revoke", use: revokeToken)
        console.post("profile", "sessions", ":session", "end", use: endSession)

        console.get("organisations", "new", use: newOrganisationPage)
        console.post("organisations", use: createOrganisation)

        let org = console.grouped("orgs", ":org")
        org.get(use: dashboard)
        org.get("settings", use: settingsPage)
        org.post("settings", use: updateSettings)
        org.post("support-grants", use: grantSupport)
        org.post("support-grants", ":grant", "revoke", use: revokeSupport)
        org.get("members", use: membersPage)
        org.post("members", "invite", use: invite)
        org.post("members", ":member", "role", use: changeRole)
        org.get("members", ":member", "remove", use: removeConfirmation)
        org.post("members", ":member", "remove", use: removeMember)
        org.post("invitations", ":invitation", "resend", use: resendInvitation)
        org.get("invitations", ":invitation", "withdraw", use: withdrawConfirmation)
        org.post("invitations", ":invitation", "withdraw", use: withdrawInvitation)
        org.get("activity", use: activityPage)
        org.get("activity.csv", use: activityCSV)
    }

    // MARK: language

    /// A plain link per language (works without JavaScript); the choice is remembered in a cookie
    /// of this browser only. A GET changes nothing stored (R-H1): the language of a user's e-mails
    /// is the profile's, changed with the profile form.
    func switchLanguage(req: Request) async throws -> Response {
        guard let language = Language(rawValue: req.parameters.get("code") ?? "") else { throw AppError.notFound }
        let back = localPath(try? req.query.get(String.self, at: "back")) ?? "/console"
        let response = Response.redirect(back)
        response.cookies[Cookies.language] = HTTPCookies.Value(string: language.rawValue, expires: Date().addingTimeInterval(365 * 86400),
                                                               path: "/", isSecure: req.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    // MARK: sign-up and sign-in

    static let countries: [(String, String)] = [("CH", "Schweiz / Suisse"), ("LI", "Liechtenstein"), ("DE", "Deutschland"), ("FR", "France"),
                                                ("AT", "Österreich"), ("IT", "Italia"), ("BE", "Belgique"), ("LU", "Luxembourg"), ("NL", "Nederland"), ("ES", "España")]

    func signUpPage(req: Request) async throws -> Response {
        if req.identity?.user != nil { return .redirect("/console") }
        // Reached from an invitation: the address is known, and the invitation is where to go next.
        let values = ["email": (try? req.query.get(String.self, at: "email")) ?? "", "next": localPath(try? req.query.get(String.self, at: "next")) ?? ""]
        return signUpView(try await req.pageContext(), values: values, errors: [])
    }

    func signUpView(_ ctx: PageContext, values: [String: String], errors: [FieldError], status: HTTPResponseStatus = .ok) -> Response {
        let s = ctx.strings
        let labels = ["name": s("field.name"), "email": s("field.email"), "password": s("field.password"),
                      "organisation_name": s("field.organisation_name"), "country": s("field.country"), "currency": s("field.currency")]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("signup.title"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("signup.title")) }
                tag("p", cls("muted")) { text(s("signup.intro")) }
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
                postForm("/signup", csrf: ctx.csrf) {
                    hidden("next", values["next"] ?? "")
                    field("name", label: labels[field: "name"], value: values["name"] ?? "", error: error("name"), autocomplete: "name")
                    field("email", label: labels[field: "email"], type: "email", value: values["email"] ?? "", error: error("email"), autocomplete: "email")
                    field("password", label: labels[field: "password"], type: "password", error: error("password"), hint: s("field.password_hint"), autocomplete: "new-password")
                    field("organisation_name", label: labels[field: "organisation_name"], value: values["organisation_name"] ?? "", error: error("organisation_name"), autocomplete: "organization")
                    selectField("country", label: labels[field: "country"], options: Self.countries, selected: values["country"] ?? "CH", error: error("country"))
                    selectField("currency", label: labels[field: "currency"], options: [("", s("field.currency_auto")), ("CHF", "CHF"), ("EUR", "EUR")],
                                selected: values["currency"] ?? "", error: error("currency"))
                    button(s("signup.submit"))
                }
                tag("p") { text(s("login.have_account") + " "); link(s("login.title"), "/login") }
            }
        }
    }

    func signUp(req: Request) async throws -> Response {
        let keys = ["name", "email", "organisation_name", "country", "currency", "next"]
        let values = Dictionary(uniqueKeysWithValues: keys.map { ($0, req.formValue($0)) })
        let input = SignUpInput(name: values[field: "name"], email: values[field: "email"], password: req.formValue("password"),
                                organisationName: values[field: "organisation_name"], country: values[field: "country"], currency: values["currency"])
        do {
            let outcome = try await req.accounts.signUp(input, language: req.language, referral: req.cookies[Cookies.referral]?.string, ip: req.clientIP,
                                                        store: req.store)
            // R-H1: the same page whether the address was new (the account exists now) or already
            // registered (its owner got a mail): sign in next, with the password just chosen.
            let response = checkInbox(try await req.pageContext(), email: EmailAddress(values[field: "email"])?.value ?? "", next: localPath(values["next"]) ?? "")
            if case .created = outcome, req.cookies[Cookies.referral] != nil { response.cookies[Cookies.referral] = .expired }
            return response
        } catch AppError.validation(let errors) {
            return signUpView(try await req.pageContext(), values: values, errors: errors, status: .unprocessableEntity)
        } catch AppError.conflict(let field, let code) {
            return signUpView(try await req.pageContext(), values: values, errors: [FieldError(field, code)], status: .unprocessableEntity)
        }
    }

    func startSession(_ req: Request, _ principal: Principal, redirect: String) async throws -> Response {
        let (cookie, _) = try await req.accounts.startSession(principal, userAgent: req.headers.first(name: .userAgent) ?? "", store: req.store)
        let response = Response.redirect(redirect)
        response.cookies[Cookies.session] = HTTPCookies.Value(string: cookie, expires: Date().addingTimeInterval(AccountService.sessionLifetime),
                                                              path: "/", isSecure: req.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    func logInPage(req: Request) async throws -> Response {
        if req.identity?.user != nil { return .redirect("/console") }
        return logInView(try await req.pageContext(), email: "", next: (try? req.query.get(String.self, at: "next")) ?? "", message: nil)
    }

    /// After a sign-up, whatever the address: check the inbox, then sign in.
    func checkInbox(_ ctx: PageContext, email: String, next: String) -> Response {
        let s = ctx.strings
        return logInView(ctx, email: email, next: next, message: nil, title: s("signup.check_title"), intro: s("signup.check_body", ["email": email]))
    }

    func logInView(_ ctx: PageContext, email: String, next: String, message: String?, status: HTTPResponseStatus = .ok,
                   action: String = "/login", title: String? = nil, intro: String? = nil) -> Response {
        let s = ctx.strings
        return Layout.page(title ?? s("login.title"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(title ?? s("login.title")) }
                if let intro { tag("p", cls("flash"), attr("role", "status")) { text(intro) } }
                if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                postForm(action, csrf: ctx.csrf) {
                    hidden("next", next)
                    field("email", label: s("field.email"), type: "email", value: email, autocomplete: "username")
                    field("password", label: s("field.password"), type: "password", autocomplete: "current-password")
                    button(s("login.submit"))
                }
                if action == "/login" { tag("p") { text(s("login.no_account") + " "); link(s("signup.title"), "/signup") } }
            }
        }
    }

    func logIn(req: Request) async throws -> Response {
        let email = req.formValue("email")
        let rawNext = req.formValue("next")
        let next = localPath(rawNext) ?? "/console"
        do {
            guard case .user(let user) = try await req.accounts.logIn(email: email, password: req.formValue("password"), ip: req.clientIP, staff: false, store: req.store)
            else { throw AppError.unauthorised }
            return try await startSession(req, .user(user.id), redirect: next)
        } catch AppError.unauthorised {
            return logInView(try await req.pageContext(), email: email, next: rawNext, message: req.strings("login.failed"), status: .unauthorized)
        } catch AppError.validation(let errors) {
            let s = req.strings
            return logInView(try await req.pageContext(), email: "", next: localPath(rawNext) ?? "",
                             message: errors.map { s.fieldError($0) }.joined(separator: " "), status: .unprocessableEntity)
        } catch AppError.tooManyRequests(let seconds) {
            let response = logInView(try await req.pageContext(), email: email, next: rawNext,
                                     message: req.strings("login.throttled", ["minutes": String((seconds + 59) / 60)]), status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return response
        }
    }

    func logOut(req: Request) async throws -> Response {
        if let cookie = req.cookies[Cookies.session]?.string {
            try await req.store.write { tx in try await tx.deleteSession(tokenHash: Store.sha256Hex(cookie)) }
        }
        let response = Response.redirect("/login")
        response.cookies[Cookies.session] = .expired
        return response
    }

    // MARK: home and dashboard

    func home(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let organisations = try await req.store.organisations(of: user.id)
        guard let first = organisations.first else { return .redirect("/console/profile") }
        return .redirect("/console/orgs/\(first.0.id.string)")
    }

    func dashboard(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        let members = try await req.store.members(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let money = try await context.may(.billing) ? MoneyDashboard.load(req, organisation: organisation) : nil
        return Layout.page(s("dashboard.title"), ctx) {
            tag("h1") { text(organisation.name) }
            tag("p") { text(s("dashboard.welcome", ["name": ctx.user?.name ?? ""]) + " " + s("dashboard.your_role", ["org": organisation.name, "role": s.role(context.role)])) }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("dashboard.country")) }
                tag("dd") { text(organisation.country.rawValue) }
                tag("dt") { text(s("dashboard.currency")) }
                tag("dd") { text(organisation.currency.rawValue) }
                tag("dt") { text(s("dashboard.members")) }
                tag("dd") { link(String(members.count), "/console/orgs/\(organisation.id.string)/members") }
            }
            if let money { money.render(ctx, organisation: organisation) }
        }
    }

    // MARK: a further organisation

    func newOrganisationPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return newOrganisationView(try await req.pageContext(), values: ["country": "CH"], errors: [])
    }

    func newOrganisationView(_ ctx: PageContext, values: [String: String], errors: [FieldError], status: HTTPResponseStatus = .ok) -> Response {
        let s = ctx.strings
        let labels = ["name": s("field.organisation_name"), "country": s("field.country"), "currency": s("field.currency")]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("org.new"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("org.new")) }
                tag("p", cls("muted")) { text(s("signup.intro")) }
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
                postForm("/console/organisations", csrf: ctx.csrf) {
                    field("name", label: labels[field: "name"], value: values["name"] ?? "", error: error("name"), autocomplete: "organization")
                    selectField("country", label: labels[field: "country"], options: Self.countries, selected: values["country"] ?? "CH", error: error("country"))
                    selectField("currency", label: labels[field: "currency"], options: [("", s("field.currency_auto")), ("CHF", "CHF"), ("EUR", "EUR")],
                                selected: values["currency"] ?? "", error: error("currency"))
                    button(s("org.create"))
                }
            }
        }
    }

    func createOrganisation(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let values = ["name": req.formValue("name"), "country": req.formValue("country"), "currency": req.formValue("currency")]
        do {
            let organisation = try await req.accounts.createOrganisation(user: user, name: values[field: "name"], country: values[field: "country"],
                                                                         currency: values["currency"], store: req.store)
            return .redirect("/console/orgs/\(organisation.id.string)")
        } catch AppError.validation(let errors) {
            return newOrganisationView(try await req.pageContext(), values: values, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: organisation settings (R-O1)

    func settingsPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        return settingsView(try await req.pageContext(current: organisation), context, organisation,
                            values: ["name": organisation.name, "country": organisation.country.rawValue, "currency": organisation.currency.rawValue], errors: [],
                            support: try await supportSection(req, context))
    }

    /// R-S3 on the settings page: active grants with "revoke", and a form to grant 1 h, 24 h or 7 days.
    func supportSection(_ req: Request, _ context: OrganisationContext) async throws -> Component {
        guard RoleRules.permission(context.role, .grantSupportAccess) == .whole else { return ComponentGroup(members: []) }
        let now = req.partnerHub.configuration.clock.now()
        let grants = try await req.store.supportGrants(organisation: context.organisationID).filter { $0.isActive(at: now) }
        let products = try await req.store.products(of: context.organisationID)
        let s = req.strings
        let csrf = req.csrfToken
        let base = "/console/orgs/\(context.organisationID.string)/support-grants"
        return tag("section", cls("card"), attr("id", "support-access"), attr("aria-labelledby", "support-title")) {
            tag("h2", attr("id", "support-title")) { text(s("support.title")) }
            tag("p", cls("hint")) { text(s("support.help")) }
            if grants.isEmpty {
                tag("p", cls("empty")) { text(s("support.none")) }
            } else {
                tag("ul") {
                    for grant in grants {
                        tag("li") {
                            text(s("support.active_until", ["date": Layout.date(grant.expiresAt)]) + " · " +
                                 (grant.product.flatMap { id in products.first { $0.id == id }?.name } ?? s("support.whole")) + " ")
                            postForm(base + "/\(grant.id.string)/revoke", csrf: csrf, classes: "inline") { button(s("support.revoke"), style: "secondary") }
                        }
                    }
                }
            }
            postForm(base, csrf: csrf, classes: "form inline") {
                selectField("duration", label: s("support.duration"), options: [("1h", s("support.1h")), ("24h", s("support.24h")), ("7d", s("support.7d"))], selected: "1h")
                selectField("product_id", label: s("field.product"), options: [("", s("support.whole"))] + products.map { ($0.id.string, $0.name) }, selected: "")
                button(s("support.grant"))
            }
        }
    }

    func grantSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let product = ProductID(string: req.formValue("product_id"))
        _ = try await req.support.grant(context, duration: req.formValue("duration"), product: product, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/settings#support-access", flash: "support.granted")
    }

    func revokeSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("grant").flatMap(SupportGrantID.init(string:)) else { throw AppError.notFound }
        try await req.support.revoke(context, id: id, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/settings#support-access", flash: "support.revoked")
    }

    func settingsView(_ ctx: PageContext, _ context: OrganisationContext, _ organisation: Organisation, values: [String: String],
                      errors: [FieldError], status: HTTPResponseStatus = .ok, support: Component = ComponentGroup(members: [])) -> Response {
        let s = ctx.strings
        let labels = ["name": s("field.organisation_name"), "country": s("field.country"), "currency": s("field.currency")]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        let countryOptions = Self.countries.contains { $0.0 == organisation.country.rawValue } ? Self.countries
            : Self.countries + [(organisation.country.rawValue, organisation.country.rawValue)]
        return Layout.page(s("settings.title"), ctx, status: status) {
            tag("h1") { text(s("settings.title")) }
            if !context.may(.manageMembers) {
                tag("p", cls("muted")) { text(s("settings.read_only")) }
            }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
            postForm("/console/orgs/\(organisation.id.string)/settings", csrf: ctx.csrf) {
                field("name", label: labels[field: "name"], value: values["name"] ?? "", error: error("name"))
                selectField("country", label: labels[field: "country"], options: countryOptions, selected: values["country"] ?? "", error: error("country"))
                selectField("currency", label: labels[field: "currency"], options: [("CHF", "CHF"), ("EUR", "EUR")], selected: values["currency"] ?? "", error: error("currency"))
                tag("p", cls("hint")) { text(organisation.currencyFixed ? s("error.currency_fixed") : s("settings.currency_note")) }
                if context.may(.manageMembers) { button(s("settings.save")) }
            }
            support
        }
    }

    func updateSettings(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let values = ["name": req.formValue("name"), "country": req.formValue("country"), "currency": req.formValue("currency")]
        do {
            let organisation = try await req.accounts.updateOrganisation(context, name: values[field: "name"], country: values[field: "country"], currency: values[field: "currency"], store: req.store)
            return .redirect("/console/orgs/\(organisation.id.string)/settings", flash: "settings.saved")
        } catch AppError.validation(let errors) {
            let organisation = try await req.store.organisation(context)
            return settingsView(try await req.pageContext(current: organisation), context, organisation, values: values, errors: errors, status: .unprocessableEntity,
                                support: try await supportSection(req, context))
        }
    }

    // MARK: members (R-O1, R-O2)

    func membersPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await membersView(req, context, inviteValues: [:], errors: [], message: nil)
    }

    func membersView(_ req: Request, _ context: OrganisationContext, inviteValues: [String: String], errors: [FieldError],
                     message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let members = try await req.store.members(context)
        let canManage = context.may(.manageMembers)
        let invitations = canManage ? try await req.store.pendingInvitations(context) : []
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)"
        let grantable: [OrganisationRole] = context.role == .legalRepresentative ? OrganisationRole.allCases : [.admin, .employee, .externalUser]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("members.title"), ctx, status: status) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("members.title")) }
                if canManage { link(s("members.invite"), "#invite", classes: "button primary") }
            }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            if !canManage { tag("p", cls("muted")) { text(s("members.read_only")) } }
            tag("table", cls("table")) {
                tableHead([s("field.name"), s("field.email"), s("field.role"), s("members.since")] + (canManage ? [s("members.actions")] : []))
                tag("tbody") {
                    for member in members {
                        tag("tr") {
                            tag("td") { text(member.name) }
                            tag("td") { text(member.email.value) }
                            tag("td") { tag("span", cls("badge role-\(member.role.rawValue)")) { text(s.role(member.role)) } }
                            tag("td") { text(Layout.date(member.since)) }
                            if canManage {
                                tag("td") {
                                    tag("details", cls("menu row-actions")) {
                                        tag("summary", attr("aria-label", s("members.actions") + ": " + member.name)) { text("⋮") }
                                        tag("div", cls("menu-body")) {
                                            postForm("\(base)/members/\(member.membershipID.string)/role", csrf: ctx.csrf, classes: "inline") {
                                                tag("label", attr("for", "role-\(member.membershipID.string)")) { text(s("members.change_role")) }
                                                tag("select", attr("name", "role"), attr("id", "role-\(member.membershipID.string)")) {
                                                    for role in OrganisationRole.allCases {
                                                        tag("option", [.value("value", role.rawValue), .flag("selected", role == member.role)]) { text(s.role(role)) }
                                                    }
                                                }
                                                button(s("settings.save"), style: "secondary")
                                            }
                                            if [.employee, .externalUser].contains(member.role) {
                                                tag("p") { link(s("members.products"), "\(base)/members/\(member.membershipID.string)/products") }
                                            }
                                            link(s("members.remove"), "\(base)/members/\(member.membershipID.string)/remove", classes: "danger-link")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if canManage {
                tag("section", attr("aria-labelledby", "pending")) {
                    tag("h2", attr("id", "pending")) { text(s("members.pending")) }
                    if invitations.isEmpty {
                        tag("p", cls("empty")) { text(s("members.no_pending")) }
                    } else {
                        tag("table", cls("table")) {
                            tableHead([s("field.email"), s("field.role"), s("members.expires"), s("members.actions")])
                            tag("tbody") {
                                for invitation in invitations {
                                    tag("tr") {
                                        tag("td") { text(invitation.email.value) }
                                        tag("td") { text(s.role(invitation.role)) }
                                        tag("td") { text(Layout.date(invitation.expiresAt)) }
                                        tag("td", cls("actions")) {
                                            postForm("\(base)/invitations/\(invitation.id.string)/resend", csrf: ctx.csrf, classes: "inline") {
                                                button(s("members.resend"), style: "secondary")
                                            }
                                            link(s("members.withdraw"), "\(base)/invitations/\(invitation.id.string)/withdraw", classes: "danger-link")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                tag("section", attr("id", "invite"), attr("aria-labelledby", "invite-title")) {
                    tag("h2", attr("id", "invite-title")) { text(s("members.invite")) }
                    if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["email": s("field.email"), "role": s("field.role")]) }
                    postForm("\(base)/members/invite", csrf: ctx.csrf) {
                        field("email", label: s("field.email"), type: "email", value: inviteValues["email"] ?? "", error: error("email"))
                        selectField("role", label: s("field.role"), options: grantable.map { ($0.rawValue, s.role($0)) },
                                    selected: inviteValues["role"] ?? OrganisationRole.employee.rawValue, error: error("role"))
                        button(s("members.invite"))
                    }
                }
            }
        }
    }

    func invite(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let values = ["email": req.formValue("email"), "role": req.formValue("role")]
        do {
            let invitation = try await req.accounts.invite(context, inviter: user, email: values[field: "email"], role: values[field: "role"], language: req.language, store: req.store)
            _ = invitation
            return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.invited")
        } catch AppError.validation(let errors) {
            return try await membersView(req, context, inviteValues: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: values, errors: [], message: req.strings(key), status: .forbidden)
        }
    }

    func changeRole(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        do {
            try await req.accounts.changeRole(context, membership: id, role: req.formValue("role"), store: req.store)
            return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.role_changed")
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .forbidden)
        } catch AppError.refused(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .conflict)
        }
    }

    func removeConfirmation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.may(.manageMembers), let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        let member = try await req.store.member(context, id)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let base = "/console/orgs/\(organisation.id.string)/members"
        return Layout.confirmation(ctx, title: ctx.strings("members.remove") + ": " + member.name,
                                   consequence: ctx.strings("members.remove_confirm", ["name": member.name, "org": organisation.name]),
                                   action: "\(base)/\(id.string)/remove", confirmLabel: ctx.strings("members.remove"), cancel: base)
    }

    func removeMember(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        do {
            try await req.accounts.removeMember(context, membership: id, store: req.store)
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .forbidden)
        } catch AppError.refused(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .conflict)
        }
        // Removing oneself leaves the organisation: go somewhere still visible.
        if id == context.membershipID { return .redirect("/console", flash: "members.removed") }
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.removed")
    }

    func resendInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        try await req.accounts.resendInvitation(context, inviter: try req.requireUser(), id: id, language: req.language, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.resent")
    }

    func withdrawConfirmation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.may(.manageMembers), let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        let invitation = try await req.store.invitation(context, id)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let base = "/console/orgs/\(organisation.id.string)"
        return Layout.confirmation(ctx, title: ctx.strings("members.withdraw"), consequence: ctx.strings("members.withdraw_confirm", ["email": invitation.email.value]),
                                   action: "\(base)/invitations/\(id.string)/withdraw", confirmLabel: ctx.strings("members.withdraw"), cancel: base + "/members")
    }

    func withdrawInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        try await req.accounts.withdrawInvitation(context, id: id, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.withdrawn")
    }

    // MARK: activity (R-L1)

    /// R-L1 and the client's view of it: every event of the organisation and of its partnerships;
    /// `by=partners` keeps what partner and support users did (actors who are not members), `q`
    /// filters by action. The same selection exports as CSV (R-B7 rules).
    func activityEvents(_ req: Request, _ context: OrganisationContext) async throws -> (events: [AuditRecord], byPartners: Bool, query: String, names: [String: String]) {
        // The organisation's audit trail is a management view (R-O2: legal representatives and admins).
        guard context.may(.manageMembers) else { throw AppError.notFound }
        let members = try await req.store.members(context)
        let memberActors = Set(members.map { "user:\($0.userID.string)" })
        let byPartners = (try? req.query.get(String.self, at: "by")) == "partners"
        let query = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var events = try await req.store.auditTimeline(organisation: context.organisationID, limit: 1000)
        if byPartners { events = events.filter { !memberActors.contains($0.actor) } }
        if !query.isEmpty { events = events.filter { $0.action.lowercased().contains(query) || $0.target.lowercased().contains(query) } }
        var names = Dictionary(uniqueKeysWithValues: members.map { ("user:\($0.userID.string)", "\($0.name) <\($0.email.value)>") })
        for actor in Set(events.map(\.actor)) where names[actor] == nil {
            if actor.hasPrefix("user:"), let id = UserID(string: String(actor.dropFirst(5))), let user = try await req.store.user(id) {
                names[actor] = "\(user.name) <\(user.email.value)>"
            } else if actor.hasPrefix("staff:"), let id = StaffID(string: String(actor.dropFirst(6))), let staff = try await req.store.staff(id) {
                names[actor] = "\(staff.name) (provider \(staff.role.rawValue))"
            }
        }
        return (events, byPartners, query, names)
    }

    func activityPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let (events, byPartners, query, names) = try await activityEvents(req, context)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)/activity"
        let filter = "by=\(byPartners ? "partners" : "all")&q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return Layout.page(s("activity.title"), ctx) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("activity.title")) }
                link(s("activity.export"), base + ".csv?\(filter)&delimiter=\(ctx.language == .en ? "comma" : "semicolon")", classes: "button secondary")
            }
            tag("form", attr("method", "get"), attr("action", base), cls("form inline"), attr("role", "search")) {
                selectField("by", label: s("activity.who"), options: [("all", s("activity.everyone")), ("partners", s("activity.partners_only"))],
                            selected: byPartners ? "partners" : "all")
                field("q", label: s("activity.what"), type: "search", value: query, required: false)
                button(s("partners.search_button"), style: "secondary")
            }
            if events.isEmpty {
                tag("p", cls("empty")) { text(s("activity.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("activity.when"), s("activity.who"), s("activity.what")])
                    tag("tbody") {
                        for event in events.prefix(200) {
                            tag("tr") {
                                tag("td") { text(Layout.date(event.occurredAt)) }
                                tag("td") { text(names[event.actor] ?? event.actor) }
                                tag("td") { tag("code") { text(event.action) }; text(" " + event.target) }
                            }
                        }
                    }
                }
                tag("p", cls("hint")) { text(s("time.zone_note")) }
            }
        }
    }

    func activityCSV(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let (events, _, _, names) = try await activityEvents(req, context)
        let delimiter: CSV.Delimiter = (try? req.query.get(String.self, at: "delimiter")) == "semicolon" ? .semicolon : .comma
        var body = CSV.row(["time_utc", "sequence", "actor", "actor_name", "action", "target", "details"], delimiter: delimiter)
        let formatter = ISO8601DateFormatter()
        for event in events {
            body += CSV.row([formatter.string(from: event.occurredAt), String(event.sequence), event.actor, names[event.actor] ?? "",
                             event.action, event.target, event.details], delimiter: delimiter)
        }
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "activity.csv")
        return response
    }

    // MARK: invitations (public page reached from the e-mail)

    func invitationPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let ctx = try await req.pageContext()
        let s = ctx.strings
        switch try await req.accounts.lookUpInvitation(token: token, store: req.store) {
        case .problem(let key):
            return Layout.page(s("invite.title"), ctx, status: .gone) {
                tag("div", cls("narrow")) {
                    tag("h1") { text(s("invite.title")) }
                    tag("p") { text(s(key)) }
                }
            }
        case .open(let invitation, let organisationName):
            let path = "/invitations/\(token)"
            return Layout.page(s("invite.title"), ctx) {
                tag("div", cls("narrow")) {
                    tag("h1") { text(s("invite.title")) }
                    tag("p") { text(s("invite.text", ["org": organisationName, "role": s.role(invitation.role)])) }
                    if let user = ctx.user {
                        if user.email == invitation.email {
                            tag("div", cls("actions")) {
                                postForm(path + "/accept", csrf: ctx.csrf, classes: "inline") { button(s("invite.accept")) }
                                postForm(path + "/decline", csrf: ctx.csrf, classes: "inline") { button(s("invite.decline"), style: "secondary") }
                            }
                        } else {
                            tag("p", cls("error-summary")) { text(s("invite.wrong_user", ["email": invitation.email.value])) }
                        }
                    } else {
                        tag("p") { text(s("invite.sign_in_first", ["email": invitation.email.value])) }
                        tag("div", cls("actions")) {
                            link(s("login.title"), "/login?next=\(path)", classes: "button primary")
                            link(s("signup.title"), "/signup?next=\(path)&email=\(invitation.email.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                 classes: "button secondary")
                        }
                    }
                }
            }
        }
    }

    func answerInvitation(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let token = req.parameters.get("token") ?? ""
        let invitation = try await req.accounts.answerInvitation(token: token, user: user, accept: accept, store: req.store)
        if accept { return .redirect("/console/orgs/\(invitation.organisationID.string)") }
        return .redirect("/console", flash: "invite.declined")
    }

    // MARK: profile (support code, password, tokens, sessions)

    func profilePage(req: Request) async throws -> Response {
        try await profileView(req, newToken: nil, errors: [], status: .ok)
    }

    func profileView(_ req: Request, newToken: String?, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let user = try req.requireUser()
        let tokens = try await req.store.accessTokens(of: user.id)
        let now = req.partnerHub.configuration.clock.now()
        let sessions = try await req.store.sessions(of: user.id, now: now)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let current = req.identity?.session?.id
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        let labels = ["name": s("field.name"), "current_password": s("field.current_password"), "new_password": s("field.new_password")]
        return Layout.page(s("profile.title"), ctx, status: status) {
            tag("h1") { text(s("profile.title")) }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
            tag("section", cls("card"), attr("aria-labelledby", "support")) {
                tag("h2", attr("id", "support")) { text(s("profile.support_code")) }
                tag("p", cls("support-code"), attr("id", "support-code")) { text(user.supportCode.grouped) }
                tag("p", cls("hint")) { text(s("profile.support_code_help")) }
                postForm("/console/profile/support-code", csrf: ctx.csrf, classes: "inline") { button(s("profile.regenerate"), style: "secondary") }
            }
            tag("section", cls("card"), attr("aria-labelledby", "details")) {
                tag("h2", attr("id", "details")) { text(s("profile.details")) }
                postForm("/console/profile", csrf: ctx.csrf) {
                    field("name", label: s("field.name"), value: user.name, error: error("name"))
                    tag("p") { text(s("field.email") + ": " + user.email.value) }
                    selectField("language", label: s("field.language"), options: [("de", "Deutsch"), ("en", "English"), ("fr", "Français")],
                                selected: (user.language ?? ctx.language).rawValue)
                    button(s("settings.save"))
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "password")) {
                tag("h2", attr("id", "password")) { text(s("profile.password")) }
                tag("p", cls("hint")) { text(s("profile.password_note")) }
                postForm("/console/profile/password", csrf: ctx.csrf) {
                    field("current_password", label: labels[field: "current_password"], type: "password", error: error("current_password"), autocomplete: "current-password")
                    field("new_password", label: labels[field: "new_password"], type: "password", error: error("new_password"), hint: s("field.password_hint"), autocomplete: "new-password")
                    button(s("profile.password"))
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "tokens")) {
                tag("h2", attr("id", "tokens")) { text(s("profile.tokens")) }
                if let newToken {
                    tag("div", cls("flash"), attr("role", "status")) {
                        tag("p") { text(s("profile.token_created")) }
                        tag("code", cls("token"), attr("id", "new-token")) { text(newToken) }
                    }
                }
                if tokens.isEmpty {
                    tag("p", cls("empty")) { text(s("profile.tokens_empty")) }
                } else {
                    tag("table", cls("table")) {
                        tableHead([s("field.token_name"), s("profile.created"), s("profile.last_used"), s("profile.expires"), s("members.actions")])
                        tag("tbody") {
                            for token in tokens {
                                tag("tr") {
                                    tag("td") { text(token.name); tag("span", cls("muted")) { text(" " + token.prefix + "…") } }
                                    tag("td") { text(Layout.date(token.createdAt)) }
                                    tag("td") { text(token.lastUsedAt.map(Layout.date) ?? s("profile.never")) }
                                    tag("td") {
                                        if let end = token.expiresAt {
                                            text(end <= now ? s("profile.expired") : Layout.date(end))
                                        } else {
                                            text(s("profile.expires_never"))
                                        }
                                    }
                                    tag("td") { link(s("profile.token_revoke"), "/console/profile/tokens/\(token.id.string)/revoke", classes: "danger-link") }
                                }
                            }
                        }
                    }
                }
                postForm("/console/profile/tokens", csrf: ctx.csrf) {
                    field("token_name", label: s("field.token_name"), value: "", error: error("token_name"))
                    selectField("expires_in_days", label: s("profile.expires"),
                                options: [("", s("profile.expires_never"))] + AccessTokenRules.consoleChoices.map { (String($0), s("profile.expires_days", ["days": String($0)])) },
                                selected: "90", error: error("expires_in_days"))
                    tag("p", cls("hint")) { text(s("profile.tokens_end")) }
                    button(s("profile.token_create"))
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "sessions")) {
                tag("h2", attr("id", "sessions")) { text(s("profile.sessions")) }
                tag("table", cls("table")) {
                    tableHead([s("profile.device"), s("profile.created"), s("profile.last_used"), s("members.actions")])
                    tag("tbody") {
                        for session in sessions {
                            tag("tr") {
                                tag("td") { text(String(session.userAgent.prefix(60))) }
                                tag("td") { text(Layout.date(session.createdAt)) }
                                tag("td") { text(Layout.date(session.lastSeenAt)) }
                                tag("td") {
                                    if session.id == current {
                                        tag("span", cls("badge")) { text(s("profile.this_session")) }
                                    } else {
                                        postForm("/console/profile/sessions/\(session.id.string)/end", csrf: ctx.csrf, classes: "inline") {
                                            button(s("profile.end_session"), style: "secondary")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                tag("p", cls("hint")) { text(s("time.zone_note")) }
            }
        }
    }

    func updateProfile(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let language = Language(rawValue: req.formValue("language"))
        do {
            try await req.accounts.updateProfile(user: user, name: req.formValue("name"), language: language, store: req.store)
        } catch AppError.validation(let errors) {
            return try await profileView(req, newToken: nil, errors: errors, status: .unprocessableEntity)
        }
        let response = Response.redirect("/console/profile", flash: "profile.saved")
        if let language {
            response.cookies[Cookies.language] = HTTPCookies.Value(string: language.rawValue, expires: Date().addingTimeInterval(365 * 86400),
                                                                   path: "/", isSecure: req.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }

    func changePassword(req: Request) async throws -> Response {
        let user = try req.requireUser()
        do {
            try await req.accounts.changePassword(user: user, current: req.formValue("current_password"), new: req.formValue("new_password"),
                                                  keeping: req.identity?.session?.id, language: req.language, store: req.store)
        } catch AppError.validation(let errors) {
            return try await profileView(req, newToken: nil, errors: errors, status: .unprocessableEntity)
        }
        return .redirect("/console/profile", flash: "profile.password_changed")
    }

    func regenerateSupportCode(req: Request) async throws -> Response {
        _ = try await req.accounts.regenerateSupportCode(user: try req.requireUser(), store: req.store)
        return .redirect("/console/profile", flash: "profile.regenerated")
    }

    func createToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        do {
            let days = req.formValue("expires_in_days")
            let expiresInDays: Int? = days.isEmpty ? nil : ASCIIDecimal.parse(days).map { Int(clamping: $0) } ?? 0
            let (_, secret) = try await req.accounts.createAccessToken(user: user, name: req.formValue("token_name"), expiresInDays: expiresInDays, store: req.store)
            // Shown once, on this response only; never stored in clear.
            return try await profileView(req, newToken: secret, errors: [], status: .created)
        } catch AppError.validation(let errors) {
            return try await profileView(req, newToken: nil, errors: errors.map { FieldError($0.field == "expires_in_days" ? $0.field : "token_name", $0.code) },
                                         status: .unprocessableEntity)
        }
    }

    func revokeTokenConfirmation(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("token").flatMap(AccessTokenID.init(string:)) else { throw AppError.notFound }
        let token = try await req.store.accessToken(id, of: user.id)
        let ctx = try await req.pageContext()
        return Layout.confirmation(ctx, title: ctx.strings("profile.token_revoke") + ": " + token.name,
                                   consequence: ctx.strings("profile.token_revoke_confirm", ["name": token.name]),
                                   action: "/console/profile/tokens/\(id.string)/revoke", confirmLabel: ctx.strings("profile.token_revoke"), cancel: "/console/profile")
    }

    func revokeToken(req: Request) async throws -> Response {
        guard let id = req.parameters.get("token").flatMap(AccessTokenID.init(string:)) else { throw AppError.notFound }
        try await req.accounts.revokeAccessToken(user: try req.requireUser(), id: id, store: req.store)
        return .redirect("/console/profile", flash: "profile.token_revoked")
    }

    func endSession(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("session").flatMap(SessionID.init(string:)) else { throw AppError.notFound }
        try await req.store.write { tx in try await tx.deleteSession(id, of: user.id) }
        return .redirect("/console/profile", flash: "profile.session_ended")
    }
}
