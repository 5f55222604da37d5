import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

@Suite("JSON API: accounts, tokens, bad input")
struct APITests {
    @Test("GET /health names the database")
    func health() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.GET, "/health")
            #expect(response.status == .ok)
            let body = try t.json(response) as! [String: String]
            #expect(body == ["status": "ok", "database": t.app.partnerHub.kind.rawValue])
        }
    }

    @Test("Sign-up makes the user legal representative of a new organisation in CHF for CH")
    func signUp() async throws {
        try await TestApp.with { t in
            let account = try await t.signUp("anna@example.ch", organisation: "Alpen AG", country: "CH")
            let list = try t.json(try await t.send(.GET, "/api/v1/organisations", token: account.token)) as! [[String: Any]]
            #expect(list.count == 1)
            #expect(list[0]["role"] as? String == "legal_representative")
            let organisation = list[0]["organisation"] as! [String: Any]
            #expect(organisation["currency"] as? String == "CHF" && organisation["name"] as? String == "Alpen AG")
        }
    }

    @Test("R-H1 a second sign-up with the same e-mail in other case writes nothing and answers as for a new address")
    func duplicateEmail() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let before = try await t.store.userCount()
            let response = try await t.send(.POST, "/api/v1/signup", json: """
                {"name":"Anna","email":"ANNA@Example.CH","password":"0123456789ab","organisation_name":"Other","country":"FR"}
                """)
            #expect(response.status == .accepted)
            #expect((try t.json(response) as? [String: Any])?["email"] as? String == "anna@example.ch")
            #expect(try await t.store.userCount() == before)
            #expect(try await t.store.allOrganisations().count == 1)
        }
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String, body: String, status: UInt, field: String
        var testDescription: String { name }
    }

    static let badSignUps = [
        BadInput(name: "malformed JSON", body: "{\"name\":", status: 400, field: "body"),
        // JSON that breaks the contract (R-H1): 422 naming the field, from the served document.
        BadInput(name: "not an object", body: "[1,2]", status: 422, field: "body"),
        BadInput(name: "wrong type", body: #"{"name":5,"email":"a@b.ch","password":"0123456789","organisation_name":"O","country":"CH"}"#, status: 422, field: "name"),
        BadInput(name: "missing field", body: #"{"name":"A","password":"0123456789","organisation_name":"O","country":"CH"}"#, status: 422, field: "email"),
        BadInput(name: "unknown currency", body: #"{"name":"A","email":"a@b.ch","password":"0123456789","organisation_name":"O","country":"CH","currency":"USD"}"#, status: 422, field: "currency"),
        BadInput(name: "short password", body: #"{"name":"A","email":"a@b.ch","password":"short","organisation_name":"O","country":"CH"}"#, status: 422, field: "password"),
        BadInput(name: "oversized name", body: #"{"name":"\#(String(repeating: "x", count: 500))","email":"a@b.ch","password":"0123456789","organisation_name":"O","country":"CH"}"#, status: 422, field: "name"),
        BadInput(name: "unknown country", body: #"{"name":"A","email":"a@b.ch","password":"0123456789","organisation_name":"O","country":"QQ"}"#, status: 422, field: "country"),
    ]

    @Test("Bad sign-up input gets a 4xx problem naming the field and changes nothing", arguments: badSignUps)
    func badSignUp(_ input: BadInput) async throws {
        try await TestApp.with { t in
            let response = try await t.send(.POST, "/api/v1/signup", json: input.body)
            #expect(response.status.code == input.status, "\(response.body.string)")
            #expect(response.headers.first(name: .contentType) == "application/problem+json")
            let problem = try t.json(response) as! [String: Any]
            #expect(problem["status"] as? Int == Int(input.status))
            #expect((problem["errors"] as? [[String: Any]])?.contains { $0["field"] as? String == input.field } == true, "\(problem)")
            #expect(try await t.store.userCount() == 0)
        }
    }

    @Test("R-H1 a body over its route's limit (16 KB for sign-up, 256 KB elsewhere) is refused with 413 problem JSON")
    func oversizedBody() async throws {
        try await TestApp.with { t in
            let big = #"{"name":""# + String(repeating: "x", count: 17_000) + #""}"#
            let response = try await t.send(.POST, "/api/v1/signup", json: big)
            #expect(response.status == .payloadTooLarge)
            #expect(response.headers.first(name: .contentType) == "application/problem+json")
            let account = try await t.signUp("anna@example.ch")
            let huge = #"{"name":""# + String(repeating: "x", count: 300_000) + #""}"#
            #expect(try await t.send(.POST, "/api/v1/me/tokens", token: account.token, json: huge).status == .payloadTooLarge)
            // Under the limit the same route answers by its rules (the name is too long: 422).
            let long = #"{"name":""# + String(repeating: "x", count: 200_000) + #""}"#
            #expect(try await t.send(.POST, "/api/v1/me/tokens", token: account.token, json: long).status == .unprocessableEntity)
        }
    }

    @Test("Without a token the API answers 401 problem JSON")
    func unauthenticated() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.GET, "/api/v1/me")
            #expect(response.status == .unauthorized)
            #expect(response.headers.first(name: .contentType) == "application/problem+json")
            #expect(try await t.send(.GET, "/api/v1/me", token: "ph_not-a-real-token").status == .unauthorized)
        }
    }

    @Test("An unknown e-mail and a wrong password get the same answer")
    func noAccountEnumeration() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let wrongPassword = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"wrong-password"}"#)
            let unknown = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"nobody@example.ch","password":"wrong-password"}"#)
            #expect(wrongPassword.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrongPassword.body.string == unknown.body.string)
        }
    }

    @Test("Five failed logins in 15 minutes lock the account with 429 and Retry-After, until the window passes")
    func loginThrottle() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            for _ in 1...5 {
                #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"wrong-password"}"#).status == .unauthorized)
            }
            // Even the right password is refused now, and nothing reveals which it was.
            let locked = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#)
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
            t.clock.advance(15 * 60 + 1)
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#).status == .created)
        }
    }

    @Test("A hundred failures from one address lock that address, whichever accounts were tried")
    func addressThrottle() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            for i in 1...100 {
                _ = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"guess\#(i)@example.ch","password":"wrong-password"}"#)
            }
            let locked = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#)
            #expect(locked.status == .tooManyRequests)
        }
    }

    @Test("A personal access token works until revoked, and only its hash is stored")
    func tokens() async throws {
        try await TestApp.with { t in
            let account = try await t.signUp("anna@example.ch")
            let created = try await t.send(.POST, "/api/v1/me/tokens", token: account.token, json: #"{"name":"CI"}"#)
            #expect(created.status == .created)
            let body = try t.json(created) as! [String: Any]
            let secret = body["token"] as! String
            #expect(secret.hasPrefix("ph_") && secret.count >= 3 + 43)  // 256 bits, base64url
            let id = (body["access_token"] as! [String: Any])["id"] as! String
            #expect(try await t.send(.GET, "/api/v1/me", token: secret).status == .ok)
            let stored = try await t.store.accessTokens(of: UserID(string: account.userID)!)
            #expect(!stored.contains { $0.prefix == secret })
            #expect(try await t.send(.DELETE, "/api/v1/me/tokens/\(id)", token: account.token).status == .noContent)
            #expect(try await t.send(.GET, "/api/v1/me", token: secret).status == .unauthorized)
            // Another user's token id is "not found", never revoked.
            let other = try await t.signUp("ben@example.ch")
            #expect(try await t.send(.DELETE, "/api/v1/me/tokens/\(id)", token: other.token).status == .notFound)
        }
    }

    @Test("R-B2 GET /api/v1/quote returns every step")
    func quote() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.GET, "/api/v1/quote?product=web-hosting&quantity=35&currency=EUR&partner_discount=20")
            #expect(response.status == .ok)
            let body = try t.json(response) as! [String: Any]
            #expect((body["steps"] as! [[String: Any]]).map { $0["amount"] as! Int } == [20125, 16100, 12075])
            #expect(try await t.send(.GET, "/api/v1/quote?product=web-hosting&quantity=0&currency=EUR").status == .unprocessableEntity)
        }
    }

    @Test("Every registered API route is described in the OpenAPI document")
    func openAPICoversRoutes() async throws {
        try await TestApp.with { t in
            let documented = OpenAPIDocument.operations
            let registered = t.app.routes.all
                .map { "\($0.method.rawValue) /" + $0.path.map { "\($0)" }.joined(separator: "/") }
                .filter { $0.contains(" /api/v1/") && !$0.hasSuffix("/openapi.json") }
            #expect(!registered.isEmpty)
            for route in registered { #expect(documented.contains(route), "\(route) is not in openapi.json") }
            for operation in documented { #expect(registered.contains(operation), "\(operation) is documented but not served") }
            let served = try await t.send(.GET, "/api/v1/openapi.json")
            let document = try t.json(served) as! [String: Any]
            #expect(document["openapi"] as? String == "3.1.0")
        }
    }

    @Test("The document's two parts never name a schema or a path twice (a clash would silently hide one)")
    func noClashes() {
        let parts = OpenAPIDocument.parts
        for (i, a) in parts.enumerated() {
            for b in parts.dropFirst(i + 1) {
                #expect(Set(a.schemas.keys).isDisjoint(with: b.schemas.keys))
                #expect(Set(a.paths.keys).isDisjoint(with: b.paths.keys))
            }
        }
    }
}
