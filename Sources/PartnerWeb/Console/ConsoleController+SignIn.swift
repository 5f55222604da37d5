import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// Signing up and in (R-H1: answers alike for new and registered addresses) and out.
extension ConsoleController {
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
                if action == "/login" {
                    tag("p") { link(s("forgot.link"), "/forgot-password") }
                    tag("p") { text(s("login.no_account") + " "); link(s("signup.title"), "/signup") }
                }
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
            return try await TwoFactorController.afterPassword(req, .user(user.id), door: .customer, redirect: next)
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
}
