import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-O6: "forgot password" — one answer for every address, a single-use link for one hour, and
/// every session and token ended on reset.
@Suite("R-O6 forgot password")
struct RecoveryTests {
    func resetLink(_ t: TestApp, to email: String) async throws -> String? {
        guard let mail = try await t.store.outbox(recipient: EmailAddress(email)!).first(where: { $0.body.contains("/reset-password/") }),
              let range = mail.body.range(of: #"/reset-password/[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(mail.body[range].dropFirst("/reset-password/".count))
    }

    @Test("R-O6 the API: the same 202 for a known and an unknown address; the link sets a new password once, ends every token, and the old password no longer works")
    func api() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            let known = try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#)
            let unknown = try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"nobody@client.test"}"#)
            #expect(known.status == .accepted && unknown.status == .accepted && known.body.string == unknown.body.string)
            #expect(try await t.store.outbox(recipient: EmailAddress("nobody@client.test")!).isEmpty)
            let token = try #require(try await resetLink(t, to: clara.email))
            let weak = try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(token)","new_password":"short"}"#)
            #expect(weak.status == .unprocessableEntity && weak.body.string.contains("new_password"))
            let done = try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(token)","new_password":"a-new-password-2026"}"#)
            #expect(done.status == .noContent)
            // The token from before the reset is ended; the old password fails, the new one works.
            #expect(try await t.send(.GET, "/api/v1/me", token: clara.token).status == .unauthorized)
            let old = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"clara@client.test","password":"\#(TestApp.password)","name":"x"}"#)
            #expect(old.status == .unauthorized)
            let new = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"clara@client.test","password":"a-new-password-2026","name":"x"}"#)
            #expect(new.status == .created)
            // Single use.
            let again = try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(token)","new_password":"another-password-2026"}"#)
            #expect(again.status == .gone)
        }
    }

    @Test("R-O6 a link works for one hour; a reset uses up every other open link; over three an hour a recipient gets no more mail, and the same answer")
    func expiryAndLimits() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            for _ in 0..<2 { #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted) }
            let links = try await t.store.outbox(recipient: EmailAddress(clara.email)!).filter { $0.body.contains("/reset-password/") }.compactMap { mail in
                mail.body.range(of: #"/reset-password/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(mail.body[$0].dropFirst("/reset-password/".count)) }
            }
            #expect(links.count == 2)
            #expect(try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(links[0])","new_password":"a-new-password-2026"}"#).status == .noContent)
            #expect(try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(links[1])","new_password":"b-new-password-2026"}"#).status == .gone)
            // Three mails an hour per recipient: the third goes out; a fourth is answered alike
            // (no lockout, nothing to learn) but sends nothing.
            #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted)
            let mails = try await t.store.outbox(recipient: EmailAddress(clara.email)!).count
            #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted)
            #expect(try await t.store.outbox(recipient: EmailAddress(clara.email)!).count == mails)
            t.clock.advance(3601)
            let late = try #require(try await resetLink(t, to: clara.email))
            #expect(try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(late)","new_password":"c-new-password-2026"}"#).status == .gone)
        }
    }

    @Test("R-O6 the console: a link on the sign-in page, the same page for any address, a form from the link, then signed-in sessions end and the new password signs in")
    func console() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            let signedIn = Browser(t)
            try await signedIn.logIn(clara.email)
            #expect(try await signedIn.get("/console/profile").status == .ok)
            let visitor = Browser(t)
            #expect(try await visitor.get("/login").body.string.contains(#"href="/forgot-password""#))
            let known = try await visitor.post("/forgot-password", ["email": clara.email])
            let unknown = try await visitor.post("/forgot-password", ["email": "nobody@client.test"])
            #expect(known.status == .ok && unknown.status == .ok)
            #expect(known.body.string.contains("Check your inbox") && unknown.body.string.contains("Check your inbox"))
            let token = try #require(try await resetLink(t, to: clara.email))
            let form = try await visitor.get("/reset-password/\(token)")
            #expect(form.status == .ok && form.body.string.contains(#"name="new_password""#))
            let saved = try await visitor.post("/reset-password/\(token)", ["new_password": "a-new-password-2026"])
            #expect(saved.status == .seeOther && saved.headers.first(name: .location) == "/login")
            // The session signed in before the reset is over.
            #expect(try await signedIn.get("/console/profile").status != .ok)
            try await visitor.logIn(clara.email, password: "a-new-password-2026")
            #expect(try await visitor.get("/console/profile").status == .ok)
            // The used link says so.
            let used = try await visitor.get("/reset-password/\(token)")
            #expect(used.status == .gone && used.body.string.contains("used already"))
        }
    }

    func confirmLink(_ t: TestApp, to email: String) async throws -> String? {
        guard let mail = try await t.store.outbox(recipient: EmailAddress(email)!).first(where: { $0.body.contains("/confirm-email/") }),
              let range = mail.body.range(of: #"/confirm-email/[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(mail.body[range].dropFirst("/confirm-email/".count))
    }

    @Test("R-O6 a new e-mail address: needs the password, is confirmed from the new address once, the old address is told; a taken address gets no link and the same answer")
    func emailChange() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            _ = try await t.signUp("paul@partner.test", organisation: "Partner")
            let wrong = try await t.send(.POST, "/api/v1/me/email", token: clara.token, json: #"{"email":"clara@new.test","password":"wrong-password-2026"}"#)
            #expect(wrong.status == .forbidden && wrong.body.string.contains("password"))
            #expect(try await t.send(.POST, "/api/v1/me/email", token: clara.token, json: #"{"email":"paul@partner.test","password":"\#(TestApp.password)"}"#).status == .accepted)
            #expect(try await confirmLink(t, to: "paul@partner.test") == nil)
            #expect(try await t.send(.POST, "/api/v1/me/email", token: clara.token, json: #"{"email":"clara@new.test","password":"\#(TestApp.password)"}"#).status == .accepted)
            #expect(try await t.store.outbox(recipient: EmailAddress(clara.email)!).contains { $0.body.contains("clara@new.test") })
            // Nothing changes before the confirmation.
            #expect((try await t.store.user(email: EmailAddress("clara@new.test")!)) == nil)
            let token = try #require(try await confirmLink(t, to: "clara@new.test"))
            // The link's page changes nothing (a scanner may open it); the button does.
            let page = Browser(t)
            #expect(try await page.get("/confirm-email/\(token)").body.string.contains("Confirm the address"))
            #expect((try await t.store.user(email: EmailAddress("clara@new.test")!)) == nil)
            let wrongPassword = try await t.send(.POST, "/api/v1/email-changes/confirm", json: #"{"token":"\#(token)","password":"wrong-password-2026"}"#)
            #expect(wrongPassword.status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/email-changes/confirm", json: #"{"token":"\#(token)","password":"\#(TestApp.password)"}"#).status == .noContent)
            #expect(try await t.store.user(email: EmailAddress("clara@new.test")!)?.id.string == clara.userID)
            #expect(try await t.store.outbox(recipient: EmailAddress(clara.email)!).contains { $0.subject == "Your e-mail address was changed" })
            #expect(try await t.send(.POST, "/api/v1/email-changes/confirm", json: #"{"token":"\#(token)","password":"\#(TestApp.password)"}"#).status == .gone)
            let signIn = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"clara@new.test","password":"\#(TestApp.password)","name":"x"}"#)
            #expect(signIn.status == .created)
        }
    }

    @Test("R-O6 the console's e-mail change: the profile form, a refused password shown on the form, the confirmation page's button")
    func emailChangeConsole() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            let browser = Browser(t)
            try await browser.logIn(clara.email)
            #expect(try await browser.get("/console/profile").body.string.contains(#"action="/console/profile/email""#))
            let refused = try await browser.post("/console/profile/email", ["email": "clara@new.test", "password": "wrong-password-2026"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("clara@new.test"))
            let sent = try await browser.post("/console/profile/email", ["email": "clara@new.test", "password": TestApp.password])
            #expect(sent.status == .seeOther)
            let token = try #require(try await confirmLink(t, to: "clara@new.test"))
            let confirmed = try await browser.post("/confirm-email/\(token)", ["password": TestApp.password])
            #expect(confirmed.status == .seeOther && confirmed.headers.first(name: .location) == "/console/profile")
            #expect(try await browser.get("/console/profile").body.string.contains("clara@new.test"))
        }
    }

    @Test("R-H1 the reset form takes the hostile corpus in its field, and hostile link tokens, without a server error and without reflecting them")
    func hostileForms() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted)
            let token = try #require(try await resetLink(t, to: clara.email))
            let browser = Browser(t)
            _ = try await browser.get("/reset-password/\(token)")
            for value in HostileFormTests.corpus {
                let response = try await browser.post("/reset-password/\(token)", ["new_password": value.text])
                // Refused, too large, or — a value that is a fine password — saved (then the link is used up: 410).
                #expect([.unprocessableEntity, .payloadTooLarge, .seeOther, .gone].contains(response.status), "\(value): \(response.status)")
            }
            for value in HostileFormTests.corpus where value.text.utf8.count < 2_000 {
                let path = value.text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                for door in ["/reset-password/", "/confirm-email/"] {
                    let page = try await browser.get(door + path)
                    #expect(page.status.code < 500 && !page.body.string.contains("<form method=\"post\" action=\"\(door)\(value.text)"), "\(door) \(value): \(page.status)")
                    let posted = try await browser.post(door + path, [:])
                    #expect(posted.status.code < 500, "\(door) \(value): \(posted.status)")
                }
            }
            #expect(try await t.healthy())
        }
    }

    @Test("R-O6 no link outlives a change of the account: a password reset ends a pending e-mail change, a confirmed change ends earlier reset links, a new request replaces the last")
    func linksEnd() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            func change(_ to: String) async throws -> String {
                #expect(try await t.send(.POST, "/api/v1/me/email", token: clara.token, json: #"{"email":"\#(to)","password":"\#(TestApp.password)"}"#).status == .accepted)
                return try #require(try await confirmLink(t, to: to))
            }
            func confirm(_ token: String, _ password: String) async throws -> HTTPStatus {
                try await t.send(.POST, "/api/v1/email-changes/confirm", json: #"{"token":"\#(token)","password":"\#(password)"}"#).status
            }
            // Someone who knew the password asks for a change; the owner resets the password.
            let hijack = try await change("evil@attacker.test")
            #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted)
            let reset = try #require(try await resetLink(t, to: clara.email))
            #expect(try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(reset)","new_password":"a-new-password-2026"}"#).status == .noContent)
            #expect(try await confirm(hijack, TestApp.password) == .gone)
            #expect(try await confirm(hijack, "a-new-password-2026") == .gone)
            // A reset link sent to the old address ends when the new address is confirmed.
            let token = try await t.token("clara@client.test", password: "a-new-password-2026")
            #expect(try await t.send(.POST, "/api/v1/password-resets", json: #"{"email":"clara@client.test"}"#).status == .accepted)
            let oldReset = try #require(try await resetLink(t, to: clara.email))
            #expect(try await t.send(.POST, "/api/v1/me/email", token: token, json: #"{"email":"clara@typo.test","password":"a-new-password-2026"}"#).status == .accepted)
            let typo = try #require(try await confirmLink(t, to: "clara@typo.test"))
            #expect(try await t.send(.POST, "/api/v1/me/email", token: token, json: #"{"email":"clara@new.test","password":"a-new-password-2026"}"#).status == .accepted)
            let right = try #require(try await confirmLink(t, to: "clara@new.test"))
            // The mistyped address's link was replaced by the newer request.
            #expect(try await confirm(typo, "a-new-password-2026") == .gone)
            #expect(try await confirm(right, "a-new-password-2026") == .noContent)
            #expect(try await t.send(.POST, "/api/v1/password-resets/confirm", json: #"{"token":"\#(oldReset)","new_password":"b-new-password-2026"}"#).status == .gone)
        }
    }
}
