import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-O6: "forgot password" in the console: ask for a link, then set a new password with it.
extension ConsoleController {
    func forgotPasswordPage(req: Request) async throws -> Response {
        forgotView(try await req.pageContext(), email: (try? req.query.get(String.self, at: "email")) ?? "", errors: [])
    }

    func forgotView(_ ctx: PageContext, email: String, errors: [FieldError], status: HTTPResponseStatus = .ok) -> Response {
        let s = ctx.strings
        return Layout.page(s("forgot.title"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("forgot.title")) }
                tag("p", cls("muted")) { text(s("forgot.intro")) }
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["email": s("field.email")]) }
                postForm("/forgot-password", csrf: ctx.csrf) {
                    field("email", label: s("field.email"), type: "email", value: email, error: errors.first.map { s.fieldError($0) }, autocomplete: "username")
                    button(s("forgot.submit"))
                }
                tag("p") { link(s("login.title"), "/login") }
            }
        }
    }

    func forgotPassword(req: Request) async throws -> Response {
        let email = req.formValue("email")
        do {
            try await req.accounts.requestPasswordReset(email: email, ip: req.clientIP, language: req.language, store: req.store)
        } catch AppError.validation(let errors) {
            return forgotView(try await req.pageContext(), email: email, errors: errors, status: .unprocessableEntity)
        }
        // The same page whether the address has an account or not.
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("forgot.sent_title"), ctx) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("forgot.sent_title")) }
                tag("p", cls("flash"), attr("role", "status")) { text(s("forgot.sent", ["email": EmailAddress(email)?.value ?? email])) }
                tag("p") { link(s("login.title"), "/login") }
            }
        }
    }

    func resetPasswordPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        return try await resetView(req, token: token, refusal: try await req.accounts.passwordResetRefusal(token: token, store: req.store), errors: [])
    }

    func resetView(_ req: Request, token: String, refusal: PasswordResetRules.Refusal?, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("reset.title"), ctx, status: refusal == nil ? status : .gone) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("reset.title")) }
                if let refusal {
                    tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(s("reset.\(refusal.rawValue)")) } }
                    tag("p") { link(s("forgot.again"), "/forgot-password") }
                } else {
                    if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["new_password": s("field.new_password")]) }
                    // The link's token is the form's address: it never goes into a hidden field.
                    postForm("/reset-password/\(token)", csrf: ctx.csrf) {
                        field("new_password", label: s("field.new_password"), type: "password", error: errors.first.map { s.fieldError($0) },
                              hint: s("field.password_hint"), autocomplete: "new-password")
                        button(s("reset.submit"))
                    }
                }
            }
        }
    }

    func resetPassword(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        do {
            try await req.accounts.resetPassword(token: token, newPassword: req.formValue("new_password"), language: req.language, store: req.store)
        } catch AppError.validation(let errors) {
            return try await resetView(req, token: token, refusal: nil, errors: errors, status: .unprocessableEntity)
        } catch AppError.gone(let key) {
            return try await resetView(req, token: token, refusal: PasswordResetRules.Refusal(rawValue: String(key.dropFirst("reset.".count))) ?? .unknown, errors: [])
        }
        return .redirect("/login", flash: "reset.done")
    }

    // MARK: changing the e-mail address

    func requestEmailChange(req: Request) async throws -> Response {
        let user = try req.requireUser()
        do {
            try await req.accounts.requestEmailChange(user: user, newEmail: req.formValue("email"), password: req.formValue("password"),
                                                      language: req.language, store: req.store)
        } catch AppError.validation(let errors) {
            return try await profileView(req, newToken: nil, errors: errors, values: ["new_email": req.formValue("email")], status: .unprocessableEntity)
        }
        return .redirect("/console/profile", flash: "email_change.sent")
    }

    /// The link from the new address opens a page with one button: a mail scanner following links
    /// changes nothing.
    func confirmEmailPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        return try await confirmEmailView(req, token: token, refusal: try await req.accounts.emailChangeRefusal(token: token, store: req.store))
    }

    func confirmEmailView(_ req: Request, token: String, refusal: PasswordResetRules.Refusal?, message: String? = nil,
                          status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("email_change.title"), ctx, status: refusal == nil ? status : .gone) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("email_change.title")) }
                if let refusal {
                    tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(s("reset.\(refusal.rawValue)")) } }
                } else {
                    if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                    tag("p") { text(s("email_change.confirm_intro")) }
                    postForm("/confirm-email/\(token)", csrf: ctx.csrf) {
                        field("password", label: s("field.password"), type: "password", autocomplete: "current-password")
                        button(s("email_change.confirm"))
                    }
                }
            }
        }
    }

    func confirmEmail(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        do {
            _ = try await req.accounts.confirmEmailChange(token: token, password: req.formValue("password"), language: req.language, store: req.store)
        } catch AppError.gone(let key) {
            return try await confirmEmailView(req, token: token, refusal: PasswordResetRules.Refusal(rawValue: String(key.dropFirst("reset.".count))) ?? .unknown)
        } catch AppError.validation(let errors) {
            return try await confirmEmailView(req, token: token, refusal: nil, message: errors.first.map { req.strings.fieldError($0) }, status: .unprocessableEntity)
        } catch AppError.conflict {
            return try await confirmEmailView(req, token: token, refusal: nil, message: req.strings("email_change.taken"), status: .conflict)
        }
        return .redirect(req.identity?.user != nil ? "/console/profile" : "/login", flash: "email_change.done")
    }
}
