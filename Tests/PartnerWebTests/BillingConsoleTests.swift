import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// The billing pages of the console, driven like a browser (forms, CSRF, redirects).
@Suite("Console: ordering, billing, invoices, CSV")
struct BillingConsoleTests {
    let billing = BillingTests()
    let base = PartnershipTests()

    /// Full access in mode partner; the partner's wallet holds 500.00.
    func world(_ t: TestApp) async throws -> PartnershipTests.World {
        let w = try await base.world(t)
        try await billing.fullPartnership(t, w, mode: "partner")
        #expect(try await billing.topUp(t, w.partner, "500.00").status == .created)
        return w
    }

    @Test("A partner orders 35 web hostings for a client: the breakdown shows 347.20 → 277.76 → 208.32, the order lands, the client sees no invoice")
    func partnerOrders() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let form = try await paul.get("/console/orgs/\(w.client.organisationID)/order")
            #expect(form.status == .ok && form.body.string.contains("Order for Client AG"))
            let quote = try await paul.post("/console/orgs/\(w.client.organisationID)/order/quote", ["category": "web-hosting", "name": "Web hosting", "quantity": "35"])
            #expect(quote.status == .ok, "\(quote.body.string.prefix(400))")
            let page = quote.body.string
            #expect(page.contains("List price: CHF 347.20") && page.contains("Partner discount −20 %: CHF 277.76") && page.contains("CHF 208.32"))
            #expect(page.contains("R-B3, row 5"))
            let quoteID = try #require(page.range(of: #"name="quote_id" value="[^"]+""#, options: .regularExpression).map { String(page[$0].dropFirst(23).dropLast()) })
            let placed = try await paul.post("/console/orgs/\(w.client.organisationID)/order/confirm", ["quote_id": quoteID, "payment_method": "wallet"])
            #expect(placed.status == .seeOther)
            let orderPage = try await paul.get(try #require(placed.headers.first(name: .location)))
            #expect(orderPage.status == .ok && orderPage.body.string.contains("Open invoice 2026-000001"))
            // The client's billing page lists no invoice for it.
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let clientBilling = try await clara.get("/console/orgs/\(w.client.organisationID)/billing").body.string
            #expect(clientBilling.contains("No invoices yet.") && !clientBilling.contains("2026-000001"))
            // The partner's billing page has the invoice and draws the earnings.
            let partnerBilling = try await paul.get("/console/orgs/\(w.partner.organisationID)/billing").body.string
            #expect(partnerBilling.contains("2026-000001") && partnerBilling.contains("<svg") && partnerBilling.contains("<progress"))
        }
    }

    @Test("Confirming after the price changed shows the fresh price instead of charging (409)")
    func staleInConsole() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            try await paul.get("/console/orgs/\(w.client.organisationID)/order")
            let page = try await paul.post("/console/orgs/\(w.client.organisationID)/order/quote", ["category": "vps", "name": "VPS", "quantity": "1"]).body.string
            let quoteID = String(page[page.range(of: #"name="quote_id" value="[^"]+""#, options: .regularExpression)!].dropFirst(23).dropLast())
            _ = try await t.store.setCatalogueEntry(PriceListEntry(category: .vps, period: .monthly,
                                                                   prices: [.chf: Money(minorUnits: 3000, currency: .chf), .eur: Money(minorUnits: 2800, currency: .eur)], tiered: false))
            let stale = try await paul.post("/console/orgs/\(w.client.organisationID)/order/confirm", ["quote_id": quoteID, "payment_method": "wallet"])
            #expect(stale.status == .conflict && stale.body.string.contains("The price changed since the quote"))
            // 30.00 − 10 % = 27.00.
            #expect(stale.body.string.contains("CHF 27.00"))
            #expect(try await billing.balance(t, w.partner) == 50000)
        }
    }

    @Test("The billing page: a bad top-up is shown again with the message; employees get 403; other organisations 404")
    func billingPage() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            try await clara.get("/console/orgs/\(w.client.organisationID)/billing")
            let bad = try await clara.post("/console/orgs/\(w.client.organisationID)/billing/top-up", ["amount": "abc", "currency": "CHF", "card_number": BillingTests.card])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("error-summary"))
            let good = try await clara.post("/console/orgs/\(w.client.organisationID)/billing/top-up", ["amount": "25.50", "currency": "CHF", "card_number": BillingTests.card])
            #expect(good.status == .seeOther)
            #expect(try await clara.get("/console/orgs/\(w.client.organisationID)/billing").body.string.contains("CHF 25.50"))
            _ = try await t.addMember(to: w.client, email: "erin@client.test", role: "employee")
            let erin = Browser(t)
            try await erin.logIn("erin@client.test")
            #expect(try await erin.get("/console/orgs/\(w.client.organisationID)/billing").status == .forbidden)
            let mallory = try await t.signUp("mallory@elsewhere.test", organisation: "Elsewhere SA")
            let m = Browser(t)
            try await m.logIn(mallory.email)
            for path in ["billing", "order", "invoices.csv", "ledger.csv"] {
                #expect(try await m.get("/console/orgs/\(w.client.organisationID)/\(path)").status == .notFound, "\(path)")
            }
        }
    }

    @Test("R-B7 the partner exports a managed client's billing data as CSV (comma and semicolon); another partner gets 404")
    func exportClientBilling() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(35))
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            let partnership = try #require(try await t.store.partnerships(client: OrganisationID(string: w.client.organisationID)!).first).partnership.id
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let clients = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients").body.string
            #expect(clients.contains("Export billing data (CSV)"))
            let csv = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients/\(partnership.string)/billing.csv")
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            let lines = csv.body.string.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "date,order,kind,product,category,quantity,currency,list,charged,payer,benefit,benefit_amount,rule,our_invoice")
            // 347.20 list, 208.32 charged, the benefit is the discount 260.40 − 208.32 = 52.08.
            #expect(lines.count == 2 && lines[1].contains(",35,CHF,347.20,208.32,partner,discount,52.08,5,2026-000001"))
            let semicolon = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients/\(partnership.string)/billing.csv?delimiter=semicolon")
            #expect(semicolon.body.string.hasPrefix("date;order;kind;"))
            let other = try await t.signUp("olga@other-partner.test", organisation: "Other Partner")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: other.organisationID)!, actor: "test", store: t.store)
            let olga = Browser(t)
            try await olga.logIn(other.email)
            #expect(try await olga.get("/console/orgs/\(other.organisationID)/clients/\(partnership.string)/billing.csv").status == .notFound)
            #expect(try await olga.get("/console/orgs/\(w.partner.organisationID)/clients/\(partnership.string)/billing.csv").status == .notFound)
        }
    }

    @Test("The printable invoice shows lines, VAT and total; only the paying organisation opens it")
    func invoicePage() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(35))
            let order = try t.json(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet")) as! [String: Any]
            let invoiceID = order["invoice_id"] as! String
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let page = try await paul.get("/console/orgs/\(w.partner.organisationID)/invoices/\(invoiceID)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Invoice 2026-000001") && page.body.string.contains("VAT 8.1 %") && page.body.string.contains("CHF 225.19"))
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            #expect(try await clara.get("/console/orgs/\(w.client.organisationID)/invoices/\(invoiceID)").status == .notFound)
            // The ledger export: unsigned amounts with a direction, so nothing is mistaken for a formula.
            let ledger = try await paul.get("/console/orgs/\(w.partner.organisationID)/ledger.csv").body.string
            #expect(ledger.contains(",top_up,CHF,500.00,credit,500.00,") && ledger.contains(",payment,CHF,225.19,debit,274.81,"))
        }
    }
}

@Suite("Console: renewing by hand")
struct ManualRenewalTests {
    let billing = BillingTests()

    @Test("R-B8 the products page offers Renew now for ordered products; the quote and the order follow, the period moves on")
    func renewNow() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, #"{"lines":[{"category":"vps","name":"Shop VPS","quantity":1}]}"#)
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            let product = ProductID(string: (order["product_ids"] as! [[String]])[0][0])!
            let before = try #require(try await t.store.product(product)?.billing?.renewsAt)
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let list = try await clara.get("/console/orgs/\(w.client.organisationID)/products").body.string
            #expect(list.contains("Renew now") && list.contains(#"name="renew" value="\#(product.string)""#))
            let quote = try await clara.post("/console/orgs/\(w.client.organisationID)/order/quote", ["renew": product.string])
            #expect(quote.status == .ok && quote.body.string.contains("Shop VPS"))
            let page = quote.body.string
            let quoteID = String(page[page.range(of: #"name="quote_id" value="[^"]+""#, options: .regularExpression)!].dropFirst(23).dropLast())
            let placed = try await clara.post("/console/orgs/\(w.client.organisationID)/order/confirm",
                                              ["quote_id": quoteID, "payment_method": "card", "card_number": BillingTests.card])
            #expect(placed.status == .seeOther)
            #expect(try await t.store.product(product)?.billing?.renewsAt == BillingPeriod.monthly.end(startingAt: before))
        }
    }
}

@Suite("Console: money on the dashboard, what would I earn")
struct MoneyDashboardTests {
    let billing = BillingTests()

    @Test("The client's dashboard shows what it paid per month and where its invoices go; the partner's its earnings and volume")
    func dashboards() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(35))
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let home = try await clara.get("/console/orgs/\(w.client.organisationID)").body.string
            // 281.49 paid this month, one order invoiced to the client itself.
            #expect(home.contains("Paid over the last 12 months: CHF 281.49"))
            #expect(home.contains("<td>Client AG</td><td class=\"number\">1</td>"))
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let partnerHome = try await paul.get("/console/orgs/\(w.partner.organisationID)").body.string
            // Cashback 52.08 this month; managed volume 260.40 of CHF 2000.00.
            #expect(partnerHome.contains("Earnings over the last 12 months: CHF 52.08"))
            #expect(partnerHome.contains("Managed volume (12 months): CHF 260.40 of CHF 2,000.00"))
        }
    }

    @Test("What would I earn: each product's renewal in mode client (cashback) and in mode partner (preferential price)")
    func whatIf() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            let partnership = try #require(try await t.store.partnerships(client: OrganisationID(string: w.client.organisationID)!).first).partnership.id
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let page = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients/\(partnership.string)").body.string
            // One web hosting: public 9.92, preferential 9.92 − 20 % = 7.94, so 1.98 either way.
            #expect(page.contains("What would you earn?"))
            #expect(page.contains("The client pays CHF 9.92") && page.contains("You receive CHF 1.98 cashback"))
            #expect(page.contains("You pay CHF 7.94") && page.contains("Margin at the public price: CHF 1.98"))
        }
    }
}
