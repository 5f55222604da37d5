import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-B11: who spends the partner's money, what the client sees of it, and limits that hold when
/// two orders race for the last francs.
@Suite("R-B11 spending the partner's money")
struct SpendingTests {
    let money = MoneyAuthorityTests()
    let billing = BillingTests()
    static let vps = #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]}"#

    func quote(_ t: TestApp, _ who: TestApp.Account, _ client: String, _ body: String = SpendingTests.vps) async throws -> [String: Any] {
        let response = try await t.send(.POST, "/api/v1/organisations/\(client)/quotes", token: who.token, json: body)
        try #require(response.status == .created, "\(response.body.string)")
        return try #require(try t.json(response) as? [String: Any])
    }

    func order(_ t: TestApp, _ who: TestApp.Account, _ client: String, _ quote: [String: Any]) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/organisations/\(client)/orders", token: who.token,
                         json: #"{"quote_id":"\#(quote["id"] as? String ?? "")","payment_method":"wallet"}"#)
    }

    func setRule(_ t: TestApp, _ w: PartnershipTests.World, _ partnership: String, _ body: String) async throws {
        let response = try await t.send(.PUT, "/api/v1/organisations/\(w.partner.organisationID)/clients/\(partnership)/spending", token: w.partner.token, json: body)
        try #require(response.status == .ok, "\(response.body.string)")
    }

    /// What the partner pays for one VPS it orders for the client itself, as its own quote shows it (net).
    func partnerNet(_ t: TestApp, _ w: PartnershipTests.World) async throws -> Int64 {
        let q = try await quote(t, w.partner, w.client.organisationID)
        return try #require(billing.minor((q["totals"] as? [String: Any])?["net"]))
    }

    /// Places one client order for a VPS (the rule still "direct") and returns what it cost the
    /// partner (net), as the partner's order list shows it: the amount the client's limit counts.
    func firstClientOrder(_ t: TestApp, _ w: PartnershipTests.World) async throws -> Int64 {
        try #require(try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID)).status == .created)
        let orders = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.partner.token))
            as? [[String: Any]])
        #expect(orders.count == 1 && orders.first?["payer"] as? String == "partner")
        return try #require(billing.minor(orders.first?["net"]))
    }

    @Test("R-B11 the client sees public prices only: no preferential price, discount, cashback, tier or the partner's invoice; the partner sees them")
    func disclosure() async throws {
        try await TestApp.with { t in
            let (w, _, _) = try await money.assignedEmployee(t, mode: "partner")
            let seen = try await quote(t, w.client, w.client.organisationID)
            #expect(seen["payer"] as? String == "partner")
            let line = try #require((seen["lines"] as? [[String: Any]])?.first)
            for hidden in ["charged", "preferential_price", "cashback", "tier_count"] { #expect(line[hidden] is NSNull, "\(hidden)") }
            #expect(seen["cashback"] is NSNull && seen["totals"] is NSNull)
            #expect((line["steps"] as? [[String: Any]])?.map { $0["step"] as? String } == ["list"])
            #expect(billing.minor(line["public_price"]) == billing.minor(line["unit_price"]), "one VPS at its list price")
            let partners = try await quote(t, w.partner, w.client.organisationID)
            let partnerLine = try #require((partners["lines"] as? [[String: Any]])?.first)
            #expect(billing.minor(partnerLine["charged"]) != nil && billing.minor(partners["cashback"]) != nil && partners["totals"] is [String: Any])
            // The order the client places shows the same; its e-mail names who pays, not the price.
            let placed = try await order(t, w.client, w.client.organisationID, seen)
            #expect(placed.status == .created, "\(placed.body.string)")
            let order = try #require(try t.json(placed) as? [String: Any])
            #expect(order["net"] is NSNull && order["invoice_number"] is NSNull)
            let mail = try #require(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).first { $0.subject.contains("placed") })
            #expect(mail.body.contains("Partner GmbH") && !mail.body.contains("CHF"))
            // The console's quote page: no means to choose, no partner price.
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            try await browser.get("/console/orgs/\(w.client.organisationID)/order")
            let page = try await browser.post("/console/orgs/\(w.client.organisationID)/order/quote", ["category": "vps", "name": "VPS", "quantity": "1"])
            #expect(page.body.string.contains("pays for this order") && !page.body.string.contains("name=\"card_number\""), "\(page.status)")
        }
    }

    @Test("R-B11 approval: the client's order waits (nothing charged, both sides e-mailed); the partner approves at today's price once, or declines")
    func approval() async throws {
        try await TestApp.with { t in
            let (w, _, partnership) = try await money.assignedEmployee(t, mode: "partner")
            try await setRule(t, w, partnership, #"{"mode":"approval"}"#)
            let before = try await billing.balance(t, w.partner)
            let asked = try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID))
            #expect(asked.status == .accepted, "\(asked.body.string)")
            let request = try #require((try t.json(asked) as? [String: Any])?["id"] as? String)
            #expect(try await billing.balance(t, w.partner) == before)
            #expect(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).contains { $0.subject.contains("asks to order") })
            #expect(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).contains { $0.subject.contains("waits for Partner GmbH") })
            // The client cannot approve its own request (the partner's money: R-O5 billing of the partner).
            let path = "/api/v1/organisations/\(w.partner.organisationID)/order-requests/\(request)"
            #expect(try await t.send(.POST, path + "/approve", token: w.client.token, json: "{}").status == .notFound)
            // A price other than the one shown is refused; the right one orders.
            #expect(try await t.send(.POST, path + "/approve", token: w.partner.token, json: #"{"expected_total_minor":1}"#).status == .conflict)
            let approved = try await t.send(.POST, path + "/approve", token: w.partner.token, json: "{}")
            #expect(approved.status == .created, "\(approved.body.string)")
            let placed = try #require(try t.json(approved) as? [String: Any])
            #expect(placed["payer"] as? String == "partner" && placed["party"] as? String == "client" && placed["organisation_id"] as? String == w.client.organisationID)
            #expect(try await billing.balance(t, w.partner) < before, "paid from the partner's wallet")
            #expect(try await t.send(.POST, path + "/approve", token: w.partner.token, json: "{}").status == .conflict, "approved once")
            #expect(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).contains { $0.subject.contains("approved your order") })
            // A second request, declined: nothing charged, the client told.
            let second = try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID))
            let other = try #require((try t.json(second) as? [String: Any])?["id"] as? String)
            let afterFirst = try await billing.balance(t, w.partner)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/order-requests/\(other)/decline", token: w.partner.token).status == .noContent)
            #expect(try await billing.balance(t, w.partner) == afterFirst)
            #expect(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).contains { $0.subject.contains("declined your order") })
        }
    }

    @Test("R-B11 monthly limit: below and exactly at it the order is placed, above it waits for approval; a new month starts again", arguments: [0, -1])
    func monthlyLimit(offset: Int64) async throws {
        try await TestApp.with { t in
            let (w, _, partnership) = try await money.assignedEmployee(t, mode: "partner")
            let net = try await firstClientOrder(t, w)
            // Two orders' worth (one is spent already), or one minor unit less.
            try await setRule(t, w, partnership, #"{"mode":"monthly_limit","limit_minor":\#(2 * net + offset)}"#)
            let second = try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID))
            #expect(second.status == (offset == 0 ? .created : .accepted), "exactly at the limit is within it; one unit over is not")
            #expect(try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID)).status == .accepted, "above")
            t.clock.advance(32 * 86_400)
            #expect(try await order(t, w.client, w.client.organisationID, try await quote(t, w.client, w.client.organisationID)).status == .created, "next month")
        }
    }

    @Test("R-B11 two client orders racing for the last francs of a limit: one is placed, the other waits")
    func clientRace() async throws {
        try await TestApp.with { t in
            let (w, _, partnership) = try await money.assignedEmployee(t, mode: "partner")
            let net = try await firstClientOrder(t, w)
            // Room for exactly one more.
            try await setRule(t, w, partnership, #"{"mode":"monthly_limit","limit_minor":\#(2 * net)}"#)
            let a = try await quote(t, w.client, w.client.organisationID), b = try await quote(t, w.client, w.client.organisationID)
            async let first = order(t, w.client, w.client.organisationID, a)
            async let second = order(t, w.client, w.client.organisationID, b)
            let statuses = [try await first.status, try await second.status]
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .accepted }.count == 1, "\(statuses)")
        }
    }

    @Test("R-B11/R-O2 an employee orders for an assigned client only with a legal representative's limit; over it 409; racing for the last francs one wins")
    func employeeLimit() async throws {
        try await TestApp.with { t in
            let (w, carla, _) = try await money.assignedEmployee(t, mode: "partner")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: carla.token, json: Self.vps).status == .forbidden)
            let net = try await partnerNet(t, w)
            let members = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/members", token: w.partner.token))
                as? [[String: Any]])
            let membership = try #require(members.first { $0["email"] as? String == carla.email }?["id"] as? String)
            let grant = "/api/v1/organisations/\(w.partner.organisationID)/members/\(membership)/spending"
            // Only a legal representative grants it (R-O2): an admin is told no.
            let ada = try await t.addMember(to: w.partner, email: "ada@partner.test", role: "admin")
            #expect(try await t.send(.PUT, grant, token: ada.token, json: #"{"limit_minor":\#(net)}"#).status == .forbidden)
            #expect(try await t.send(.PUT, grant, token: w.partner.token, json: #"{"limit_minor":\#(net)}"#).status == .ok)
            // Never with the client's means.
            let clientMeans = #"{"lines":[{"category":"vps","name":"VPS","quantity":1}],"means":"client"}"#
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: carla.token, json: clientMeans).status == .forbidden)
            let form = Browser(t)
            try await form.logIn(carla.email)
            let page = try await form.get("/console/orgs/\(w.client.organisationID)/order")
            #expect(page.status == .ok && page.body.string.contains("value=\"own\"") && !page.body.string.contains("value=\"client\""),
                    "her order form offers the partner's money only")
            let a = try await quote(t, carla, w.client.organisationID), b = try await quote(t, carla, w.client.organisationID)
            #expect(a["payer"] as? String == "partner")
            async let first = order(t, carla, w.client.organisationID, a)
            async let second = order(t, carla, w.client.organisationID, b)
            let statuses = [try await first.status, try await second.status]
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
            // The legal representatives and admins hear of the employee's order.
            #expect(try await t.store.outbox(recipient: EmailAddress(ada.email)!).contains { $0.subject.contains("Client AG") })
            // Ended: she may not order any more.
            #expect(try await t.send(.PUT, grant, token: w.partner.token, json: #"{"limit_minor":null}"#).status == .ok)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/quotes", token: carla.token, json: Self.vps).status == .forbidden)
        }
    }

    @Test("R-B11 nor in the client's dashboard, activity or card: the partner's amounts stay in its trail; the client's card never pays the partner; a retry gets the same 202")
    func clientSeesNoPartnerMoney() async throws {
        try await TestApp.with { t in
            let (w, _, partnership) = try await money.assignedEmployee(t, mode: "partner")
            let partnerQuote = try await quote(t, w.partner, w.client.organisationID)
            let charged = try #require(billing.minor((partnerQuote["lines"] as? [[String: Any]])?.first?["charged"]))
            #expect(try await order(t, w.partner, w.client.organisationID, partnerQuote).status == .created)
            let shown = MoneyFormat.display(Money(minorUnits: charged, currency: .chf), language: .en)
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            let dashboard = try await browser.get("/console/orgs/\(w.client.organisationID)")
            #expect(dashboard.status == .ok && !dashboard.body.string.contains(shown), "the partner's price \(shown) is not on the client's dashboard")
            let trail = try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/audit-events", token: w.client.token)
            #expect(trail.status == .ok && !trail.body.string.contains("\\\"net\\\"") && !trail.body.string.contains("\\\"invoice\\\""), "\(trail.body.string.prefix(300))")
            let partnerTrail = try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/audit-events", token: w.partner.token)
            #expect(partnerTrail.body.string.contains("order.placed_for_client"))
            // The client's card never pays the partner's invoice.
            let byCard = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.client.token,
                                          json: #"{"quote_id":"\#(try await quote(t, w.client, w.client.organisationID)["id"] as? String ?? "")","payment_method":"card","card_number":"4242424242424242"}"#)
            #expect(byCard.status == .unprocessableEntity && byCard.body.string.contains("payment_method"))
            // Under approval, a retry with the same key answers the same request, not "quote used".
            try await setRule(t, w, partnership, #"{"mode":"approval"}"#)
            let q = try await quote(t, w.client, w.client.organisationID)
            let body = #"{"quote_id":"\#(q["id"] as? String ?? "")","payment_method":"wallet"}"#
            let first = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.client.token, json: body, headers: [("Idempotency-Key", "retry-1")])
            let again = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/orders", token: w.client.token, json: body, headers: [("Idempotency-Key", "retry-1")])
            #expect(first.status == .accepted && again.status == .accepted && again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect((try t.json(first) as? [String: Any])?["id"] as? String == (try t.json(again) as? [String: Any])?["id"] as? String)
        }
    }
}
