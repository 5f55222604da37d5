import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-S2: VIP codes for organisations with Premium Support.
@Suite("R-S2 VIP codes")
struct VIPCodeTests {
    func premium(_ t: TestApp, _ account: TestApp.Account) async throws {
        // R-S2: a VIP code comes with a paid Premium Support subscription (R-B9: an order).
        _ = try await t.orderProducts(account, [(.premiumSupport, "Premium Support")])
    }

    @Test("R-S2 no VIP code without Premium Support; with it, eight digits shown on the product and contact pages; a new one replaces it")
    func lifecycle() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test", organisation: "Client AG")
            #expect(try await t.send(.GET, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: clara.token).status == .notFound)
            try await premium(t, clara)
            let first = try await t.send(.GET, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: clara.token)
            let code = try #require((try t.json(first) as? [String: Any])?["code"] as? String)
            #expect(code.count == 8 && code.allSatisfy(\.isNumber))
            // Asking again gives the same code.
            #expect((try t.json(try await t.send(.GET, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: clara.token)) as? [String: Any])?["code"] as? String == code)
            let browser = Browser(t)
            try await browser.logIn("clara@client.test")
            let grouped = SupportCode(code)!.grouped
            #expect(try await browser.get("/console/orgs/\(clara.organisationID)/contact-support").body.string.contains(grouped))
            let product = try #require(try await t.store.products(of: OrganisationID(string: clara.organisationID)!).first { $0.category == .premiumSupport })
            #expect(try await browser.get("/console/orgs/\(clara.organisationID)/products/\(product.id.string)").body.string.contains(grouped))
            let renewed = try await browser.post("/console/orgs/\(clara.organisationID)/vip-code", ["back": "/console/orgs/\(clara.organisationID)/contact-support"])
            #expect(renewed.status == .seeOther)
            let next = try #require(try await t.store.vipCode(OrganisationID(string: clara.organisationID)!))
            #expect(next.value != code)
            #expect(try await t.store.organisation(vipCode: SupportCode(code)!) == nil)
            let actions = try await t.store.auditEvents(organisation: OrganisationID(string: clara.organisationID)!, limit: 50).map(\.action)
            #expect(actions.contains("support.vip_code_created") && actions.contains("support.vip_code_regenerated"))
        }
    }

    @Test("R-S2 support staff verify a caller by VIP code in the provider console and the API; each look-up is audited; customers get 401")
    func lookUp() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test", organisation: "Client AG")
            try await premium(t, clara)
            let code = try #require((try t.json(try await t.send(.GET, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: clara.token)) as? [String: Any])?["code"] as? String)
            let sam = try await ProviderBillingTests().staff(t, role: .support)
            let page = try await sam.get("/provider?code=\(code)")
            #expect(page.body.string.contains("VIP code of Client AG: Premium Support active."), "\(page.body.string.suffix(2000))")
            let login = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"sam@provider.test","password":"provider-secret-1"}"#)
            let token = try #require((try t.json(login) as? [String: Any])?["token"] as? String)
            let found = try #require(try t.json(try await t.send(.GET, "/api/v1/provider/vip-codes/\(code)", token: token)) as? [String: Any])
            #expect(found["organisation_id"] as? String == clara.organisationID && found["premium_active"] as? Bool == true)
            #expect(try await t.send(.GET, "/api/v1/provider/vip-codes/12345678", token: token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/provider/vip-codes/\(code)", token: clara.token).status == .unauthorized)
            // Found: in the organisation's own activity (console and API); not found: in the provider's log.
            #expect(try await t.store.auditEvents(organisation: OrganisationID(string: clara.organisationID)!, limit: 50).filter { $0.action == "support.vip_lookup" }.count == 2)
            #expect(try await t.store.providerAuditEvents(limit: 50).filter { $0.action == "support.vip_lookup" }.count == 1)
        }
    }

    @Test("R-S2 another organisation's VIP code and product pages answer 404; an employee cannot make a new code")
    func isolation() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test", organisation: "Client AG")
            try await premium(t, clara)
            let stranger = try await t.signUp("sam@stranger.test", organisation: "Stranger AG")
            #expect(try await t.send(.GET, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: stranger.token).status == .notFound)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: stranger.token).status == .notFound)
            let product = try #require(try await t.store.products(of: OrganisationID(string: clara.organisationID)!).first)
            let browser = Browser(t)
            try await browser.logIn("sam@stranger.test")
            #expect(try await browser.get("/console/orgs/\(clara.organisationID)/products/\(product.id.string)").status == .notFound)
            #expect(try await browser.get("/console/orgs/\(clara.organisationID)/contact-support").status == .notFound)
            #expect(try await browser.get("/console/orgs/\(stranger.organisationID)/products/\(product.id.string)").status == .notFound)
            let employee = try await t.addMember(to: clara, email: "eva@client.test", role: "employee")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(clara.organisationID)/vip-code", token: employee.token).status == .forbidden)
        }
    }
}
