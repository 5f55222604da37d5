import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting
import PartnerTestSupport

/// Orders, the wallet and invoices through the API (R-B2 … R-B6). Amounts are worked out by hand
/// from the rules: 35 web hostings at CHF 9.92 = 347.20; public (tier −25 %) 260.40; partner
/// −20 % then tier 208.32; cashback 260.40 − 208.32 = 52.08; Swiss VAT 8.1 %.
@Suite("Billing: quotes, orders, wallet, invoices")
struct BillingTests {
    let base = PartnershipTests()
    static let card = "4242424242424242"

    func webHostings(_ n: Int) -> String { #"{"lines":[{"category":"web-hosting","name":"Web hosting","quantity":\#(n)}]}"# }

    func quote(_ t: TestApp, _ account: TestApp.Account, client: String, _ body: String) async throws -> [String: Any] {
        let response = try await t.send(.POST, "/api/v1/organisations/\(client)/quotes", token: account.token, json: body)
        try #require(response.status == .created, "\(response.body.string)")
        return try t.json(response) as! [String: Any]
    }

    func confirm(_ t: TestApp, _ account: TestApp.Account, client: String, quote: [String: Any], method: String = "card",
                 key: String? = nil) async throws -> TestingHTTPResponse {
        let headers = key.map { [("Idempotency-Key", $0)] } ?? []
        let card = method == "card" ? #","card_number":"\#(Self.card)""# : ""
        return try await t.send(.POST, "/api/v1/organisations/\(client)/orders", token: account.token,
                                json: #"{"quote_id":"\#(quote["id"] as! String)","payment_method":"\#(method)"\#(card)}"#, headers: headers)
    }

    func minor(_ value: Any?) -> Int64? { ((value as? [String: Any])?["minor_units"] as? NSNumber)?.int64Value }

    func topUp(_ t: TestApp, _ account: TestApp.Account, _ amount: String, key: String? = nil) async throws -> TestingHTTPResponse {
        let headers = key.map { [("Idempotency-Key", $0)] } ?? []
        return try await t.send(.POST, "/api/v1/organisations/\(account.organisationID)/wallet/top-ups", token: account.token,
                                json: #"{"amount":"\#(amount)","card_number":"\#(Self.card)"}"#, headers: headers)
    }

    func balance(_ t: TestApp, _ account: TestApp.Account, _ currency: String = "CHF") async throws -> Int64 {
        let wallet = try t.json(try await t.send(.GET, "/api/v1/organisations/\(account.organisationID)/wallet", token: account.token)) as! [String: Any]
        return minor((wallet["balances"] as! [[String: Any]]).first { $0["currency"] as? String == currency })!
    }

    /// A full-access partnership in the given payment mode, accepted by the partner.
    func fullPartnership(_ t: TestApp, _ w: PartnershipTests.World, mode: String) async throws {
        let invite = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                      json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full","payment_mode":"\#(mode)"}"#)
        try #require(invite.status == .created)
        let token = try await base.partnershipToken(t, to: w.partner.email)
        try #require(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(token)"}"#).status == .ok)
    }

    @Test("R-B3 row 1: a client without partner pays the public price; 35 products, one invoice with Swiss VAT")
    func clientWithoutPartner() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(35))
            #expect(q["payer"] as? String == "client" && q["benefit"] as? String == "none" && q["rule"] as? Int == 1)
            let totals = q["totals"] as! [String: Any]
            // 260.40 × 8.1 % = 21.0924 → 21.09; total 281.49.
            #expect(minor(totals["net"]) == 26040 && minor(totals["vat"]) == 2109 && minor(totals["total"]) == 28149)
            let response = try await confirm(t, w.client, client: w.client.organisationID, quote: q)
            #expect(response.status == .created, "\(response.body.string)")
            let order = try t.json(response) as! [String: Any]
            #expect((order["product_ids"] as! [[String]]).first?.count == 35)
            #expect(order["invoice_number"] as? String == "2026-000001")
            let invoices = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/invoices", token: w.client.token)) as! [[String: Any]]
            #expect(invoices.count == 1 && minor((invoices[0]["totals"] as! [String: Any])["total"]) == 28149)
            // The explanation travels with the line.
            let line = (order["lines"] as! [[String: Any]])[0]
            #expect((line["steps"] as! [[String: Any]]).map { $0["step"] as! String } == ["list", "tier_discount"])
            #expect(line["tier_count"] as? Int == 35)
        }
    }

    @Test("R-B3 row 5 and R-B9: in payment mode partner the partner orders at the preferential price; the invoice is the partner's only, the products are the client's")
    func partnerDiscount() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            try await fullPartnership(t, w, mode: "partner")
            #expect(try await topUp(t, w.partner, "500.00").status == .created)
            let q = try await quote(t, w.partner, client: w.client.organisationID, webHostings(35))
            #expect(q["payer"] as? String == "partner" && q["benefit"] as? String == "discount" && q["rule"] as? Int == 5)
            // 208.32 + 8.1 % (16.87392 → 16.87) = 225.19.
            #expect(minor((q["totals"] as! [String: Any])["total"]) == 22519)
            let response = try await confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet")
            #expect(response.status == .created, "\(response.body.string)")
            #expect(try await balance(t, w.partner) == 50000 - 22519)
            let invoiceID = (try t.json(response) as! [String: Any])["invoice_id"] as! String
            // R-B6: the client does not see the partner's invoice; the partner does.
            #expect(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/invoices/\(invoiceID)", token: w.client.token).status == .notFound)
            #expect((try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/invoices", token: w.client.token)) as! [Any]).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/invoices/\(invoiceID)", token: w.partner.token).status == .ok)
            // The products belong to the client (R-B9).
            let products = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/products", token: w.client.token)) as! [Any]
            #expect(products.count == 3 + 35)
        }
    }

    @Test("R-B3 row 2: the client orders, pays the public price, and the partner's wallet receives the cashback in the same order")
    func cashback() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            try await fullPartnership(t, w, mode: "client")
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(35))
            // R-B11: the client never sees what its partner earns; the partner's wallet shows it.
            #expect(q["benefit"] as? String == "cashback" && q["rule"] as? Int == 2 && q["cashback"] is NSNull)
            #expect(try await confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
            #expect(try await balance(t, w.partner) == 5208)
            let entries = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/wallet/entries", token: w.partner.token)) as! [[String: Any]]
            #expect(entries.map { $0["kind"] as! String } == ["cashback"])
            #expect(try await t.store.verifyLedger().isEmpty)
        }
    }

    @Test("R-B3: a partner with limited access cannot order new products (a clear 403, nothing written)")
    func limitedCannotOrder() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            _ = try await base.limitedPartnership(t, w)
            let response = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: w.partner.token, json: webHostings(1))
            #expect(response.status == .forbidden)
            #expect(response.body.string.contains("limited access the partner does not order"))
        }
    }

    @Test("The price shown is the price charged: after a catalogue edit or expiry, confirming answers 409 with a fresh quote")
    func staleQuote() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(1))
            _ = try await t.store.setCatalogueEntry(PriceListEntry(category: .webHosting, period: .monthly,
                                                                   prices: [.chf: Money(minorUnits: 1090, currency: .chf), .eur: Money(minorUnits: 600, currency: .eur)], tiered: true))
            let stale = try await confirm(t, w.client, client: w.client.organisationID, quote: q)
            #expect(stale.status == .conflict)
            let fresh = (try t.json(stale) as! [String: Any])["fresh_quote"] as! [String: Any]
            // 10.90 + 8.1 % (0.8829 → 0.88) = 11.78.
            #expect(minor((fresh["totals"] as! [String: Any])["total"]) == 1178)
            #expect(try await t.store.orders(client: OrganisationID(string: w.client.organisationID)!).isEmpty)
            t.clock.advance(BillingService.quoteLifetime + 1)
            #expect(try await confirm(t, w.client, client: w.client.organisationID, quote: fresh).status == .conflict)
        }
    }

    @Test("R-B5 a wallet payment the balance cannot cover fails with a clear error and changes nothing")
    func insufficientFunds() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            #expect(try await topUp(t, w.client, "10.00").status == .created)
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(2))
            let response = try await confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet")
            #expect(response.status == .conflict)  // R-H1: a valid order the balance refuses
            #expect(response.body.string.contains("insufficient_funds") && response.body.string.contains("payment_method"))
            #expect(try await balance(t, w.client) == 1000)
            #expect(try await t.store.orders(client: OrganisationID(string: w.client.organisationID)!).isEmpty)
            #expect(try await t.store.invoices(of: OrganisationID(string: w.client.organisationID)!).isEmpty)
            // Topped up, the same quote goes through.
            #expect(try await topUp(t, w.client, "20.00").status == .created)
            #expect(try await confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
        }
    }

    @Test("A declined card changes nothing")
    func declinedCard() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(1))
            let response = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.client.token,
                                            json: #"{"quote_id":"\#(q["id"] as! String)","payment_method":"card","card_number":"4000000000000002"}"#)
            #expect(response.status == .paymentRequired && response.body.string.contains("declined"))
            #expect(try await t.store.orders(client: OrganisationID(string: w.client.organisationID)!).isEmpty)
        }
    }

    @Test("R-B5 Idempotency-Key: a repeated top-up or order returns the first result and charges once; another body with the key is refused")
    func idempotency() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let first = try await topUp(t, w.client, "50.00", key: "top-up-1")
            let second = try await topUp(t, w.client, "50.00", key: "top-up-1")
            #expect(first.status == .created && second.status == .created)
            #expect((try t.json(first) as! [String: Any])["id"] as? String == (try t.json(second) as! [String: Any])["id"] as? String)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await balance(t, w.client) == 5000)
            let reused = try await topUp(t, w.client, "60.00", key: "top-up-1")
            #expect(reused.status == .conflict && reused.body.string.contains("Idempotency-Key"))
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(1))
            let a = try await confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet", key: "order-1")
            let b = try await confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet", key: "order-1")
            #expect(a.status == .created && b.status == .created)
            #expect((try t.json(a) as! [String: Any])["id"] as? String == (try t.json(b) as! [String: Any])["id"] as? String)
            // 9.92 + 0.80 VAT (0.80352) = 10.72, charged once.
            #expect(try await balance(t, w.client) == 5000 - 1072)
        }
    }

    @Test("R-B5/R-B6 concurrent wallet orders never overdraw; invoice numbers have no gaps")
    func concurrency() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            #expect(try await topUp(t, w.client, "30.00").status == .created)
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await quote(t, w.client, client: w.client.organisationID, webHostings(1))["id"] as! String) }
            // Each costs 10.72: two fit into 30.00. The others fail as too expensive (422) or, since
            // each order raises the payer's hosting count that the quotes fixed, as stale (409).
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for id in ids { group.addTask { try await confirm(t, w.client, client: w.client.organisationID, quote: ["id": id], method: "wallet").status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 2)
            #expect(statuses.allSatisfy { [.created, .unprocessableEntity, .conflict].contains($0) })
            #expect(try await balance(t, w.client) == 3000 - 2 * 1072)
            let numbers = try await t.store.invoices(of: OrganisationID(string: w.client.organisationID)!).map(\.number).sorted()
            #expect(numbers == ["2026-000001", "2026-000002"])
            #expect(try await t.store.verifyLedger().isEmpty)
        }
    }

    @Test("Billing routes of another organisation answer 404; an employee of the organisation gets 403")
    func isolation() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let q = try await quote(t, w.client, client: w.client.organisationID, webHostings(1))
            let order = try t.json(try await confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            let invoiceID = order["invoice_id"] as! String
            let mallory = try await t.signUp("mallory@elsewhere.test", organisation: "Elsewhere SA")
            let c = w.client.organisationID
            for (method, path, body) in [
                (HTTPMethod.POST, "/api/v1/organisations/\(c)/quotes", webHostings(1)),
                (.POST, "/api/v1/organisations/\(c)/orders", #"{"quote_id":"\#(q["id"] as! String)","payment_method":"wallet"}"#),
                (.GET, "/api/v1/organisations/\(c)/orders", nil),
                (.GET, "/api/v1/organisations/\(c)/wallet", nil),
                (.GET, "/api/v1/organisations/\(c)/wallet/entries", nil),
                (.POST, "/api/v1/organisations/\(c)/wallet/top-ups", #"{"amount":"5.00","card_number":"\#(Self.card)"}"#),
                (.GET, "/api/v1/organisations/\(c)/invoices", nil),
                (.GET, "/api/v1/organisations/\(c)/invoices/\(invoiceID)", nil),
                (.GET, "/api/v1/organisations/\(mallory.organisationID)/invoices/\(invoiceID)", nil),
            ] {
                let response = try await t.send(method, path, token: mallory.token, json: body)
                #expect(response.status == .notFound, "\(method) \(path)")
            }
            let erin = try await t.addMember(to: w.client, email: "erin@client.test", role: "employee")
            #expect(try await t.send(.GET, "/api/v1/organisations/\(c)/wallet", token: erin.token).status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(c)/quotes", token: erin.token, json: webHostings(1)).status == .forbidden)
        }
    }

    @Test("Bad order input names the field and changes nothing")
    func badInput() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let c = w.client.organisationID
            for (body, field) in [
                (#"{"lines":[]}"#, "lines"),
                (#"{"lines":[{"category":"castle","name":"x","quantity":1}]}"#, "lines.0.category"),
                (#"{"lines":[{"category":"web-hosting","name":"x","quantity":0}]}"#, "lines.0.quantity"),
                (#"{"lines":[{"category":"domain","name":"not a domain","quantity":1}]}"#, "lines.0.name"),
                (#"{"renew_product_id":"nope"}"#, "renew_product_id"),
            ] {
                let response = try await t.send(.POST, "/api/v1/organisations/\(c)/quotes", token: w.client.token, json: body)
                #expect(response.status == .unprocessableEntity && response.body.string.contains("\"\(field)\""), "\(body): \(response.body.string)")
            }
            let bad = try await topUp(t, w.client, "-5")
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"amount\""))
        }
    }
}

@Suite("Billing under load: two app instances, one wallet")
struct BillingConcurrencyTests {
    let billing = BillingTests()

    @Test("R-B5/R-B6 200 concurrent partner-paid orders, spread over two app instances, against a wallet that covers exactly 100")
    func twoInstances() async throws {
        let database = try await TestDatabase.make()
        do { try await run(database) } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    func run(_ database: TestDatabase) async throws {
        try await TestApp.with(database: database) { a in
            try await TestApp.with(database: database) { b in
                let w = try await PartnershipTests().world(a)
                try await billing.fullPartnership(a, w, mode: "partner")
                // A VPS: 25.00 − 10 % = 22.50, VAT 8.1 % 1.8225 → 1.82, total 24.32; no tier, so
                // earlier orders never make a quote stale. 100 × 24.32 = 2432.00.
                #expect(try await billing.topUp(a, w.partner, "2432.00").status == .created)
                var ids: [String] = []
                for _ in 0..<200 {
                    ids.append(try await billing.quote(a, w.partner, client: w.client.organisationID, #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]}"#)["id"] as! String)
                }
                #expect(minor(try await billing.quote(a, w.partner, client: w.client.organisationID, #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]}"#)["totals"]) == 2432)
                let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                    for (index, id) in ids.enumerated() {
                        let app = index % 2 == 0 ? a : b
                        group.addTask {
                            let r = try await billing.confirm(app, w.partner, client: w.client.organisationID, quote: ["id": id], method: "wallet")
                            return (r.status, r.body.string)
                        }
                    }
                    return try await group.reduce(into: [(HTTPStatus, String)]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0.0 == .created }.count == 100, "\(statuses.filter { $0.0 != .created && $0.0 != .unprocessableEntity }.prefix(3))")
                let refused = statuses.filter { $0.0 != .created }
                #expect(refused.count == 100 && refused.allSatisfy { $0.0 == .conflict && $0.1.contains("insufficient_funds") },
                        "\(refused.filter { !($0.0 == .conflict && $0.1.contains("insufficient_funds")) }.prefix(3))")
                #expect(try await billing.balance(a, w.partner) == 0)
                let numbers = try await a.store.invoices(of: OrganisationID(string: w.partner.organisationID)!, limit: 500).map(\.number).sorted()
                #expect(numbers == (1...100).map { InvoiceNumber.format(year: 2026, sequence: $0) })
                #expect(try await a.store.verifyLedger().isEmpty)
            }
        }
    }

    func minor(_ totals: Any?) -> Int64? { billing.minor((totals as? [String: Any])?["total"]) }
}
