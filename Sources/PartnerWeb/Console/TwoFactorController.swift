import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

struct PendingSignInKey: StorageKey { typealias Value = StoredSession }

/// R-O4 in both consoles: the code step of signing in, and setting two-factor sign-in up or off.
/// Customers use `/login/code` and `/console/profile/two-factor`; staff `/provider/login/code`
/// and `/provider/two-factor`.
struct TwoFactorController: RouteCollection {
    enum Door: Sendable {
        case customer, staff
        var codePath: String { self == .customer ? "/login/code" : "/provider/login/code" }
        var loginPath: String { self == .customer ? "/login" : "/provider/login" }
        var settingsPath: String { self == .customer ? "/console/profile/two-factor" : "/provider/two-factor" }
        var home: String { self == .customer ? "/console" : "/provider" }
    }

    func boot(routes: any RoutesBuilder) throws {
        for door in [Door.customer, .staff] {
            let code = routes.grouped(door.codePath.split(separator: "/").map { PathComponent(stringLiteral: String($0)) })
            code.get { req in try await codePage(req, door) }.named(.openAccount)
            code.post { req in try await submitCode(req, door) }.named(.openAccount)
            let settings = routes.grouped(door.settingsPath.split(separator: "/").map { PathComponent(stringLiteral: String($0)) })
            let action: Action = door == .customer ? .manageOwnAccount : .supportCustomers
            settings.get { req in try await settingsPage(req, door) }.named(action)
            settings.post("setup") { req in try await setUp(req, door) }.named(action)
            settings.post("confirm") { req in try await confirm(req, door) }.named(action)
            settings.post("recovery-codes") { req in try await regenerate(req, door) }.named(action)
            settings.post("disable") { req in try await disable(req, door) }.named(action)
        }
    }

    // MARK: after the password: the code

    /// Where a correct password leads: the code step when two-factor sign-in is on, the set-up
    /// page when this person must use it and has not set it up, else straight in.
    static func afterPassword(_ req: Request, _ principal: Principal, door: Door, redirect: String) async throws -> Response {
        let twoFactor = req.partnerHub.twoFactor
        let agent = req.headers.first(name: .userAgent) ?? ""
        if try await twoFactor.isEnabled(principal, store: req.store) {
            let (cookie, _) = try await req.accounts.startSession(principal, userAgent: agent, stage: .awaitingCode,
                                                                 lifetime: TwoFactorService.codeStepLifetime, store: req.store)
            return Self.withSession(req, .redirect(door.codePath + "?next=" + (redirect.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")), cookie)
        }
        let mustEnrol = try await twoFactor.isRequired(principal, store: req.store)
        let (cookie, _) = try await req.accounts.startSession(principal, userAgent: agent, stage: mustEnrol ? .mustEnrol : .signedIn,
                                                             lifetime: AccountService.sessionLifetime, store: req.store)
        return Self.withSession(req, .redirect(mustEnrol ? door.settingsPath : redirect, flash: mustEnrol ? "twofactor.must_enrol" : nil), cookie)
    }

    static func withSession(_ req: Request, _ response: Response, _ cookie: String) -> Response {
        response.cookies[Cookies.session] = HTTPCookies.Value(string: cookie, expires: Date().addingTimeInterval(AccountService.sessionLifetime),
                                                              path: "/", isSecure: req.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    func pending(_ req: Request, _ door: Door) -> StoredSession? {
        guard let session = req.storage[PendingSignInKey.self] else { return nil }
        switch (session.principal, door) {
        case (.user, .customer), (.staff, .staff): return session
        default: return nil
        }
    }

    func codePage(_ req: Request, _ door: Door, message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        guard pending(req, door) != nil else { return .redirect(door.loginPath) }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let next = localPath(req.formValue("next")) ?? localPath((try? req.query.get(String.self, at: "next")) ?? "") ?? door.home
        return Layout.page(s("twofactor.code_title"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("twofactor.code_title")) }
                tag("p") { text(s("twofactor.code_intro")) }
                if let message { tag("p", cls("error"), attr("role", "alert")) { text(message) } }
                postForm(door.codePath, csrf: ctx.csrf) {
                    hidden("next", next)
                    field("code", label: s("twofactor.code"), error: message, hint: s("twofactor.code_hint"), autocomplete: "one-time-code")
                    button(s("login.submit"))
                }
                tag("p") { link(s("twofactor.start_again"), door.loginPath) }
            }
        }
    }

    func submitCode(_ req: Request, _ door: Door) async throws -> Response {
        guard let session = pending(req, door) else { return .redirect(door.loginPath) }
        let store = req.store
        let s = req.strings
        if try await req.partnerHub.twoFactor.check(session.principal, req.formValue("code"), store: store) {
            try await store.write { tx in
                try await tx.deleteSession(session.id)
                try await tx.appendAudit(AuditEntry(actor: session.principal.ownerKey, action: "login.second_factor",
                                                    target: door == .customer ? "console" : "provider-console", details: "{\"ip\":\"\(req.clientIP)\"}"),
                                         now: req.partnerHub.configuration.clock.now())
            }
            let next = localPath(req.formValue("next")) ?? door.home
            // A fresh cookie for the signed-in session: the one that waited for the code ends.
            let (cookie, _) = try await req.accounts.startSession(session.principal, userAgent: req.headers.first(name: .userAgent) ?? "", store: store)
            return Self.withSession(req, .redirect(next), cookie)
        }
        let attempts = try await store.write { tx in try await tx.countCodeAttempt(session.id) }
        if attempts >= TwoFactorService.attemptsPerSignIn {
            try await store.write { tx in try await tx.deleteSession(session.id) }
            let response = Response.redirect(door.loginPath, flash: "twofactor.too_many")
            response.cookies[Cookies.session] = .expired
            return response
        }
        return try await codePage(req, door, message: s("twofactor.wrong_code"), status: .unauthorized)
    }
}
