import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The profile: support code (R-S1), password, API tokens and sessions (R-O4).
extension ConsoleController {
    // MARK: profile (support code, password, tokens, sessions)

    func profilePage(req: Request) async throws -> Response {
        try await profileView(req, newToken: nil, errors: [], status: .ok)
    }

    /// `values`: what a refused form held, shown again as typed (R-H1).
    func profileView(_ req: Request, newToken: String?, errors: [FieldError], values: [String: String] = [:], status: HTTPResponseStatus) async throws -> Response {
        let user = try req.requireUser()
        let tokens = try await req.store.accessTokens(of: user.id)
        let now = req.partnerHub.configuration.clock.now()
        let sessions = try await req.store.sessions(of: user.id, now: now, idle: req.partnerHub.configuration.sessionIdleTimeout)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let current = req.identity?.session?.id
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        let labels = ["name": s("field.name"), "current_password": s("field.current_password"), "new_password": s("field.new_password"),
                      "email": s("email_change.new"), "password": s("field.current_password"),
                      "token_name": s("field.token_name"), "expires_in_days": s("profile.expires")]
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
                    field("name", label: s("field.name"), value: values["name"] ?? user.name, error: error("name"))
                    tag("p") { text(s("field.email") + ": " + user.email.value) }
                    selectField("language", label: s("field.language"), options: [("de", "Deutsch"), ("en", "English"), ("fr", "Français")],
                                selected: (user.language ?? ctx.language).rawValue)
                    button(s("settings.save"))
                }
            }
            // R-O6: confirmed from the new address, announced to the current one.
            tag("section", cls("card"), attr("aria-labelledby", "email-change")) {
                tag("h2", attr("id", "email-change")) { text(s("email_change.title")) }
                tag("p", cls("hint")) { text(s("email_change.help", ["email": user.email.value])) }
                postForm("/console/profile/email", csrf: ctx.csrf) {
                    field("email", label: s("email_change.new"), type: "email", value: values["new_email"] ?? "", error: error("email"), autocomplete: "email")
                    field("password", label: s("field.current_password"), type: "password", error: error("password"), autocomplete: "current-password")
                    button(s("email_change.submit"))
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
            tag("section", cls("card"), attr("aria-labelledby", "two-factor")) {
                tag("h2", attr("id", "two-factor")) { text(s("twofactor.title")) }
                tag("p") { link(s("profile.two_factor_link"), "/console/profile/two-factor") }
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
                    field("token_name", label: s("field.token_name"), value: values["token_name"] ?? "", error: error("token_name"))
                    selectField("expires_in_days", label: s("profile.expires"),
                                options: [("", s("profile.expires_never"))] + AccessTokenRules.consoleChoices.map { (String($0), s("profile.expires_days", ["days": String($0)])) },
                                selected: values["expires_in_days"] ?? "90", error: error("expires_in_days"))
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
            return try await profileView(req, newToken: nil, errors: errors, values: ["name": req.formValue("name")], status: .unprocessableEntity)
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
                                         values: ["token_name": req.formValue("token_name"), "expires_in_days": req.formValue("expires_in_days")],
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
