import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import VaporTesting

/// A step's outcome differed from the reference model (or the model could not follow).
struct Mismatch: Error, CustomStringConvertible {
    let step: Int
    let message: String
    var description: String { "step \(step + 1): \(message)" }
}

/// The running system and the reference model side by side: 4 clients (2 Swiss in CHF, 2 French
/// in EUR) and 2 Swiss partners at random rates. Every step goes through the API (orders,
/// partnerships, top-ups) or the renewal run, is mirrored in the model, and then everything stored
/// is compared with what the model predicts.
final class DifferentialWorld {
    typealias Model = ReferenceModel
    let t: TestApp
    var model: Model
    let clients: [TestApp.Account]
    let partners: [TestApp.Account]
    var labels: [String: String] = [:]
    var refusals = 0
    var step = 0

    static let wallet: Int64 = 5_000_000
    static let lowWater: Int64 = 2_000_000

    init(_ t: TestApp, seed: UInt64) async throws {
        self.t = t
        var rng = SeededGenerator(seed: seed ^ 0x5EED)
        var clientOrgs: [Model.Org] = [], partnerOrgs: [Model.Org] = [], clients: [TestApp.Account] = [], partners: [TestApp.Account] = []
        for (index, country) in ["CH", "CH", "FR", "FR"].enumerated() {
            clients.append(try await t.signUp("c\(index + 1)@diff.test", organisation: "C\(index + 1)", country: country))
            clientOrgs.append(Model.Org(label: "C\(index + 1)", country: country, currency: country == "FR" ? "EUR" : "CHF"))
        }
        var rates: [[Model.Category: Int64]] = []
        for index in 0..<2 {
            let account = try await t.signUp("p\(index + 1)@diff.test", organisation: "P\(index + 1)", country: "CH")
            let id = OrganisationID(string: account.organisationID)!
            try await t.app.partnerHub.partnerships.approvePartner(id, actor: "test", store: t.store)
            var own: [Model.Category: Int64] = [:]
            for category in Model.Category.allCases {
                let rate = Int64.random(in: 0...35, using: &rng) * 100
                own[category] = rate
                try await t.store.setPartnerRate(id, category: ProductCategory(rawValue: category.rawValue)!, rate: BasisPoints(Int(rate)))
            }
            rates.append(own)
            partners.append(account)
            partnerOrgs.append(Model.Org(label: "P\(index + 1)", country: "CH", currency: "CHF"))
        }
        self.clients = clients
        self.partners = partners
        // The partners buy for themselves too: to the model they are clients without a partner.
        model = Model(clients: clientOrgs + partnerOrgs, partners: partnerOrgs, rates: rates)
        for (account, org) in zip(clients + partners, clientOrgs + partnerOrgs) { labels[account.organisationID] = org.label }
        for (account, org) in zip(clients + partners, clientOrgs + partnerOrgs) { try await topUp(account, org, org.currency, Self.wallet) }
        try await compare()
    }

    func fail(_ message: String) -> Mismatch { Mismatch(step: step, message: message) }

    func topUp(_ account: TestApp.Account, _ org: Model.Org, _ currency: String, _ amount: Int64) async throws {
        let response = try await t.send(.POST, "/api/v1/organisations/\(account.organisationID)/wallet/top-ups", token: account.token,
                                        json: #"{"amount":"\#(amount / 100).\#(String(format: "%02d", amount % 100))","currency":"\#(currency)","card_number":"\#(BillingTests.card)"}"#)
        guard response.status == .created else { throw fail("top-up of \(amount) \(currency) for \(org.label): \(response.status) \(response.body.string.prefix(300))") }
        model.wallets[Model.wallet(org, currency), default: 0] += amount
    }

    // MARK: steps

    func run(_ op: DifferentialOp) async throws {
        switch op {
        case .clientOrder(let c, let lines, let card): try await order(client: c, party: .client, lines: lines, card: card)
        case .partnerOrder(let c, let lines, let own): try await order(client: c, party: own ? .partnerWithOwnMeans : .partnerWithClientMeans, lines: lines, card: false)
        case .partnerOwnOrder(let p, let lines): try await order(client: clients.count + p, party: .client, lines: lines, card: false)
        case .terms(let c, let p, let full, let pays, let grants): try await terms(client: c, partner: p, full: full, partnerPays: pays, grantMask: grants)
        case .end(let c): try await end(client: c)
        case .topUp(let c, let amount): try await topUp(clients[c], model.clients[c], model.clients[c].currency, amount)
        case .renew(let days): try await renew(days: days)
        }
        try await compare()
        step += 1
    }

    func order(client c: Int, party: Model.Party, lines: [(Model.Category, Int64)], card: Bool) async throws {
        let buyer = c < clients.count ? clients[c] : partners[c - clients.count]
        let actor = party == .client ? buyer : partners[model.partnerships[c]?.partner ?? 0]
        let means = party == .partnerWithOwnMeans ? #","means":"own""# : party == .partnerWithClientMeans ? #","means":"client""# : ""
        let body = #"{"lines":[\#(lines.map { #"{"category":"\#($0.0.rawValue)","name":"Diff \#($0.0.rawValue)","quantity":\#($0.1)}"# }.joined(separator: ","))]\#(means)}"#
        let path = "/api/v1/organisations/\(buyer.organisationID)"
        let quote = try await t.send(.POST, "\(path)/quotes", token: actor.token, json: body)
        guard let (payer, benefit) = model.decide(client: c, party: party, newOrder: true, product: nil) else {
            // R-B3 "not allowed": refused, and (compared after the step) nothing changed.
            guard (400..<500).contains(quote.status.code) else { throw fail("expected a refusal, got \(quote.status) \(quote.body.string.prefix(300))") }
            refusals += 1
            return
        }
        guard quote.status == .created, let quoteID = (try? t.json(quote) as? [String: Any])?["id"] as? String else {
            throw fail("quote: \(quote.status) \(quote.body.string.prefix(300))")
        }
        let priced = model.price(client: c, lines: lines, payer: payer, benefit: benefit, renewal: false)
        let payerOrg = model.org(payer)
        // R-B11: a card never pays the partner's invoice for a client's order; R-B5: a wallet
        // payment it cannot cover is refused.
        let refused = card ? payer != .client(c) : model.wallets[Model.wallet(payerOrg, priced.currency), default: 0] < model.total(priced).total
        let payment = card ? #""payment_method":"card","card_number":"\#(BillingTests.card)""# : #""payment_method":"wallet""#
        let placed = try await t.send(.POST, "\(path)/orders", token: actor.token, json: #"{"quote_id":"\#(quoteID)",\#(payment)}"#)
        if refused {
            guard (400..<500).contains(placed.status.code) else { throw fail("expected a refused payment, got \(placed.status)") }
            refusals += 1
            return
        }
        guard placed.status == .created, let ids = (try? t.json(placed) as? [String: Any])?["product_ids"] as? [[String]] else {
            throw fail("order: \(placed.status) \(placed.body.string.prefix(300))")
        }
        model.record(priced, client: c, kind: "order", paidFromWallet: !card)
        let due = Model.month(after: t.clock.now())
        for (line, products) in zip(lines, ids) {
            model.products += products.map { Model.Product(id: $0.lowercased(), client: c, category: line.0, renewsAt: due) }
        }
    }

    func activePartnership(_ c: Int) async throws -> String {
        guard let listing = try await t.store.partnerships(client: OrganisationID(string: clients[c].organisationID)!).first(where: { $0.partnership.state == .active })
        else { throw fail("C\(c + 1) has no active partnership") }
        return listing.partnership.id.string
    }

    func terms(client c: Int, partner p: Int, full: Bool, partnerPays: Bool, grantMask: UInt64) async throws {
        let owned = model.products.filter { $0.client == c }.map(\.id)
        var grants = owned.enumerated().filter { grantMask & (1 << UInt64($0.offset % 64)) != 0 }.map(\.element)
        if grants.isEmpty, let first = owned.first { grants = [first] }
        // Limited access needs a product to grant; without one the step asks for full access.
        let full = full || grants.isEmpty
        let products = "[" + grants.map { #"{"product_id":"\#($0)","technical":true,"statistics":false}"# }.joined(separator: ",") + "]"
        let terms = full ? #""access":"full","payment_mode":"\#(partnerPays ? "partner" : "client")""# : #""access":"limited","products":\#(products)"#
        let path = "/api/v1/organisations/\(clients[c].organisationID)"
        let partner: Int
        if let existing = model.partnerships[c] {
            partner = existing.partner
            let changed = try await t.send(.PATCH, "\(path)/partnerships/\(try await activePartnership(c))", token: clients[c].token, json: "{\(terms)}")
            guard changed.status == .ok else { throw fail("new terms: \(changed.status) \(changed.body.string.prefix(300))") }
        } else {
            partner = p
            let address = EmailAddress(partners[p].email)!
            let earlier = Set(try await t.store.outbox(recipient: address).map(\.body))
            let invited = try await t.send(.POST, "\(path)/partners", token: clients[c].token, json: #"{"partner_id":"\#(partners[p].organisationID)",\#(terms)}"#)
            guard invited.status == .created else { throw fail("invitation: \(invited.status) \(invited.body.string.prefix(300))") }
            // The invitation's own mail (several may carry the same time on the test clock).
            guard let mail = try await t.store.outbox(recipient: address).first(where: { !earlier.contains($0.body) && $0.body.contains("/partnerships/") }),
                  let range = mail.body.range(of: #"/partnerships/[A-Za-z0-9_-]+"#, options: .regularExpression) else { throw fail("no invitation mail") }
            let token = String(mail.body[range].dropFirst("/partnerships/".count))
            let accepted = try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: partners[p].token, json: #"{"token":"\#(token)"}"#)
            guard accepted.status == .ok else { throw fail("acceptance: \(accepted.status) \(accepted.body.string.prefix(300))") }
        }
        model.partnerships[c] = Model.Partnership(partner: partner, full: full, partnerPays: full && partnerPays, grants: full ? [] : Set(grants))
        try await fillPartnerWallet(partner, currency: model.clients[c].currency)
    }

    /// A partner may top up in a managed client's currency (R-B5): done while it manages one.
    func fillPartnerWallet(_ p: Int, currency: String) async throws {
        if model.wallets[Model.wallet(model.partners[p], currency), default: 0] < Self.lowWater {
            try await topUp(partners[p], model.partners[p], currency, Self.wallet)
        }
    }

    func end(client c: Int) async throws {
        guard model.partnerships[c] != nil else { return }
        let ended = try await t.send(.POST, "/api/v1/organisations/\(clients[c].organisationID)/partnerships/\(try await activePartnership(c))/end",
                                     token: clients[c].token, json: #"{"password":"\#(TestApp.password)"}"#)
        guard ended.status == .noContent else { throw fail("end: \(ended.status) \(ended.body.string.prefix(300))") }
        model.partnerships[c] = nil
    }

    func renew(days: Int) async throws {
        // Wallets stay full enough that every renewal is paid (the model does not follow grace periods).
        for (c, account) in clients.enumerated() where model.wallets[Model.wallet(model.clients[c], model.clients[c].currency), default: 0] < Self.lowWater {
            try await topUp(account, model.clients[c], model.clients[c].currency, Self.wallet)
        }
        for p in partners.indices {
            try await fillPartnerWallet(p, currency: "CHF")
            for (c, partnership) in model.partnerships where partnership.partner == p { try await fillPartnerWallet(p, currency: model.clients[c].currency) }
        }
        t.clock.advance(TimeInterval(days) * 86_400)
        let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
        let before = model.renewals
        guard model.renew(until: t.clock.now()) else { throw fail("the model met a renewal its payer could not pay") }
        guard report.renewed == model.renewals - before, report.failed == 0, report.inGrace == 0 else {
            throw fail("renewal run: \(report.renewed) renewed, \(report.failed) failed, \(report.inGrace) in grace; the model renewed \(model.renewals - before)")
        }
    }
}
