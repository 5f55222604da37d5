import Foundation
@testable import PartnerWeb
import Testing
import VaporTesting

/// Tenants are walls: every tenant-scoped route answers 404 to a user of another organisation,
/// and changes nothing.
@Suite("Tenant isolation")
struct IsolationTests {
    struct Route: Sendable, CustomTestStringConvertible {
        let method: HTTPMethod
        let path: String
        let body: String?
        var testDescription: String { "\(method.rawValue) \(path)" }
    }

    /// `{org}`, `{member}`, `{invitation}` are the victim's ids.
    static let apiRoutes: [Route] = [
        Route(method: .GET, path: "/api/v1/organisations/{org}", body: nil),
        Route(method: .PATCH, path: "/api/v1/organisations/{org}", body: #"{"name":"Pwned"}"#),
        Route(method: .GET, path: "/api/v1/organisations/{org}/members", body: nil),
        Route(method: .PATCH, path: "/api/v1/organisations/{org}/members/{member}", body: #"{"role":"admin"}"#),
        Route(method: .DELETE, path: "/api/v1/organisations/{org}/members/{member}", body: nil),
        Route(method: .GET, path: "/api/v1/organisations/{org}/invitations", body: nil),
        Route(method: .POST, path: "/api/v1/organisations/{org}/invitations", body: #"{"email":"x@example.ch","role":"admin"}"#),
        Route(method: .POST, path: "/api/v1/organisations/{org}/invitations/{invitation}/resend", body: nil),
        Route(method: .DELETE, path: "/api/v1/organisations/{org}/invitations/{invitation}", body: nil),
        Route(method: .GET, path: "/api/v1/organisations/{org}/audit-events", body: nil),
        // The attacker's own organisation with the victim's member / invitation ids.
        Route(method: .PATCH, path: "/api/v1/organisations/{own}/members/{member}", body: #"{"role":"admin"}"#),
        Route(method: .DELETE, path: "/api/v1/organisations/{own}/members/{member}", body: nil),
        Route(method: .POST, path: "/api/v1/organisations/{own}/invitations/{invitation}/resend", body: nil),
        Route(method: .DELETE, path: "/api/v1/organisations/{own}/invitations/{invitation}", body: nil),
    ]

    @Test("Another organisation's ids answer 404 on every tenant-scoped API route", arguments: apiRoutes)
    func apiRoute(_ route: Route) async throws {
        try await TestApp.with { t in
            let victim = try await t.signUp("victim@example.ch", organisation: "Victim AG")
            let invitation = try t.json(try await t.send(.POST, "/api/v1/organisations/\(victim.organisationID)/invitations", token: victim.token,
                                                         json: #"{"email":"friend@example.ch","role":"employee"}"#)) as! [String: Any]
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)/members", token: victim.token)) as! [[String: Any]]
            let attacker = try await t.signUp("attacker@example.ch", organisation: "Attacker GmbH")
            let path = route.path.replacingOccurrences(of: "{org}", with: victim.organisationID)
                .replacingOccurrences(of: "{own}", with: attacker.organisationID)
                .replacingOccurrences(of: "{member}", with: members[0]["id"] as! String)
                .replacingOccurrences(of: "{invitation}", with: invitation["id"] as! String)
            let response = try await t.send(route.method, path, token: attacker.token, json: route.body)
            #expect(response.status == .notFound, "\(route.method) \(path): \(response.status) \(response.body.string)")
            // Nothing changed on the victim's side.
            let organisation = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)", token: victim.token)) as! [String: Any]
            #expect(organisation["name"] as? String == "Victim AG")
            let after = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)/members", token: victim.token)) as! [[String: Any]]
            #expect(after.count == 1 && after[0]["role"] as? String == "legal_representative")
            let pending = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)/invitations", token: victim.token)) as! [[String: Any]]
            #expect(pending.count == 1)
        }
    }

    static let consoleGets = ["", "/settings", "/members", "/activity", "/members/{member}/remove", "/invitations/{invitation}/withdraw"]
    static let consolePosts = ["/settings", "/members/invite", "/members/{member}/role", "/members/{member}/remove",
                               "/invitations/{invitation}/resend", "/invitations/{invitation}/withdraw"]

    @Test("Another organisation's console pages and forms answer 404")
    func consoleRoutes() async throws {
        try await TestApp.with { t in
            let victim = try await t.signUp("victim@example.ch", organisation: "Victim AG")
            let invitation = try t.json(try await t.send(.POST, "/api/v1/organisations/\(victim.organisationID)/invitations", token: victim.token,
                                                         json: #"{"email":"friend@example.ch","role":"employee"}"#)) as! [String: Any]
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)/members", token: victim.token)) as! [[String: Any]]
            _ = try await t.signUp("attacker@example.ch", organisation: "Attacker GmbH")
            let browser = Browser(t)
            try await browser.logIn("attacker@example.ch")
            func fill(_ suffix: String) -> String {
                "/console/orgs/\(victim.organisationID)" + suffix.replacingOccurrences(of: "{member}", with: members[0]["id"] as! String)
                    .replacingOccurrences(of: "{invitation}", with: invitation["id"] as! String)
            }
            for suffix in Self.consoleGets {
                #expect(try await browser.get(fill(suffix)).status == .notFound, "GET \(suffix)")
            }
            try await browser.get("/console/profile")
            for suffix in Self.consolePosts {
                #expect(try await browser.post(fill(suffix), ["name": "Pwned", "role": "admin", "email": "x@example.ch", "country": "CH", "currency": "CHF"]).status == .notFound, "POST \(suffix)")
            }
            let after = try t.json(try await t.send(.GET, "/api/v1/organisations/\(victim.organisationID)", token: victim.token)) as! [String: Any]
            #expect(after["name"] as? String == "Victim AG")
        }
    }
}
