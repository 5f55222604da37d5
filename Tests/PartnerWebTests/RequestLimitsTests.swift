import Foundation
import PartnerCore
@testable import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-H1: limits that hold under concurrency, and bounds on the work one request may cause.
@Suite("R-H1 limits: throttles under concurrency, bounded requests")
struct RequestLimitsTests {
    @Test("R-H1 30 simultaneous wrong passwords for one account: at most 5 are checked, the rest wait with 429")
    func concurrentThrottle() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<30 {
                    group.addTask { try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"wrong-password"}"#).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            // A checked password answers 401; an attempt the throttle holds back answers 429 unchecked.
            let checked = statuses.filter { $0 == .unauthorized }.count
            #expect(checked <= 5, "\(checked) passwords were checked")
            #expect(checked + statuses.filter { $0 == .tooManyRequests }.count == 30)
            let failures = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'login.failed'").first()?.decode(column: "n", as: Int.self)
            #expect(failures == checked)
        }
    }

    @Test("R-H1 a successful sign-in does not use up the account's attempts")
    func successTakesReservationBack() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            for _ in 0..<8 { _ = try await t.token("anna@example.ch") }
            for _ in 1...4 {
                #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"wrong-password"}"#).status == .unauthorized)
            }
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#).status == .created)
        }
    }

    @Test("R-H1 an hourly limit reserved by 8 simultaneous requests lets exactly its number through")
    func concurrentHourlyLimit() async throws {
        try await TestApp.with { t in
            let billing = t.app.partnerHub.billing
            let store = t.store
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do { try await billing.reserve("orders:limit-test", limit: 3, field: "quote_id", store: store); return true } catch is AttemptLimitReached {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 3)
        }
    }

    @Test("R-H1 a quote of more than 20 lines or 200 units is refused naming the limit, and nothing is priced")
    func orderLimits() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            func lines(_ count: Int, quantity: Int) -> String {
                "[" + (0..<count).map { #"{"category":"vps","name":"vps-\#($0)","quantity":\#(quantity)}"# }.joined(separator: ",") + "]"
            }
            let path = "/api/v1/organisations/\(anna.organisationID)/quotes"
            let tooMany = try await t.send(.POST, path, token: anna.token, json: #"{"lines":\#(lines(21, quantity: 1))}"#)
            #expect(tooMany.status == .unprocessableEntity && tooMany.body.string.contains(#""field":"lines""#))
            let tooLarge = try await t.send(.POST, path, token: anna.token, json: #"{"lines":\#(lines(1, quantity: 201))}"#)
            #expect(tooLarge.status == .unprocessableEntity && tooLarge.body.string.contains("lines.0.quantity"))
            // 11 lines of 19 units: each line within the contract, together over 200.
            let together = try await t.send(.POST, path, token: anna.token, json: #"{"lines":\#(lines(11, quantity: 19))}"#)
            #expect(together.status == .unprocessableEntity && together.body.string.contains("over_limit") && together.body.string.contains("200 units"))
            #expect(try await t.send(.POST, path, token: anna.token, json: #"{"lines":\#(lines(20, quantity: 10))}"#).status == .created)
            // New lines or one renewal, not both: the lines would otherwise be dropped unseen.
            let both = try await t.send(.POST, path, token: anna.token, json: #"{"lines":\#(lines(1, quantity: 1)),"renew_product_id":"\#(UUID().uuidString)"}"#)
            #expect(both.status == .unprocessableEntity && both.body.string.contains(#""field":"renew_product_id""#), "\(both.body.string)")
        }
    }

    @Test("R-H1 referral clicks: a repeated click keeps its cookie, and one address records at most 30 an hour")
    func referralClicks() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.POST, "/api/v1/affiliates/signup",
                                            json: #"{"name":"Alex","email":"alex@example.ch","password":"\#(TestApp.password)","country":"CH"}"#)
            #expect(response.status == .accepted)
            let alex = try await t.token("alex@example.ch")
            let link = try #require((try t.json(try await t.send(.GET, "/api/v1/me/affiliate", token: alex)) as? [String: Any])?["referral_link"] as? String)
            let path = String(link[try #require(link.range(of: "/r/")).lowerBound...])
            func clicks() async throws -> Int { try await t.store.sql.raw("SELECT COUNT(*) AS n FROM affiliate_clicks").first()?.decode(column: "n", as: Int.self) ?? -1 }
            let first = try await t.app.testing().sendRequest(.GET, path)
            let cookie = try #require(first.headers[.setCookie].first { $0.hasPrefix("ph_ref=") }).split(separator: ";")[0]
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .cookie, value: String(cookie))
            let again = try await t.app.testing().sendRequest(.GET, path, headers: headers)
            #expect(!again.headers[.setCookie].contains { $0.hasPrefix("ph_ref=") && !$0.hasPrefix(String(cookie)) })
            #expect(try await clicks() == 1)
            for _ in 0..<40 { _ = try await t.app.testing().sendRequest(.GET, path) }
            #expect(try await clicks() == Limits.referralClicksPerAddressPerHour)
            // Every click still leads on to sign-up.
            #expect(try await t.app.testing().sendRequest(.GET, path).status == .seeOther)
        }
    }

    @Test("R-H1 a path the router knows with other methods answers 405 with Allow; an unknown one 404")
    func methodNotAllowed() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.DELETE, "/api/v1/signup")
            #expect(response.status == .methodNotAllowed && response.headers.first(name: .allow) == "POST")
            #expect(response.headers.first(name: .contentType) == "application/problem+json")
            let me = try await t.send(.PUT, "/api/v1/me")
            #expect(me.status == .methodNotAllowed && me.headers.first(name: .allow) == "GET, HEAD, PATCH")
            #expect(try await t.send(.GET, "/api/v1/nothing-here").status == .notFound)
            #expect(try await t.app.testing().sendRequest(.DELETE, "/console").status == .methodNotAllowed)
        }
    }
}

@Suite("R-H1 sign-in limits by account and address")
struct SignInAddressTests {
    /// The in-memory test client has no address ("unknown"): trusting it as a proxy lets each
    /// request name its client in `X-Forwarded-For`, as a reverse proxy would.
    static func behindProxy(_ configuration: inout AppConfiguration) { configuration.trustedProxies = ["unknown"] }

    func attempt(_ t: TestApp, from address: String, password: String) async throws -> HTTPResponseStatus {
        try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(password)"}"#,
                         headers: [("X-Forwarded-For", "203.0.113.9, \(address)")]).status
    }

    @Test("R-H1 five wrong passwords from one address stop that address for the account, not the account's owner elsewhere")
    func guesserDoesNotLockOutOwner() async throws {
        try await TestApp.with(configure: Self.behindProxy) { t in
            _ = try await t.signUp("anna@example.ch")
            for _ in 1...5 { #expect(try await attempt(t, from: "198.51.100.7", password: "wrong-password") == .unauthorized) }
            #expect(try await attempt(t, from: "198.51.100.7", password: TestApp.password) == .tooManyRequests)
            // Anna at her own address signs in; the address a client wrote first is not believed.
            #expect(try await attempt(t, from: "192.0.2.44", password: TestApp.password) == .created)
        }
    }

    @Test("R-H1 fifty wrong passwords for one account from many addresses lock the account everywhere")
    func distributedGuessing() async throws {
        try await TestApp.with(configure: Self.behindProxy) { t in
            _ = try await t.signUp("anna@example.ch")
            for i in 1...50 { _ = try await attempt(t, from: "198.51.100.\(i)", password: "wrong-password") }
            #expect(try await attempt(t, from: "192.0.2.44", password: TestApp.password) == .tooManyRequests)
        }
    }
}

@Suite("R-H1 limits on what sends mail: sign-ups and invitations")
struct MailingLimitsTests {
    func signUp(_ t: TestApp, _ email: String, from address: String) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/signup", json: """
            {"name":"N","email":"\(email)","password":"\(TestApp.password)","organisation_name":"Org","country":"CH"}
            """, headers: [("X-Forwarded-For", address)])
    }

    @Test("R-H1 one address receives at most 3 sign-up mails an hour; the fourth sign-up is 429 and mails nothing, registered or not")
    func signUpMailsPerRecipient() async throws {
        try await TestApp.with(configure: SignInAddressTests.behindProxy) { t in
            for i in 1...3 { #expect(try await signUp(t, "target@example.ch", from: "198.51.100.\(i)").status == .accepted) }
            let fourth = try await signUp(t, "target@example.ch", from: "198.51.100.4")
            #expect(fourth.status == .tooManyRequests)
            #expect(fourth.headers.first(name: .retryAfter) != nil)
            #expect(try await t.store.outbox(recipient: EmailAddress("target@example.ch")!).count == 3)
            // An hour later the address may be mailed again.
            t.clock.advance(Limits.hour + 1)
            #expect(try await signUp(t, "target@example.ch", from: "198.51.100.5").status == .accepted)
        }
    }

    @Test("R-H1 one client address signs up at most 20 accounts an hour; another address is not held up")
    func signUpsPerAddress() async throws {
        try await TestApp.with(configure: SignInAddressTests.behindProxy) { (t: TestApp) async throws in
            for i in 1...20 { #expect(try await signUp(t, "user\(i)@example.ch", from: "198.51.100.7").status == .accepted) }
            #expect(try await signUp(t, "user21@example.ch", from: "198.51.100.7").status == .tooManyRequests)
            #expect(try await t.store.outbox(recipient: EmailAddress("user21@example.ch")!).isEmpty)
            #expect(try await signUp(t, "user21@example.ch", from: "192.0.2.1").status == .accepted)
        }
    }

    @Test("R-H1 another organisation's resends of an invitation are 404 every time and use up nothing of its limit (found by an outside review)")
    func foreignResends() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let stranger = try await t.signUp("mallory@example.ch", organisation: "Elsewhere")
            let invite = try #require(try t.json(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token,
                                                                  json: #"{"email":"ben@example.ch","role":"employee"}"#)) as? [String: Any])
            let id = try #require(invite["id"] as? String)
            for _ in 1...8 {
                #expect(try await t.send(.POST, "/api/v1/organisations/\(stranger.organisationID)/invitations/\(id)/resend", token: stranger.token).status == .notFound)
            }
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations/\(id)/resend", token: owner.token).status == .noContent)
        }
    }

    @Test("R-H1 the console's sign-up limit page says how long to wait and keeps what was typed, the password to be typed again")
    func consoleSignUpLimit() async throws {
        try await TestApp.with { t in
            let browser = Browser(t, language: "en")
            var last: TestingHTTPResponse? = nil
            for _ in 1...4 {
                try await browser.get("/signup")
                last = try await browser.post("/signup", ["name": "Nina", "email": "nina@example.ch", "password": "typed-password-1",
                                                          "organisation_name": "Nina GmbH", "country": "CH", "next": "/console"])
            }
            let page = try #require(last)
            #expect(page.status == .tooManyRequests)
            let html = page.body.string
            #expect(html.contains("try again in 60 minutes"), "\(html.prefix(600))")
            #expect(html.contains("Nina GmbH") && !html.contains("typed-password-1"))
            #expect(html.contains(#"type="password""#) && html.contains(#"name="password""#))
            #expect(html.contains(#"type="hidden" name="next""#) || html.contains(#"name="next" type="hidden""#))
        }
    }

    @Test("R-H1 one invitation is resent at most 5 times an hour; the sixth is 429 and the link mailed last still works")
    func resendsPerInvitation() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let invite = try #require(try t.json(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token,
                                                                  json: #"{"email":"ben@example.ch","role":"employee"}"#)) as? [String: Any])
            let path = "/api/v1/organisations/\(owner.organisationID)/invitations/\(try #require(invite["id"] as? String))/resend"
            for _ in 1...5 {
                t.clock.advance(1)  // each mail later than the one before: the last mailed link is the newest
                #expect(try await t.send(.POST, path, token: owner.token).status == .noContent)
            }
            let last = try await t.invitationToken(to: "ben@example.ch")
            #expect(try await t.send(.POST, path, token: owner.token).status == .tooManyRequests)
            #expect(try await t.store.outbox(recipient: EmailAddress("ben@example.ch")!).count == 6)  // the invitation and 5 resends
            let ben = try await t.signUp("ben@example.ch")
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(last)"}"#).status == .ok)
        }
    }
}
