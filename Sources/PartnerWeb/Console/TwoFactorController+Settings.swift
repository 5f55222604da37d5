import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-O4: setting two-factor sign-in up (a secret to add to an authenticator app, confirmed by its
/// first code; ten recovery codes shown once), replacing the recovery codes, turning it off.
extension TwoFactorController {
    func principal(_ req: Request, _ door: Door) throws -> Principal {
        switch door {
        case .customer: return .user(try req.requireUser().id)
        case .staff: return .staff(try req.requireStaff().id)
        }
    }

    func accountName(_ req: Request) -> String {
        req.identity?.user?.email.value ?? req.identity?.staff?.email.value ?? ""
    }

    /// `secret`: a set-up in progress; `recoveryCodes`: shown once, right after they were made.
    func settingsPage(_ req: Request, _ door: Door, secret: String? = nil, recoveryCodes: [String] = [], errors: [FieldError] = [],
                      message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let owner = try principal(req, door)
        let twoFactor = req.partnerHub.twoFactor
        let state = try await req.store.twoFactor(owner)
        let required = try await twoFactor.isRequired(owner, store: req.store)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let codeError = errors.first { $0.field == "code" }.map { s.fieldError($0) }
        let base = door.settingsPath
        return Layout.page(s("twofactor.title"), ctx, status: status) {
            tag("h1") { text(s("twofactor.title")) }
            if let message { tag("p", cls("error"), attr("role", "alert")) { text(message) } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["code": s("twofactor.code")]) }
            tag("p") { text(s(required ? "twofactor.required_note" : "twofactor.optional_note")) }
            if !recoveryCodes.isEmpty {
                tag("section", cls("card"), attr("aria-labelledby", "recovery")) {
                    tag("h2", attr("id", "recovery")) { text(s("twofactor.recovery_title")) }
                    tag("p", cls("flash"), attr("role", "status")) { text(s("twofactor.recovery_once")) }
                    tag("ul", cls("recovery-codes"), attr("id", "recovery-codes")) {
                        for code in recoveryCodes { tag("li") { tag("code") { text(code) } } }
                    }
                    tag("p") { link(s("twofactor.continue"), door.home) }
                }
            }
            if let state, state.enabledAt != nil {
                tag("section", cls("card"), attr("aria-labelledby", "status")) {
                    tag("h2", attr("id", "status")) { text(s("twofactor.on")) }
                    tag("p", attr("id", "two-factor-status")) {
                        text(s("twofactor.on_since", ["date": state.enabledAt.map(Layout.date) ?? ""]) + " "
                             + s("twofactor.recovery_left", ["count": String(state.unusedRecoveryCodes)]))
                    }
                    postForm(base + "/recovery-codes", csrf: ctx.csrf) {
                        field("code", label: s("twofactor.code"), error: codeError, hint: s("twofactor.code_hint"), autocomplete: "one-time-code")
                        button(s("twofactor.new_recovery"), style: "secondary")
                    }
                    if !required {
                        postForm(base + "/disable", csrf: ctx.csrf) {
                            field("code", label: s("twofactor.code"), hint: s("twofactor.disable_hint"), autocomplete: "one-time-code")
                            button(s("twofactor.disable"), style: "danger")
                        }
                    }
                }
            } else if let secret {
                // Shown only in the answer to "set up": another session of the same person never
                // sees the key being set up (starting again draws a new one).
                tag("section", cls("card"), attr("aria-labelledby", "setup")) {
                    tag("h2", attr("id", "setup")) { text(s("twofactor.setup_title")) }
                    tag("p") { text(s("twofactor.setup_intro")) }
                    tag("p") { text(s("twofactor.secret") + " "); tag("code", cls("token"), attr("id", "totp-secret")) { text(Self.grouped(secret)) } }
                    tag("p", cls("hint")) {
                        text(s("twofactor.uri") + " ")
                        tag("code", attr("id", "totp-uri")) {
                            text(TOTP.provisioningURI(secret: Base32.decode(secret) ?? [], account: accountName(req), issuer: TwoFactorService.issuer))
                        }
                    }
                    postForm(base + "/confirm", csrf: ctx.csrf) {
                        field("code", label: s("twofactor.code"), error: codeError, hint: s("twofactor.code_hint"), autocomplete: "one-time-code")
                        button(s("twofactor.confirm"))
                    }
                }
            } else {
                postForm(base + "/setup", csrf: ctx.csrf) { button(s("twofactor.start")) }
            }
        }
    }

    /// The secret in groups of four, easier to type.
    static func grouped(_ secret: String) -> String {
        var groups: [String] = []
        var current = ""
        for character in secret {
            current.append(character)
            if current.count == 4 { groups.append(current); current = "" }
        }
        if !current.isEmpty { groups.append(current) }
        return groups.joined(separator: " ")
    }

    func setUp(_ req: Request, _ door: Door) async throws -> Response {
        let owner = try principal(req, door)
        do {
            let secret = try await req.partnerHub.twoFactor.begin(owner, store: req.store)
            return try await settingsPage(req, door, secret: secret)
        } catch AppError.refused(let key) {
            return try await settingsPage(req, door, message: req.strings(key), status: .conflict)
        }
    }

    func confirm(_ req: Request, _ door: Door) async throws -> Response {
        let owner = try principal(req, door)
        do {
            let codes = try await req.partnerHub.twoFactor.confirm(owner, code: req.formValue("code"), keeping: req.identity?.session?.id, store: req.store)
            return try await settingsPage(req, door, recoveryCodes: codes, status: .created)
        } catch AppError.validation(let errors) {
            return try await settingsPage(req, door, errors: errors.map { FieldError("code", $0.code) }, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await settingsPage(req, door, message: req.strings(key), status: .conflict)
        }
    }

    func regenerate(_ req: Request, _ door: Door) async throws -> Response {
        let owner = try principal(req, door)
        do {
            let codes = try await req.partnerHub.twoFactor.regenerateRecoveryCodes(owner, code: req.formValue("code"), store: req.store)
            return try await settingsPage(req, door, recoveryCodes: codes, status: .created)
        } catch AppError.validation(let errors) {
            return try await settingsPage(req, door, errors: errors.map { FieldError("code", $0.code) }, status: .unprocessableEntity)
        }
    }

    func disable(_ req: Request, _ door: Door) async throws -> Response {
        let owner = try principal(req, door)
        do {
            try await req.partnerHub.twoFactor.disable(owner, code: req.formValue("code"), store: req.store)
            return .redirect(door.settingsPath, flash: "twofactor.disabled")
        } catch AppError.validation(let errors) {
            return try await settingsPage(req, door, errors: errors.map { FieldError("code", $0.code) }, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await settingsPage(req, door, message: req.strings(key), status: .conflict)
        }
    }
}
