import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-B4 in the provider console: program admins edit the catalogue and partner rates; every
/// change is audited (R-B10) and applies to the next quote, never to recorded orders.
@Suite("Provider console: catalogue and partner rates")
struct ProviderBillingTests {
    let billing = BillingTests()

    func staff(_ t: TestApp, role: StaffRole) async throws -> Browser {
        let email = role == .programAdmin ? "petra@provider.test" : "sam@provider.test"
        _ = try await t.app.partnerHub.accounts.addStaff(email: email, name: "Staff", role: role, password: "provider-secret-1", store: t.store)
        let browser = Browser(t)
        try await browser.get("/provider/login")
        _ = try await browser.post("/provider/login", ["email": email, "password": "provider-secret-1"])
        try await browser.get("/provider/catalogue")
        return browser
    }

    func auditActions(_ t: TestApp, organisation: String? = nil) async throws -> [String] {
        if let organisation { return try await t.store.auditEvents(organisation: OrganisationID(string: organisation)!, limit: 500).map(\.action) }
        return try await t.store.providerAuditEvents(limit: 500).map(\.action)
    }

    @Test("R-B4 a new web-hosting price applies to the next quote and bumps the catalogue version; recorded orders keep theirs; audited")
    func editPrice() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            let petra = try await staff(t, role: .programAdmin)
            let saved = try await petra.post("/provider/catalogue/products/web-hosting", ["price_chf": "10.50", "price_eur": "6.00", "period": "monthly", "tiered": "on"])
            #expect(saved.status == .seeOther)
            let next = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(billing.minor((next["totals"] as! [String: Any])["net"]) == 1050)
            #expect(next["catalogue_version"] as? Int == 2)
            let orders = try await t.store.orders(client: OrganisationID(string: w.client.organisationID)!)
            #expect(orders.first?.priced.net.minorUnits == 992 && orders.first?.priced.catalogueVersion == 1)
            #expect(try await auditActions(t).contains("catalogue.price_changed"))
            // A price that is no amount is shown again with the message; nothing changes.
            let bad = try await petra.post("/provider/catalogue/products/web-hosting", ["price_chf": "ten", "price_eur": "6.00", "period": "monthly"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("error-summary"))
            #expect(try await t.store.priceList().version == 2)
        }
    }

    @Test("R-B4 partner rates: 30 % applies to the partner's next discount order; above 35 % is refused and changes nothing; audited")
    func editRates() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "partner")
            let petra = try await staff(t, role: .programAdmin)
            let page = "/provider/organisations/\(w.partner.organisationID)/rates"
            try await petra.get(page)
            var form = Dictionary(uniqueKeysWithValues: ProductCategory.allCases.filter { $0 != .domain }.map { ("rate_\($0.rawValue)", "10") })
            form["rate_web-hosting"] = "36"
            #expect(try await petra.post(page, form).status == .unprocessableEntity)
            #expect(try await t.store.partnerRates(OrganisationID(string: w.partner.organisationID)!).rate(.webHosting) == BasisPoints(percent: 20))
            form["rate_web-hosting"] = "30"
            #expect(try await petra.post(page, form).status == .seeOther)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(1))
            // 9.92 − 30 % = 6.944 → 6.94.
            #expect(billing.minor((q["totals"] as! [String: Any])["net"]) == 694)
            #expect(try await auditActions(t, organisation: w.partner.organisationID).contains("partner.rate_changed"))
        }
    }

    @Test("Support agents cannot edit the catalogue or rates (403); tiers must ascend")
    func onlyProgramAdmins() async throws {
        try await TestApp.with { t in
            let sam = try await staff(t, role: .support)
            #expect(try await sam.get("/provider/catalogue").status == .forbidden)
            #expect(try await sam.post("/provider/catalogue/products/vps", ["price_chf": "1.00", "price_eur": "1.00", "period": "monthly"]).status == .forbidden)
            let petra = try await staff(t, role: .programAdmin)
            let descending = try await petra.post("/provider/catalogue/tiers", ["from_0": "10", "rate_0": "20", "from_1": "5", "rate_1": "25"])
            #expect(descending.status == .unprocessableEntity)
            #expect(try await t.store.priceList().tiers == Catalogue.hostingTiers)
        }
    }
}

@Suite("Refunds and credit notes (R-B6)")
struct RefundTests {
    let billing = BillingTests()

    @Test("R-B6 a refund issues a credit note mirroring the invoice, credits the payer, takes back the cashback, ends the products; a second refund is refused")
    func refund() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(35))
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            #expect(try await billing.balance(t, w.partner) == 5208)
            let petra = try await ProviderBillingTests().staff(t, role: .programAdmin)
            let orderID = order["id"] as! String
            let confirmPage = try await petra.get("/provider/orders/\(orderID)/refund")
            // 260.40 + 8.1 % (21.0924 → 21.09) = 281.49.
            #expect(confirmPage.status == .ok && confirmPage.body.string.contains("CHF 281.49"))
            let done = try await petra.post("/provider/orders/\(orderID)/refund", [:])
            #expect(done.status == .seeOther)
            let invoices = try await t.store.invoices(of: OrganisationID(string: w.client.organisationID)!)
            let note = try #require(invoices.first { $0.kind == .creditNote })
            let original = try #require(invoices.first { $0.kind == .invoice })
            #expect(note.refersTo == original.id && note.number == "2026-000002")
            #expect(note.totals.net.minorUnits == -26040 && note.totals.vat.minorUnits == -2109 && note.totals.total.minorUnits == -28149)
            // Paid by card, refunded to the prepaid account; the cashback goes back.
            #expect(try await billing.balance(t, w.client) == 28149)
            #expect(try await billing.balance(t, w.partner) == 0)
            let products = try await t.store.products(of: OrganisationID(string: w.client.organisationID)!)
            #expect(products.filter { $0.status == "cancelled" }.count == 35)
            #expect(try await t.store.verifyLedger().isEmpty)
            let again = try await petra.post("/provider/orders/\(orderID)/refund", [:])
            #expect(again.status == .conflict && again.body.string.contains("refunded already"))
            #expect(try await billing.balance(t, w.client) == 28149)
        }
    }

    @Test("R-B5 when the partner already spent the cashback, the refund is refused as a whole and nothing changes")
    func reversalNotCovered() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(35))
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            // The partner spends 50.00 of its 52.08 cashback: 2.08 left, less than the reversal.
            try await t.store.write { tx in
                try await tx.postLedger(OrganisationID(string: w.partner.organisationID)!, kind: .payment, amount: Money(minorUnits: 5000, currency: .chf),
                                        key: "spent", reference: nil, description: "spent", now: t.clock.now())
            }
            let petra = try await ProviderBillingTests().staff(t, role: .programAdmin)
            let refused = try await petra.post("/provider/orders/\(order["id"] as! String)/refund", [:])
            #expect(refused.status == .conflict && refused.body.string.contains("does not cover taking back the cashback"))
            #expect(try await t.store.invoices(of: OrganisationID(string: w.client.organisationID)!).count == 1)
            #expect(try await billing.balance(t, w.client) == 0)
        }
    }
}

@Suite("R-X2 partner benefits")
struct BenefitsTests {
    @Test("R-X2 the partner sees its rates and the domain prices, requests the premium theme, a program admin issues the key; clients get 404")
    func benefits() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let page = try await paul.get("/console/orgs/\(w.partner.organisationID)/benefits")
            // Web hosting CHF 9.92 at 20 % → 7.94 (7.936); .ch CHF 12.00 list, 9.00 preferential.
            #expect(page.status == .ok && page.body.string.contains("20 %") && page.body.string.contains("CHF 9.92 → CHF 7.94"))
            #expect(page.body.string.contains(".ch") && page.body.string.contains("CHF 9.00"))
            #expect(try await paul.post("/console/orgs/\(w.partner.organisationID)/benefits/theme", [:]).status == .seeOther)
            #expect(try await paul.get("/console/orgs/\(w.partner.organisationID)/benefits").body.string.contains("Your request has arrived"))
            let petra = try await ProviderBillingTests().staff(t, role: .programAdmin)
            let home = try await petra.get("/provider").body.string
            let action = try #require(home.range(of: #"/provider/theme-requests/[0-9a-f-]+"#, options: .regularExpression).map { String(home[$0]) })
            #expect(try await petra.post(action, ["licence_key": "PREMIUM-1234"]).status == .seeOther)
            #expect(try await paul.get("/console/orgs/\(w.partner.organisationID)/benefits").body.string.contains("PREMIUM-1234"))
            #expect(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).contains { $0.subject == "Your premium theme licence is ready" })
            let api = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/benefits", token: w.partner.token)) as! [String: Any]
            #expect((api["theme_request"] as? [String: Any])?["licence_key"] as? String == "PREMIUM-1234")
            // Not a partner: told so (R-O5/R-E2, 403); not a member: 404.
            #expect(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/benefits", token: w.client.token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/benefits", token: w.client.token).status == .notFound)
        }
    }
}
