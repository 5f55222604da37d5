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
        routes.get { req in Response.redirect(req.identity?.user == nil ? "/login" : "/console") }.named(.visitPublic)
        routes.get("static", "app.css") { _ in
            let response = Response(body: .init(string: Stylesheet.css))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            response.headers.cacheControl = .init(maxAge: 3600)
            return response
        }.named(.visitPublic)
        routes.get("lang", ":code", use: switchLanguage).named(.visitPublic)
        routes.get("signup", use: signUpPage).named(.openAccount)
        routes.post("signup", use: signUp).named(.openAccount)
        routes.get("login", use: logInPage).named(.openAccount)
        routes.post("login", use: logIn).named(.openAccount)
        routes.post("logout", use: logOut).named(.openAccount)
        // R-O6: anyone may ask; the link decides.
        routes.get("forgot-password", use: forgotPasswordPage).named(.openAccount)
        routes.post("forgot-password", use: forgotPassword).named(.openAccount)
        routes.get("reset-password", ":token", use: resetPasswordPage).named(.followSecretLink)
        routes.post("reset-password", ":token", use: resetPassword).named(.followSecretLink)
        routes.get("confirm-email", ":token", use: confirmEmailPage).named(.followSecretLink)
        routes.post("confirm-email", ":token", use: confirmEmail).named(.followSecretLink)
        routes.get("invitations", ":token", use: invitationPage).named(.followSecretLink)
        routes.post("invitations", ":token", "accept") { req in try await answerInvitation(req, accept: true) }.named(.followSecretLink)
        routes.post("invitations", ":token", "decline") { req in try await answerInvitation(req, accept: false) }.named(.followSecretLink)

        let console = routes.grouped("console")
        console.get(use: home).named(.manageOwnAccount)
        console.get("profile", use: profilePage).named(.manageOwnAccount)
        console.post("profile", use: updateProfile).named(.manageOwnAccount)
        console.post("profile", "password", use: changePassword).named(.manageOwnAccount)
        console.post("profile", "email", use: requestEmailChange).named(.manageOwnAccount)
        console.post("profile", "support-code", use: regenerateSupportCode).named(.manageOwnAccount)
        console.post("profile", "tokens", use: createToken).named(.manageOwnAccount)
        console.get("profile", "tokens", ":token", "revoke", use: revokeTokenConfirmation).named(.manageOwnAccount)
        console.post("profile", "tokens", ":token", "revoke", use: revokeToken).named(.manageOwnAccount)
        console.post("profile", "sessions", ":session", "end", use: endSession).named(.manageOwnAccount)

        console.get("organisations", "new", use: newOrganisationPage).named(.manageOwnAccount)
        console.post("organisations", use: createOrganisation).named(.manageOwnAccount)

        let org = console.grouped("orgs", ":org")
        org.get(use: dashboard).named(.seeOrganisation)
        org.get("settings", use: settingsPage).named(.seeOrganisation)
        org.post("settings", use: updateSettings).named(.editOrganisation)
        org.post("support-grants", use: grantSupport).named(.grantSupportAccess)
        org.post("support-grants", ":grant", "revoke", use: revokeSupport).named(.administerSupportAccess)
        org.get("members", use: membersPage).named(.seeOrganisation)
        org.post("members", "invite", use: invite).named(.manageMembers)
        org.post("members", ":member", "role", use: changeRole).named(.manageMembers)
        org.get("members", ":member", "remove", use: removeConfirmation).named(.manageMembers)
        org.post("members", ":member", "remove", use: removeMember).named(.manageMembers)
        org.post("invitations", ":invitation", "resend", use: resendInvitation).named(.manageMembers)
        org.get("invitations", ":invitation", "withdraw", use: withdrawConfirmation).named(.manageMembers)
        org.post("invitations", ":invitation", "withdraw", use: withdrawInvitation).named(.manageMembers)
        org.get("activity", use: activityPage).named(.seeActivity)
        org.get("activity.csv", use: activityCSV).named(.seeActivity)
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
}
