import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-B4: the tier count is decided by the partnerships' state at the moment of pricing, not by
/// who paid last time. Prices worked out by hand from DESIGN.md (R-B2): mail hosting EUR 2.75,
/// web hosting CHF 9.92; tiers 5 % from 5, 10 % from 10 hostings; partner rate 20 %.
@Suite("R-B4 tier counts by today's partnerships")
struct TierCountTests {
    let billing = BillingTests()
    let base = PartnershipTests()

    func mailHostings(_ n: Int) -> String { #"{"lines":[{"category":"mail-hosting","name":"Mail","quantity":\#(n)}],"means":"own"}"# }

    func partnershipID(_ t: TestApp, client: String) async throws -> String {
        try #require(try await t.store.partnerships(client: OrganisationID(string: client)!).first).partnership.id.string
    }

    func change(_ t: TestApp, _ w: PartnershipTests.World, _ body: String) async throws {
        let id = try await partnershipID(t, client: w.client.organisationID)
        let response = try await t.send(.PATCH, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token, json: body)
        try #require(response.status == .ok, "\(response.body.string)")
    }

    func net(_ quote: [String: Any]) -> Int64? { billing.minor((quote["totals"] as? [String: Any])?["net"]) }

    func lines(_ quote: [String: Any]) -> [[String: Any]] { quote["lines"] as! [[String: Any]] }

    func renewalNets(_ t: TestApp, client: String) async throws -> [(Int64, Int64)] {
        try await t.store.orders(client: OrganisationID(string: client)!, limit: 1000).filter { $0.kind == .renewal }
            .map { ($0.priced.lines[0].tierCount, $0.priced.net.minorUnits) }
    }

    /// A FR client (EUR) with 7 mail hostings it paid for in mode client, its CH partner at 20 %.
    func frenchClientWithSeven(_ t: TestApp) async throws -> PartnershipTests.World {
        let client = try await t.signUp("claire@client.test", organisation: "Client SARL", country: "FR")
        let partner = try await t.signUp("paul@partner.test", organisation: "Partner AG")
        let partnerID = OrganisationID(string: partner.organisationID)!
        try await t.app.partnerHub.partnerships.approvePartner(partnerID, actor: "test", store: t.store)
        try await t.store.setPartnerRate(partnerID, category: .mailHosting, rate: BasisPoints(percent: 20))
        let w = PartnershipTests.World(client: client, partner: partner, products: [])
        try await billing.fullPartnership(t, w, mode: "client")
        let q = try await billing.quote(t, client, client: client.organisationID, #"{"lines":[{"category":"mail-hosting","name":"Mail","quantity":7}]}"#)
        // 7 hostings: 7 × 2.75 = 19.25, 5 % tier → 18.2875 → 18.29.
        #expect(lines(q)[0]["tier_count"] as? Int == 7 && net(q) == 1829)
        #expect(try await billing.confirm(t, client, client: client.organisationID, quote: q).status == .created)
        return w
    }

    @Test("R-B4 the issue's reproduction: after mode partner the partner's quote counts the client's 7 hostings (8), and the run bills all 8 at that one count")
    func switchToPartnerMode() async throws {
        try await TestApp.with { t in
            let w = try await frenchClientWithSeven(t)
            try await change(t, w, #"{"access":"full","payment_mode":"partner"}"#)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, mailHostings(1))
            // 2.75 − 20 % = 2.20, 8 hostings → 5 % → 2.09.
            #expect(lines(q)[0]["tier_count"] as? Int == 8)
            #expect(net(q) == 209)
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q).status == .created)
            // A renewal quote for one of the client's first 7, at the same moment, agrees.
            let product = try #require(try await t.store.products(of: OrganisationID(string: w.client.organisationID)!).first { $0.category == .mailHosting })
            let renewal = try await billing.quote(t, w.partner, client: w.client.organisationID, #"{"renew_product_id":"\#(product.id.string)","means":"own"}"#)
            #expect(lines(renewal)[0]["tier_count"] as? Int == 8 && net(renewal) == 209)
            // The partner pays the 8 renewals from its EUR wallet (each 2.09 + 8.1 % Swiss VAT 0.17).
            let topUp = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/wallet/top-ups", token: w.partner.token,
                                         json: #"{"amount":"100.00","currency":"EUR","card_number":"\#(BillingTests.card)"}"#)
            #expect(topUp.status == .created)
            t.clock.advance(32 * 86_400)
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(report.renewed == 8 && report.inGrace == 0)
            let renewals = try await renewalNets(t, client: w.client.organisationID)
            #expect(renewals.count == 8 && renewals.allSatisfy { $0 == (8, 209) })
        }
    }

    @Test("R-B4 back to mode client, limited access or an ended partnership: the client's count includes its hostings again at once")
    func backToTheClient() async throws {
        for body in [#"{"access":"full","payment_mode":"client"}"#, "limited", "end"] {
            try await TestApp.with { t in
                let w = try await frenchClientWithSeven(t)
                try await change(t, w, #"{"access":"full","payment_mode":"partner"}"#)
                // While the partner pays, the client's 7 count for the partner: 7 + 1.
                let asPartner = try await billing.quote(t, w.partner, client: w.client.organisationID, mailHostings(1))
                #expect(lines(asPartner)[0]["tier_count"] as? Int == 8)
                switch body {
                case "limited": try await change(t, w, #"{"access":"limited","products":[]}"#)
                case "end":
                    let id = try await partnershipID(t, client: w.client.organisationID)
                    let ended = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)/end", token: w.client.token,
                                                 json: #"{"password":"\#(TestApp.password)"}"#)
                    #expect(ended.status == .noContent)
                default: try await change(t, w, body)
                }
                let q = try await billing.quote(t, w.client, client: w.client.organisationID, #"{"lines":[{"category":"mail-hosting","name":"Mail","quantity":1}]}"#)
                // The client pays its 7 again, plus this one: 8 → 5 %: 2.75 → 2.6125 → 2.61.
                #expect(lines(q)[0]["tier_count"] as? Int == 8, "\(body)")
                #expect(net(q) == 261, "\(body)")
            }
        }
    }

    @Test("R-B4 a renewal the partner cannot pay changes no other renewal's count: four land at the 5 % tier, one enters grace")
    func unpaidChangesNothing() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(5))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            try await billing.fullPartnership(t, w, mode: "partner")
            // Each renewal: 9.92 − 20 % = 7.94, 5 hostings → 5 % → 7.543 → 7.54; VAT 8.1 % → 0.61; 8.15.
            // 33.94 pays four (32.60), not five.
            #expect(try await billing.topUp(t, w.partner, "33.94").status == .created)
            t.clock.advance(32 * 86_400)
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(report.renewed == 4 && report.inGrace == 1 && report.failed == 0)
            #expect(try await billing.balance(t, w.partner) == 3394 - 4 * 815)
            let renewals = try await renewalNets(t, client: w.client.organisationID)
            #expect(renewals.count == 4 && renewals.allSatisfy { $0 == (5, 754) })
            #expect(try await t.store.verifyLedger().isEmpty)
        }
    }

    @Test("R-B8 the product page shows the next due date (one period after the order) and who it will be billed to under today's partnership")
    func productPageNamesTheNextPayer() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            // The test clock starts on 2026-11-18 (11:06 UTC): a monthly product ordered now is due on 2026-12-18.
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            let product = (order["product_ids"] as! [[String]])[0][0]
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let page = "/console/orgs/\(w.client.organisationID)/products/\(product)"
            let before = try await clara.get(page).body.string
            #expect(before.contains(#"<dd id="next-due">2026-12-18</dd>"#))
            #expect(before.contains(#"<dd id="next-payer">Client AG</dd>"#))
            try await billing.fullPartnership(t, w, mode: "partner")
            let after = try await clara.get(page).body.string
            #expect(after.contains(#"<dd id="next-payer">Partner GmbH</dd>"#))
            // The partner sees the same on its page for the client.
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let clientPage = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients/\(try await partnershipID(t, client: w.client.organisationID))").body.string
            let row = try #require(clientPage.range(of: #"<tr><td>Web hosting</td><td>Web hosting</td>.*?</tr>"#, options: .regularExpression).map { String(clientPage[$0]) })
            #expect(row.contains("<td>2026-12-18</td>") && row.contains("<td>Partner GmbH</td>"), "\(row)")
            // The API says the same in the product's billing.
            let listed = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/products", token: w.client.token)) as! [[String: Any]]
            let billing = try #require(listed.first { $0["id"] as? String == product }?["billing"] as? [String: Any])
            #expect(billing["next_payer_id"] as? String == w.partner.organisationID)
            #expect((billing["renews_at"] as? String)?.hasPrefix("2026-12-18") == true && billing["period"] as? String == "monthly")
        }
    }

    @Test("R-B8 one run bills every period a product has fallen behind on, and the report counts them per product")
    func periodsPerProduct() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            #expect(try await billing.topUp(t, w.client, "100.00").status == .created)
            // 2026-11-18 + 95 days = 2027-02-21: due on 12-18, 01-18 and 02-18, three periods.
            t.clock.advance(95 * 86_400)
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(report.renewed == 3)
            #expect(report.periods.count == 1 && report.periods.values.first?.periods == 3)
            #expect(report.productsByPeriods.map(\.periods) == [3] && report.productsByPeriods.map(\.products) == [1])
        }
    }
}
