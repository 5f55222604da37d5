import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-B3 end to end, one test per row of the table (the renewal run included): the order goes
/// through the API (or the run), then the invoice (who, amounts), the wallet entries and the 404
/// for the side that did not pay are checked. One web hosting, Swiss organisations: list 9.92;
/// preferential 9.92 − 20 % = 7.936 → 7.94; cashback 9.92 − 7.94 = 1.98; VAT 8.1 %:
/// 9.92 → 0.80352 → 0.80 (total 10.72), 7.94 → 0.64314 → 0.64 (total 8.58).
@Suite("R-B3 rows end to end")
struct BillingRowsTests {
    let billing = BillingTests()
    let base = PartnershipTests()

    struct Setup {
        let w: PartnershipTests.World
        let product: String
    }

    /// A client that ordered one web hosting by card (row 1), and both wallets topped up with 50.00.
    func setup(_ t: TestApp) async throws -> Setup {
        let w = try await base.world(t)
        let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
        let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
        let product = (order["product_ids"] as! [[String]])[0][0]
        #expect(try await billing.topUp(t, w.client, "50.00").status == .created)
        #expect(try await billing.topUp(t, w.partner, "50.00").status == .created)
        return Setup(w: w, product: product)
    }

    func limited(_ t: TestApp, _ w: PartnershipTests.World, products: [String]) async throws {
        let invite = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                      json: #"{"partner_id":"\#(w.partner.organisationID)","access":"limited","products":\#(base.grantsJSON(products))}"#)
        try #require(invite.status == .created)
        let token = try await base.partnershipToken(t, to: w.partner.email)
        try #require(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(token)"}"#).status == .ok)
    }

    func invoices(_ t: TestApp, _ account: TestApp.Account) async throws -> [[String: Any]] {
        try t.json(try await t.send(.GET, "/api/v1/organisations/\(account.organisationID)/invoices", token: account.token)) as! [[String: Any]]
    }

    func total(_ invoice: [String: Any]) -> Int64? { billing.minor((invoice["totals"] as! [String: Any])["total"]) }

    /// Runs the renewal a month on and returns the renewal order.
    func renew(_ t: TestApp, _ s: Setup) async throws -> Order {
        t.clock.advance(32 * 86_400)
        let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
        #expect(report.renewed == 1)
        return try #require(try await t.store.orders(client: OrganisationID(string: s.w.client.organisationID)!).first { $0.kind == .renewal })
    }

    /// The newest invoice of `payer` is `total`; the other side cannot open it: 404 where it has no
    /// standing, 403 where it is the payer's partner and sees the client (R-O5 client_only).
    func expectInvoice(_ t: TestApp, payer: TestApp.Account, other: TestApp.Account, total expected: Int64) async throws {
        let newest = try #require(try await invoices(t, payer).first)
        #expect(total(newest) == expected)
        let id = newest["id"] as! String
        let refused = try await t.send(.GET, "/api/v1/organisations/\(payer.organisationID)/invoices/\(id)", token: other.token)
        #expect([.notFound, .forbidden].contains(refused.status) && !refused.body.string.contains(id))
        #expect(try await t.send(.GET, "/api/v1/organisations/\(other.organisationID)/invoices/\(id)", token: other.token).status == .notFound)
    }

    @Test("Row 1 (renewal run): no partnership, the client pays from its wallet, nobody earns; a second run bills nothing")
    func row1Renewal() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            let order = try await renew(t, s)
            #expect(order.priced.row == 1 && order.priced.payer == .client && order.party == .renewalRun)
            #expect(try await billing.balance(t, s.w.client) == 5000 - 1072)
            #expect(try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store).renewed == 0)
            #expect(try await billing.balance(t, s.w.client) == 5000 - 1072)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Row 2 (renewal run): full access, mode client — the client pays, the partner gets 1.98 cashback")
    func row2Renewal() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await billing.fullPartnership(t, s.w, mode: "client")
            let order = try await renew(t, s)
            #expect(order.priced.row == 2 && order.priced.cashback.minorUnits == 198)
            #expect(try await billing.balance(t, s.w.client) == 5000 - 1072)
            #expect(try await billing.balance(t, s.w.partner) == 5000 + 198)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Row 3: full access, mode client — the partner orders with the client's wallet; the partner gets the cashback")
    func row3() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await billing.fullPartnership(t, s.w, mode: "client")
            let q = try await billing.quote(t, s.w.partner, client: s.w.client.organisationID, billing.webHostings(1))
            #expect(q["rule"] as? Int == 3 && q["payer"] as? String == "client")
            #expect(try await billing.confirm(t, s.w.partner, client: s.w.client.organisationID, quote: q, method: "wallet").status == .created)
            // Tier count 2 (the first hosting and this one): still no tier.
            #expect(try await billing.balance(t, s.w.client) == 5000 - 1072)
            #expect(try await billing.balance(t, s.w.partner) == 5000 + 198)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Row 4: full access, mode partner — the client orders, the partner pays the public price and gets the cashback")
    func row4() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await billing.fullPartnership(t, s.w, mode: "partner")
            let q = try await billing.quote(t, s.w.client, client: s.w.client.organisationID, billing.webHostings(1))
            #expect(q["rule"] as? Int == 4 && q["payer"] as? String == "partner" && q["benefit"] as? String == "cashback")
            // Paid from the payer's wallet: the partner's.
            #expect(try await billing.confirm(t, s.w.client, client: s.w.client.organisationID, quote: q, method: "wallet").status == .created)
            #expect(try await billing.balance(t, s.w.partner) == 5000 - 1072 + 198)
            #expect(try await billing.balance(t, s.w.client) == 5000)
            try await expectInvoice(t, payer: s.w.partner, other: s.w.client, total: 1072)
        }
    }

    @Test("Row 5 (renewal run): full access, mode partner — the renewal bills the partner the preferential price")
    func row5Renewal() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await billing.fullPartnership(t, s.w, mode: "partner")
            let order = try await renew(t, s)
            #expect(order.priced.row == 5 && order.priced.benefit == .discount && order.priced.net.minorUnits == 794)
            #expect(try await billing.balance(t, s.w.partner) == 5000 - 858)
            #expect(try await billing.balance(t, s.w.client) == 5000)
            try await expectInvoice(t, payer: s.w.partner, other: s.w.client, total: 858)
        }
    }

    @Test("Row 6 (renewal run): limited access managing the product — the client pays, the partner gets the cashback")
    func row6Renewal() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await limited(t, s.w, products: [s.product])
            let order = try await renew(t, s)
            #expect(order.priced.row == 6 && order.priced.cashback.minorUnits == 198)
            #expect(try await billing.balance(t, s.w.partner) == 5000 + 198)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Row 7: limited access — the partner renews a granted product with the client's wallet; cashback to the partner")
    func row7() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await limited(t, s.w, products: [s.product])
            let q = try await billing.quote(t, s.w.partner, client: s.w.client.organisationID, #"{"renew_product_id":"\#(s.product)"}"#)
            #expect(q["rule"] as? Int == 7 && q["kind"] as? String == "renewal")
            #expect(try await billing.confirm(t, s.w.partner, client: s.w.client.organisationID, quote: q, method: "wallet").status == .created)
            #expect(try await billing.balance(t, s.w.client) == 5000 - 1072)
            #expect(try await billing.balance(t, s.w.partner) == 5000 + 198)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Row 8: limited access — a partner ordering a new product is not allowed; nothing is written")
    func row8() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await limited(t, s.w, products: [s.product])
            let response = try await t.send(.POST, "/api/v1/organisations/\(s.w.client.organisationID)/quotes", token: s.w.partner.token, json: billing.webHostings(1))
            #expect(response.status == .forbidden)
            #expect(try await billing.balance(t, s.w.partner) == 5000)
        }
    }

    @Test("Row 9 (renewal run): limited access not managing the product — the client pays, nobody earns")
    func row9Renewal() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await limited(t, s.w, products: [s.w.products[0]])
            let order = try await renew(t, s)
            #expect(order.priced.row == 9 && order.priced.cashback.minorUnits == 0 && order.partnerID == nil)
            #expect(try await billing.balance(t, s.w.partner) == 5000)
            try await expectInvoice(t, payer: s.w.client, other: s.w.partner, total: 1072)
        }
    }

    @Test("Not allowed: own means in mode client, the client's means in mode partner — a clear 403, nothing charged")
    func notAllowed() async throws {
        try await TestApp.with { t in
            let s = try await setup(t)
            try await billing.fullPartnership(t, s.w, mode: "client")
            let own = try await t.send(.POST, "/api/v1/organisations/\(s.w.client.organisationID)/quotes", token: s.w.partner.token,
                                       json: #"{"lines":[{"category":"vps","name":"VPS","quantity":1}],"means":"own"}"#)
            #expect(own.status == .forbidden && own.body.string.contains("does not pay with its own means"))
            let change = try await t.send(.PATCH, "/api/v1/organisations/\(s.w.client.organisationID)/partnerships/\((try await t.store.partnerships(client: OrganisationID(string: s.w.client.organisationID)!)).first!.partnership.id.string)",
                                          token: s.w.client.token, json: #"{"access":"full","payment_mode":"partner"}"#)
            #expect(change.status == .ok)
            let clientMeans = try await t.send(.POST, "/api/v1/organisations/\(s.w.client.organisationID)/quotes", token: s.w.partner.token,
                                               json: #"{"lines":[{"category":"vps","name":"VPS","quantity":1}],"means":"client"}"#)
            #expect(clientMeans.status == .forbidden && clientMeans.body.string.contains("does not charge the client's means"))
            #expect(try await billing.balance(t, s.w.partner) == 5000)
            #expect(try await billing.balance(t, s.w.client) == 5000)
        }
    }

    @Test("R-B8 an unpaid renewal puts the product in a 14-day grace period and tells the client once; paid later it renews; unpaid it is suspended")
    func grace() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            let product = ProductID(string: (order["product_ids"] as! [[String]])[0][0])!
            t.clock.advance(32 * 86_400)
            let first = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(first.inGrace == 1 && first.renewed == 0)
            #expect(try await t.store.product(product)?.status == "grace")
            let mails = { try await t.store.outbox(recipient: EmailAddress(w.client.email)!).filter { $0.subject.hasPrefix("Renewal not paid") }.count }
            #expect(try await mails() == 1)
            let second = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(second.stillUnpaid == 1 && second.inGrace == 0 && second.skipped == 0)
            #expect(try await mails() == 1)
            #expect(try await billing.topUp(t, w.client, "20.00").status == .created)
            #expect(try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store).renewed == 1)
            #expect(try await t.store.product(product)?.status == "active")
            // Next period, never paid: grace, and after 14 days suspended.
            t.clock.advance(31 * 86_400)
            #expect(try await billing.balance(t, w.client) == 2000 - 1072)
            _ = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)  // 9.28 does not cover 10.72
            #expect(try await t.store.product(product)?.status == "grace")
            t.clock.advance(15 * 86_400)
            #expect(try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store).suspended == 1)
            #expect(try await t.store.product(product)?.status == "suspended")
        }
    }
}

@Suite("R-B8 renewal reminders and R-B10 audit")
struct RenewalReminderTests {
    let billing = BillingTests()

    @Test("R-B8 the payer is reminded 14 days before a renewal, once")
    func reminder() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            let reminders = { try await t.store.outbox(recipient: EmailAddress(w.client.email)!).filter { $0.subject.hasPrefix("Upcoming renewal") }.count }
            try await t.app.partnerHub.billing.sendRenewalReminders(store: t.store)
            #expect(try await reminders() == 0)   // a month ahead: too early
            t.clock.advance(20 * 86_400)          // about 10 days before
            try await t.app.partnerHub.billing.sendRenewalReminders(store: t.store)
            try await t.app.partnerHub.billing.sendRenewalReminders(store: t.store)
            #expect(try await reminders() == 1)
        }
    }

    @Test("R-B10 an order paid from the wallet writes order, payment, top-up and cashback events")
    func audited() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            #expect(try await billing.topUp(t, w.client, "100.00").status == .created)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            let client = try await t.store.auditEvents(organisation: OrganisationID(string: w.client.organisationID)!, limit: 50).map(\.action)
            let partner = try await t.store.auditEvents(organisation: OrganisationID(string: w.partner.organisationID)!, limit: 50).map(\.action)
            #expect(client.contains("wallet.top_up") && client.contains("order.placed") && client.contains("wallet.payment"))
            #expect(partner.contains("wallet.cashback"))
            #expect(try await t.store.verifyAudit().firstBreak == nil)
        }
    }
}

@Suite("R-B8 renewal batches")
struct RenewalBatchTests {
    let billing = BillingTests()

    @Test("R-B8 in one batch, a renewal that cannot be paid undoes only itself: the paid one lands, the unpaid one enters grace")
    func savepoints() async throws {
        try await TestApp.with { t in
            let poor = try await t.signUp("poor@client.test", organisation: "Poor AG")
            let rich = try await t.signUp("rich@client.test", organisation: "Rich AG")
            for account in [poor, rich] {
                let q = try await billing.quote(t, account, client: account.organisationID, billing.webHostings(2))
                #expect(try await billing.confirm(t, account, client: account.organisationID, quote: q).status == .created)
            }
            #expect(try await billing.topUp(t, rich, "100.00").status == .created)
            t.clock.advance(32 * 86_400)
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store, batchSize: 10)
            #expect(report.renewed == 2 && report.inGrace == 2 && report.failed == 0)
            // Two hostings at 9.92 + 0.80 VAT = 10.72 each.
            #expect(try await billing.balance(t, rich) == 10000 - 2 * 1072)
            #expect(try await t.store.products(of: OrganisationID(string: poor.organisationID)!).allSatisfy { $0.status == "grace" })
            #expect(try await t.store.verifyLedger().isEmpty)
            #expect(try await t.store.verifyAudit().firstBreak == nil)
        }
    }
}
