import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Who may spend and see whose money (R-O2, R-B5, R-P1): the holes an outside review found.
@Suite("Authority over money: employees, currencies, one partner per product")
struct MoneyAuthorityTests {
    let base = PartnershipTests()
    let billing = BillingTests()

    /// The world with a full-access partnership in `mode`, an employee of the partner assigned to
    /// the client, and CHF 500.00 in the partner's wallet: (world, employee, partnership id).
    func assignedEmployee(_ t: TestApp, mode: String) async throws -> (PartnershipTests.World, TestApp.Account, String) {
        let w = try await base.world(t)
        try await billing.fullPartnership(t, w, mode: mode)
        try #require(try await billing.topUp(t, w.partner, "500.00").status == .created)
        let carla = try await t.addMember(to: w.partner, email: "carla@partner.test", role: "employee")
        let clients = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: w.partner.token))
            as? [[String: Any]])
        let partnership = try #require(clients.first?["id"] as? String)
        let members = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/members", token: w.partner.token))
            as? [[String: Any]])
        let membership = try #require(members.first { $0["email"] as? String == "carla@partner.test" }?["id"] as? String)
        let assign = try await t.send(.PUT, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(partnership)/assignments/\(membership)",
                                      token: w.partner.token)
        try #require(assign.status == .noContent, "\(assign.body.string)")
        return (w, carla, partnership)
    }

    @Test("R-O2 a partner's employee assigned to a full-access client in payment mode partner can neither quote nor order; the partner's wallet is untouched",
          arguments: ["partner", "client"])
    func employeeDoesNotSpend(mode: String) async throws {
        try await TestApp.with { t in
            let (w, carla, _) = try await assignedEmployee(t, mode: mode)
            // She manages the client's products (R-P9)…
            #expect(try await base.visibleProducts(t, carla, in: w.client.organisationID).1.count == 3)
            // …but ordering is for legal representatives and admins, whoever's money it is.
            for means in ["", #","means":"own""#, #","means":"client""#] {
                let body = #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]\#(means)}"#
                let quote = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: carla.token, json: body)
                #expect(quote.status == .forbidden, "\(means): \(quote.body.string)")
            }
            #expect(try await billing.balance(t, w.partner) == 50000)
            #expect((try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.client.token)) as? [Any])?.isEmpty == true)
        }
    }

    @Test("R-O2 a client's billing export (with the partner's cashback) is for the partner's legal representatives and admins: an employee gets 403")
    func employeeDoesNotExport() async throws {
        try await TestApp.with { t in
            let (w, carla, partnership) = try await assignedEmployee(t, mode: "client")
            let path = "/api/v1/organisations/\(w.partner.organisationID)/clients/\(partnership)/billing.csv"
            #expect(try await t.send(.GET, path, token: carla.token).status == .forbidden)
            #expect(try await t.send(.GET, path, token: w.partner.token).status == .ok)
        }
    }

    @Test("R-B5 a top-up in a currency nothing of the organisation's is paid in is refused (409) and credits nothing; a partner with an EUR client may hold EUR")
    func topUpCurrency() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)  // both in CHF
            func topUp(_ account: TestApp.Account, _ currency: String) async throws -> TestingHTTPResponse {
                try await t.send(.POST, "/api/v1/organisations/\(account.organisationID)/wallet/top-ups", token: account.token,
                                 json: #"{"amount":"10.00","currency":"\#(currency)","card_number":"\#(BillingTests.card)"}"#)
            }
            let refused = try await topUp(w.client, "EUR")
            #expect(refused.status == .conflict && refused.body.string.contains("currency_not_spendable"), "\(refused.body.string)")
            #expect(try await billing.balance(t, w.client, "EUR") == 0)
            #expect(try await topUp(w.partner, "EUR").status == .conflict)
            // A French client (EUR) in the partner's care: the partner pays for it in EUR.
            let lea = try await t.signUp("lea@client.fr", organisation: "Client SARL", country: "FR")
            let invite = try await t.send(.POST, "/api/v1/organisations/\(lea.organisationID)/partners", token: lea.token,
                                          json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full","payment_mode":"partner"}"#)
            try #require(invite.status == .created, "\(invite.body.string)")
            let token = try await base.partnershipToken(t, to: w.partner.email)
            try #require(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(token)"}"#).status == .ok)
            #expect(try await topUp(w.partner, "EUR").status == .created)
            #expect(try await billing.balance(t, w.partner, "EUR") == 1000)
        }
    }

    @Test("R-B9/R-S2 products come only with a paid order: no bare create in the API or the console (405); a paid Premium Support brings the VIP code")
    func noProductWithoutPayment() async throws {
        try await TestApp.with { t in
            let anna = try await t.signUp("anna@example.ch")
            let bare = try await t.send(.POST, "/api/v1/organisations/\(anna.organisationID)/products", token: anna.token,
                                        json: #"{"category":"premium-support","name":"Free support"}"#)
            #expect(bare.status == .methodNotAllowed)
            let browser = Browser(t)
            try await browser.logIn(anna.email)
            try await browser.get("/console/orgs/\(anna.organisationID)/products")
            #expect(try await browser.post("/console/orgs/\(anna.organisationID)/products", ["category": "premium-support", "name": "Free"]).status == .methodNotAllowed)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/vip-code", token: anna.token).status == .notFound)
            #expect(try await t.store.products(of: OrganisationID(string: anna.organisationID)!).isEmpty)
            // Ordered and paid: the product exists, and with it the code.
            _ = try await t.orderProducts(anna, [(.premiumSupport, "Premium Support")])
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/vip-code", token: anna.token).status == .ok)
        }
    }

    @Test("R-B3/R-B8 after the partnership ends, the renewal reminder and the unpaid notice go to the client, who pays now — none to the former partner")
    func noticesFollowThePayer() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            try await billing.fullPartnership(t, w, mode: "partner")
            #expect(try await billing.topUp(t, w.partner, "50.00").status == .created)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(1))
            #expect(q["payer"] as? String == "partner")
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            let partners = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token))
                as? [[String: Any]])
            let id = try #require(partners.first?["id"] as? String)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)/end", token: w.client.token,
                                     json: #"{"password":"\#(TestApp.password)"}"#).status == .noContent)
            func mails(_ account: TestApp.Account, _ prefix: String) async throws -> Int {
                try await t.store.outbox(recipient: EmailAddress(account.email)!).filter { $0.subject.hasPrefix(prefix) }.count
            }
            t.clock.advance(20 * 86_400)  // about ten days before the renewal
            try await t.app.partnerHub.billing.sendRenewalReminders(store: t.store)
            #expect(try await mails(w.client, "Upcoming renewal") == 1)
            #expect(try await mails(w.partner, "Upcoming renewal") == 0)
            t.clock.advance(12 * 86_400)  // past the renewal; the client's wallet is empty
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(report.inGrace == 1)
            #expect(try await mails(w.client, "Renewal not paid") == 1)
            #expect(try await mails(w.partner, "Renewal not paid") == 0)
            #expect(try await billing.balance(t, w.partner) == 5000 - 858)  // the first order only: 7.94 + 0.64 VAT
        }
    }

    @Test("R-P10 a renewal quote for another organisation's product is 404, whether the product exists or not (found by an outside review)")
    func renewQuoteIsTenantScoped() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            let stranger = try await t.signUp("mallory@example.ch", organisation: "Elsewhere")
            for product in [w.products[0], UUID().uuidString] {
                let response = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: stranger.token,
                                                json: #"{"renew_product_id":"\#(product)"}"#)
                #expect(response.status == .notFound, "\(response.body.string)")
            }
            // The client itself is told what is wrong with its own product, by the API's field name.
            let own = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: w.client.token,
                                       json: #"{"renew_product_id":"\#(w.products[0])"}"#)
            #expect(own.status == .unprocessableEntity && own.body.string.contains(#""field":"renew_product_id""#), "\(own.body.string)")
        }
    }

    @Test("R-B11 (part) R-B3 row 4: a client's order on its partner's money is e-mailed to the partner's legal representatives and admins, with the amount")
    func partnerToldOfSpending() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            try await billing.fullPartnership(t, w, mode: "partner")
            let admin = try await t.addMember(to: w.partner, email: "pia@partner.test", role: "admin")
            let carla = try await t.addMember(to: w.partner, email: "carla@partner.test", role: "employee")
            #expect(try await billing.topUp(t, w.partner, "50.00").status == .created)
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            #expect(q["payer"] as? String == "partner" && q["rule"] as? Int == 4)
            #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            func told(_ account: TestApp.Account) async throws -> [OutboxMessage] {
                try await t.store.outbox(recipient: EmailAddress(account.email)!).filter { $0.subject.hasPrefix("Client AG ordered at your expense") }
            }
            // 9.92 + 8.1 % VAT (0.80) = 10.72, charged to the partner at the public price.
            let mails = try await told(w.partner)
            #expect(mails.count == 1 && mails.first?.body.contains("CHF 10.72") == true, "\(mails.map(\.body))")
            #expect(try await told(admin).count == 1)
            #expect(try await told(carla).isEmpty)
            // The partner's own orders tell nobody else.
            let own = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(1))
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: own, method: "wallet").status == .created)
            #expect(try await told(w.partner).count == 1)
        }
    }

    /// A second approved partner.
    func secondPartner(_ t: TestApp) async throws -> TestApp.Account {
        let other = try await t.signUp("olga@other-partner.test", organisation: "Other Partner AG")
        try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: other.organisationID)!, actor: "test", store: t.store)
        return other
    }

    @Test("R-P1 full access for a second partner while the first manages two products with limited access: 409 naming both products")
    func fullBesideLimited() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            _ = try await base.limitedPartnership(t, w)  // the first two products
            let other = try await secondPartner(t)
            let response = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                            json: #"{"partner_id":"\#(other.organisationID)","access":"full","payment_mode":"client"}"#)
            #expect(response.status == .conflict)
            let problem = try #require(try t.json(response) as? [String: Any])
            let field = try #require((problem["errors"] as? [[String: Any]])?.first)
            #expect(field["field"] as? String == "products" && field["code"] as? String == "granted_to_another_partner")
            let detail = field["detail"] as? String ?? ""
            #expect(detail.contains("Mail client.ch") && detail.contains("Web hosting client.ch") && !detail.contains("VPS backend"), "\(detail)")
            #expect(try await t.store.outbox(recipient: EmailAddress(other.email)!).allSatisfy { !$0.body.contains("/partnerships/") })
        }
    }

    @Test("R-P1 a product granted to a second partner while the first has full access: 409 naming it; the console form says so")
    func limitedBesideFull() async throws {
        try await TestApp.with { t in
            let w = try await base.world(t)
            try await billing.fullPartnership(t, w, mode: "client")
            let other = try await secondPartner(t)
            let response = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                            json: #"{"partner_id":"\#(other.organisationID)","access":"limited","products":\#(base.grantsJSON([w.products[2]]))}"#)
            #expect(response.status == .conflict && response.body.string.contains("VPS backend"), "\(response.body.string)")
            let browser = Browser(t, language: "en")
            try await browser.logIn(w.client.email)
            try await browser.get("/console/orgs/\(w.client.organisationID)/partners/new")
            let page = try await browser.post("/console/orgs/\(w.client.organisationID)/partners",
                                              ["partner_id": other.organisationID, "access": "limited", "technical_\(w.products[2])": "on"])
            #expect(page.status == .unprocessableEntity || page.status == .conflict, "\(page.status)")
            #expect(page.body.string.contains("Already granted to another partner: VPS backend"), "\(page.body.string.prefix(400))")
        }
    }
}
