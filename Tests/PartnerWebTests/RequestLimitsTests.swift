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
                        do { try await billing.reserve("orders:limit-test", limit: 3, field: "quote_id", store: store); return true } catch AppError.tooManyRequests {
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
