import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-O3 and R-B4 through the API: provider staff get `phs_` tokens; program admins edit the
/// catalogue and partners' rates and refund orders, as in the provider console.
@Suite("Provider API: staff tokens, catalogue, rates, refunds")
struct ProviderAPITests {
    let billing = BillingTests()

    func staffToken(_ t: TestApp, role: StaffRole = .programAdmin) async throws -> String {
        let email = role == .programAdmin ? "petra@provider.test" : "sam@provider.test"
        _ = try await t.app.partnerHub.accounts.addStaff(email: email, name: "Staff", role: role, password: "provider-secret-1", store: t.store)
        let response = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"\#(email)","password":"provider-secret-1"}"#)
        try #require(response.status == .created, "\(response.body.string)")
        let token = try #require((try t.json(response) as? [String: Any])?["token"] as? String)
        #expect(token.hasPrefix("phs_"))
        return token
    }

    @Test("R-O3 staff tokens: a customer's password gets no staff token, a customer's token gets 401 on provider routes, a support agent 403")
    func whoMayUseIt() async throws {
        try await TestApp.with { t in
            let customer = try await t.signUp("anna@client.test")
            let refused = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"anna@client.test","password":"\#(TestApp.password)"}"#)
            #expect(refused.status == .unauthorized)
            let body = #"{"period":"monthly","price_chf":1000,"price_eur":600,"tiered":true}"#
            #expect(try await t.send(.PUT, "/api/v1/provider/catalogue/products/web-hosting", token: customer.token, json: body).status == .unauthorized)
            let support = try await staffToken(t, role: .support)
            #expect(try await t.send(.PUT, "/api/v1/provider/catalogue/products/web-hosting", token: support, json: body).status == .forbidden)
            // A staff token is no customer: organisation routes do not know it.
            #expect(try await t.send(.GET, "/api/v1/organisations", token: support).status == .unauthorized)
            #expect(try await t.store.priceList().version == 1)
        }
    }

    @Test("R-O3 every provider operation asks who before what: a customer's token with a broken body gets 401, a support agent 403 where only admins may, never 422")
    func whoBeforeWhat() async throws {
        try await TestApp.with { t in
            let customer = try await t.signUp("anna@client.test")
            let support = try await staffToken(t, role: .support)
            let samples = ["category": "web-hosting", "extension": "ch", "code": "12345678", "key": "web-design"]
            var checked = 0
            for (path, methods) in OpenAPIDocument.document["paths"] as! [String: Any] where path.hasPrefix("/api/v1/provider/") {
                for (method, raw) in methods as! [String: Any] {
                    let operation = raw as! [String: Any]
                    guard let security = operation["security"] as? [[String: Any]], !security.isEmpty else { continue }
                    #expect(security.contains { $0["staffBearer"] != nil }, "\(method) \(path) is not declared for staff tokens")
                    let filled = path.split(separator: "/").map { part -> String in
                        guard part.hasPrefix("{") else { return String(part) }
                        return samples[String(part.dropFirst().dropLast())] ?? UUID().uuidString
                    }.joined(separator: "/")
                    let broken = #"{"unknown_field":1,"rates":"none","period":7}"#
                    let httpMethod = HTTPMethod(rawValue: method.uppercased())
                    let body = method == "get" ? nil : broken
                    let asCustomer = try await t.send(httpMethod, "/" + filled, token: customer.token, json: body)
                    #expect(asCustomer.status == .unauthorized, "\(method) \(path) as a customer: \(asCustomer.status)")
                    let asSupport = try await t.send(httpMethod, "/" + filled, token: support, json: body)
                    if operation["x-staff-role"] as? String == "any" {
                        #expect(asSupport.status != .unauthorized && asSupport.status != .forbidden, "\(method) \(path) as support")
                    } else {
                        #expect(asSupport.status == .forbidden, "\(method) \(path) as support: \(asSupport.status)")
                    }
                    checked += 1
                }
            }
            #expect(checked >= 12)
        }
    }

    @Test("R-B4 a program admin sets a list price through the API: the version moves on, the next quote uses it, the change is audited")
    func setPrice() async throws {
        try await TestApp.with { t in
            let client = try await t.signUp("anna@client.test")
            let admin = try await staffToken(t)
            let saved = try await t.send(.PUT, "/api/v1/provider/catalogue/products/web-hosting", token: admin,
                                         json: #"{"period":"monthly","price_chf":1050,"price_eur":600,"tiered":true}"#)
            #expect(saved.status == .ok, "\(saved.body.string)")
            #expect((try t.json(saved) as? [String: Any])?["version"] as? Int == 2)
            let quote = try await billing.quote(t, client, client: client.organisationID, billing.webHostings(1))
            #expect(billing.minor((quote["totals"] as! [String: Any])["net"]) == 1050)
            // One price everywhere: the public price calculator reads the same list (was 9.92).
            let calculator = try t.json(try await t.send(.GET, "/api/v1/quote?product=web-hosting&quantity=1&currency=CHF")) as? [String: Any]
            #expect((calculator?["final"] as? NSNumber)?.int64Value == 1050, "\(String(describing: calculator))")
            #expect(try await t.store.providerAuditEvents(limit: 50).map(\.action).contains("catalogue.price_changed"))
        }
    }

    @Test("Bad catalogue input through the API names the field and changes nothing: a negative price, tiers not ascending, a preferential price above the list")
    func badCatalogueInput() async throws {
        try await TestApp.with { t in
            let admin = try await staffToken(t)
            let negative = try await t.send(.PUT, "/api/v1/provider/catalogue/products/vps", token: admin, json: #"{"period":"monthly","price_chf":-1,"price_eur":600,"tiered":false}"#)
            #expect(negative.status == .unprocessableEntity && negative.body.string.contains("price_chf"))
            let tiers = try await t.send(.PUT, "/api/v1/provider/catalogue/tiers", token: admin,
                                         json: #"{"tiers":[{"from":35,"rate_basis_points":2500},{"from":10,"rate_basis_points":1000}]}"#)
            #expect(tiers.status == .unprocessableEntity && tiers.body.string.contains("tiers"))
            let domain = try await t.send(.PUT, "/api/v1/provider/catalogue/domains/ch", token: admin,
                                          json: #"{"list_chf":1500,"list_eur":1400,"preferential_chf":1600,"preferential_eur":1300}"#)
            #expect(domain.status == .unprocessableEntity && domain.body.string.contains("preferential_chf"))
            #expect(try await t.send(.PUT, "/api/v1/provider/catalogue/products/nope", token: admin, json: #"{"period":"monthly","price_chf":1,"price_eur":1,"tiered":false}"#).status == .notFound)
            // Rates outside 0 … 10,000 basis points are refused, never a crash.
            let huge = try await t.send(.PUT, "/api/v1/provider/catalogue/tiers", token: admin, json: #"{"tiers":[{"from":5,"rate_basis_points":20000}]}"#)
            #expect(huge.status == .unprocessableEntity && huge.body.string.contains("tiers.0.rate_basis_points"))
            #expect(try await t.store.priceList().version == 1)
        }
    }

    @Test("R-B4 partner rates through the API: 25 % is set and audited; 36 % is refused naming the category and changes nothing; a non-partner is 404")
    func rates() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let admin = try await staffToken(t)
            let path = "/api/v1/provider/partners/\(w.partner.organisationID)/rates"
            let set = try await t.send(.PUT, path, token: admin, json: #"{"rates":[{"category":"web-hosting","rate_basis_points":2500}]}"#)
            #expect(set.status == .ok, "\(set.body.string)")
            #expect(try await t.store.partnerRates(OrganisationID(string: w.partner.organisationID)!).rate(.webHosting) == BasisPoints(2500))
            let tooHigh = try await t.send(.PUT, path, token: admin, json: #"{"rates":[{"category":"vps","rate_basis_points":3600}]}"#)
            #expect(tooHigh.status == .unprocessableEntity && tooHigh.body.string.contains("rates.0.rate_basis_points"))
            let negative = try await t.send(.PUT, path, token: admin, json: #"{"rates":[{"category":"vps","rate_basis_points":-5}]}"#)
            #expect(negative.status == .unprocessableEntity && negative.body.string.contains("rates.0.rate_basis_points"))
            #expect(try await t.store.partnerRates(OrganisationID(string: w.partner.organisationID)!).rate(.vps) == PartnerRates.standard.rate(.vps))
            #expect(try await t.store.auditEvents(organisation: OrganisationID(string: w.partner.organisationID)!, limit: 50).map(\.action) .filter { $0 == "partner.rate_changed" }.count == 1)
            #expect(try await t.send(.GET, "/api/v1/provider/partners/\(w.client.organisationID)/rates", token: admin).status == .notFound)
        }
    }

    @Test("R-B6 a refund through the API issues the credit note once; a second is refused with 409")
    func refund() async throws {
        try await TestApp.with { t in
            let client = try await t.signUp("anna@client.test")
            let quote = try await billing.quote(t, client, client: client.organisationID, billing.webHostings(1))
            let order = try t.json(try await billing.confirm(t, client, client: client.organisationID, quote: quote)) as! [String: Any]
            let admin = try await staffToken(t)
            let first = try await t.send(.POST, "/api/v1/provider/orders/\(order["id"] as! String)/refund", token: admin)
            #expect(first.status == .created, "\(first.body.string)")
            let note = try t.json(first) as! [String: Any]
            #expect(note["kind"] as? String == "credit_note" && billing.minor((note["totals"] as! [String: Any])["total"]) == -1072)
            #expect(try await t.send(.POST, "/api/v1/provider/orders/\(order["id"] as! String)/refund", token: admin).status == .conflict)
            #expect(try await billing.balance(t, client) == 1072)
        }
    }
}
