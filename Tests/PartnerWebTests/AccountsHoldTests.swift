import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-O4 accounts that hold: tokens end with the password or their expiry, idle sessions
/// end, support codes are looked up (audited), not listed.
@Suite("Accounts that hold: tokens, sessions, support codes")
struct AccountsHoldTests {
    func newToken(_ t: TestApp, _ account: TestApp.Account, _ body: String) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/me/tokens", token: account.token, json: body)
    }

    @Test("R-O4 changing the password ends every API token of the user, the console session that changed it stays")
    func passwordEndsTokens() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let other = try await t.token("anna@example.ch")
            #expect(try await t.send(.GET, "/api/v1/me", token: other).status == .ok)
            let browser = Browser(t)
            try await browser.logIn(anna.email)
            let changed = try await browser.post("/console/profile/password", ["current_password": TestApp.password, "new_password": "a-new-password-2026"])
            #expect(changed.status == .seeOther)
            #expect(try await t.send(.GET, "/api/v1/me", token: anna.token).status == .unauthorized)
            #expect(try await t.send(.GET, "/api/v1/me", token: other).status == .unauthorized)
            #expect(try await browser.get("/console/profile").status == .ok)
            #expect(try await t.token("anna@example.ch", password: "a-new-password-2026").hasPrefix("ph_"))
        }
    }

    @Test("R-O4 a token given 7 days works until then and not a second after; 0 and 366 days are refused naming the field")
    func expiry() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let created = try await t.send(.POST, "/api/v1/me/tokens", token: anna.token, json: #"{"name":"CI","expires_in_days":7}"#)
            #expect(created.status == .created, "\(created.body.string)")
            let body = try #require(try t.json(created) as? [String: Any])
            let secret = try #require(body["token"] as? String)
            let expires = try #require((body["access_token"] as? [String: Any])?["expires_at"] as? String)
            #expect(ISO8601DateFormatter().date(from: expires) == t.clock.now().addingTimeInterval(7 * 86_400))
            t.clock.advance(7 * 86_400 - 1)
            #expect(try await t.send(.GET, "/api/v1/me", token: secret).status == .ok)
            t.clock.advance(1)
            #expect(try await t.send(.GET, "/api/v1/me", token: secret).status == .unauthorized)
            for days in [0, 366] {
                let refused = try await t.send(.POST, "/api/v1/me/tokens", token: anna.token, json: #"{"name":"CI","expires_in_days":\#(days)}"#)
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains("expires_in_days"), "\(days)")
            }
        }
    }

    @Test("R-O4 a member removed from an organisation keeps no working token; the others' tokens work on")
    func leavingEndsTokens() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let ben = try await t.addMember(to: anna, email: "ben@example.ch", role: "admin")
            let spare = try await t.token("ben@example.ch")
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)", token: ben.token).status == .ok)
            let members = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/members", token: anna.token)) as? [[String: Any]])
            let membership = try #require(members.first { $0["email"] as? String == "ben@example.ch" }?["id"] as? String)
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(anna.organisationID)/members/\(membership)", token: anna.token).status == .noContent)
            for token in [ben.token, spare] { #expect(try await t.send(.GET, "/api/v1/me", token: token).status == .unauthorized) }
            #expect(try await t.send(.GET, "/api/v1/me", token: anna.token).status == .ok)
        }
    }

    @Test("R-O4 a staff token given 30 days ends then; 0 days is refused naming the field")
    func staffTokenExpiry() async throws {
        try await TestApp.with { t in
            _ = try await t.app.partnerHub.accounts.addStaff(email: "sam@provider.test", name: "Sam", role: .support, password: "provider-secret-1", store: t.store)
            let refused = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"sam@provider.test","password":"provider-secret-1","expires_in_days":0}"#)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("expires_in_days"))
            let created = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"sam@provider.test","password":"provider-secret-1","expires_in_days":30}"#)
            let token = try #require((try t.json(created) as? [String: Any])?["token"] as? String)
            #expect(try await t.send(.GET, "/api/v1/provider/vip-codes/12345678", token: token).status == .notFound, "works: the code is unknown")
            t.clock.advance(30 * 86_400)
            #expect(try await t.send(.GET, "/api/v1/provider/vip-codes/12345678", token: token).status == .unauthorized)
        }
    }

    @Test("R-O4 the console offers an expiry and lists it; a token without one says so")
    func consoleExpiry() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let browser = Browser(t, language: "en")
            try await browser.logIn(anna.email)
            let page = try await browser.post("/console/profile/tokens", ["token_name": "Deploy", "expires_in_days": "30"])
            #expect(page.status == .created)
            let tokens = try await t.store.accessTokens(of: UserID(string: anna.userID)!)
            #expect(tokens.first { $0.name == "Deploy" }?.expiresAt == t.clock.now().addingTimeInterval(30 * 86_400))
            #expect(page.body.string.contains("Never (until revoked)"))  // the sign-up token has none
            #expect(try await browser.post("/console/profile/tokens", ["token_name": "Bad", "expires_in_days": "1\u{0301}"]).status == .unprocessableEntity)
        }
    }

    @Test("R-O4 a console session idle for longer than the timeout ends; activity keeps it")
    func idleSession() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn(anna.email)
            let idle = t.app.partnerHub.configuration.sessionIdleTimeout
            t.clock.advance(idle - 120)
            #expect(try await browser.get("/console/profile").status == .ok)  // active again
            t.clock.advance(idle - 120)
            #expect(try await browser.get("/console/profile").status == .ok)
            t.clock.advance(idle + 1)
            let after = try await browser.get("/console/profile")
            #expect(after.status == .seeOther && after.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test("R-S1 staff look a support code up (audited, found or not); the provider's overview lists no support codes")
    func supportCodeLookup() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            let code = try #require(try await t.store.user(UserID(string: anna.userID)!)).supportCode
            _ = try await t.app.partnerHub.accounts.addStaff(email: "sam@provider.test", name: "Sam", role: .support, password: "support-secret-1", store: t.store)
            let sam = Browser(t, language: "en")
            try await sam.get("/provider/login")
            #expect(try await sam.post("/provider/login", ["email": "sam@provider.test", "password": "support-secret-1"]).status == .seeOther)
            let home = try await sam.get("/provider").body.string
            #expect(home.contains("Alpen AG") && !home.contains(code.grouped) && !home.contains(code.value))
            let found = try await sam.get("/provider?code=\(code.value)").body.string
            #expect(found.contains("anna@example.ch"))
            _ = try await sam.get("/provider?code=\(code.value == "10000001" ? "10000002" : "10000001")")  // a code nobody has
            let lookups = try await t.store.providerAuditEvents(limit: 50).filter { $0.action == "support.code_lookup" }
            #expect(lookups.count == 2)
            #expect(lookups.contains { $0.target == "user:\(anna.userID)" } && lookups.contains { $0.target == "none" })
        }
    }
}
