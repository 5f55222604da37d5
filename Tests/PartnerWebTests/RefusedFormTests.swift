import Foundation
import PartnerCore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-H1: a console form refused before its own page could show it again keeps what was typed,
/// for the person who sent it, and never repeats a secret.
@Suite("R-H1 the refused-form page")
struct RefusedFormTests {
    @Test("A form the input gate refuses comes back to the signed-in sender: its menu, the security headers, every field but the passwords")
    func gateRefusal() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let b = Browser(t, language: "en")
            try await b.logIn("anna@example.ch")
            let response = try await b.post("/console/profile/password", ["current_password": "typed-secret-1", "new_password": "typed-secret-2",
                                                                          "note": "Anna\u{202E}gpj.exe"])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("Form not accepted"))
            #expect(html.contains(#"action="/logout""#))  // shown as the signed-in user's page
            #expect(response.headers.first(name: "Content-Security-Policy") != nil)
            #expect(html.contains(##"href="#f-note""##) && html.contains(#"id="f-note""#))
            #expect(!html.contains("typed-secret-1") && !html.contains("typed-secret-2"))
            #expect(html.contains("Passwords and card numbers are not shown again"))
            // The character that got it refused is not echoed; the rest of what was typed is.
            #expect(!html.unicodeScalars.contains("\u{202E}") && html.contains("gpj.exe"))
        }
    }

    @Test("A refused profile name comes back as typed, and a refused token form keeps its name and expiry, with labelled errors")
    func keepsTyped() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let b = Browser(t, language: "en")
            try await b.logIn(anna.email)
            let long = String(repeating: "Ä", count: 130)
            let name = try await b.post("/console/profile", ["name": long, "language": "en"])
            #expect(name.status == .unprocessableEntity && name.body.string.contains(long))
            let token = try await b.post("/console/profile/tokens", ["token_name": "Deploy key", "expires_in_days": "366"])
            #expect(token.status == .unprocessableEntity)
            #expect(token.body.string.contains(#"value="Deploy key""#))
            #expect(token.body.string.contains("Expires:") && !token.body.string.contains("expires_in_days:"))
        }
    }

    @Test("A form with an expired CSRF token comes back with what was typed, to send again with a fresh token")
    func expiredToken() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let b = Browser(t, language: "en")
            try await b.logIn("anna@example.ch")
            let refused = try await b.post("/console/profile", ["name": "Anna Neuname", "language": "en", "_csrf": "stale-token"])
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains("Anna Neuname"))
            #expect(!refused.body.string.contains("stale-token"))
            // The page's own token (absorbed by the browser) sends it through.
            let again = try await b.post("/console/profile", ["name": "Anna Neuname", "language": "en"])
            #expect(again.status == .seeOther)
            #expect(try await b.get("/console/profile").body.string.contains("Anna Neuname"))
        }
    }
}
