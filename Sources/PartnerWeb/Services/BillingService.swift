import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// The price shown before confirming is the price charged: a confirmation whose quote no longer
/// matches (expired, catalogue edited, tier count or partnership changed) gets this, carrying a
/// fresh quote (answered as 409).
struct StaleQuote: Error {
    let fresh: BillingService.Quote
}

/// Orders, renewals, the prepaid wallet and invoices (R-B2 … R-B8). Facts are gathered here;
/// R-B3 (`BillingRules.decide`), pricing (`OrderPricing`), VAT (`InvoiceTotals`) and the ledger
/// rule (`Ledger`) are PartnerCore's. Every money change is one transaction with its audit events.
struct BillingService: Sendable {
    let clock: any Clock
    let payments: any PaymentProvider
    let baseURL: String

    static let quoteLifetime: TimeInterval = 15 * 60
    /// A top-up above this is refused as a likely typo (choice).
    static let maximumTopUp: Int64 = 10_000_000

    /// What was asked: new products, or the renewal of one; `means` lets a partner choose whose
    /// means pay ("client" or "own"; by default its own in payment mode `partner`).
    struct OrderInput: Codable, Sendable, Equatable {
        var lines: [LineRequest]
        var renew: ProductID?
        var means: String?
    }

    struct Quote: Codable, Sendable, Equatable {
        let id: QuoteID
        let input: OrderInput
        let clientID: OrganisationID
        let partnershipID: PartnershipID?
        let partnerID: OrganisationID?
        let payerID: OrganisationID
        let party: OrderingParty
        let kind: OrderKind
        let priced: PricedOrder
        let totals: InvoiceTotals
        let expiresAt: Date
    }

    /// Who acts for which client, under which partnership, and what R-B3 answered.
    struct Situation: Sendable {
        let client: Organisation
        let kind: OrderKind
        let party: OrderingParty
        let partnership: Partnership?
        let product: Product?
        let lines: [LineRequest]
        let payer: Organisation
        let answer: (payer: Payer, benefit: PartnerBenefit, row: Int)
    }

    // MARK: who acts, who pays (R-P10, R-B3)

    /// A user orders or renews (the renewal run gathers its facts in bulk: `renewalSituation`).
    func situation(user: User, client clientID: OrganisationID, input: OrderInput, store: Store) async throws -> Situation {
        let now = clock.now()
        // Who asks before what is asked (R-P10): someone who cannot reach the client learns
        // nothing of its products, not even whether one exists.
        let access = try await store.clientAccess(user: user.id, organisation: clientID)
        guard access.reachesOrganisation(now: now), let client = try await store.organisation(id: clientID) else { throw AppError.notFound }
        var product: Product? = nil
        if let id = input.renew {
            guard let p = try await store.product(id), p.organisationID == clientID else { throw AppError.notFound }
            guard p.billing != nil else { throw AppError.validation([FieldError("renew_product_id", .invalidValue)]) }
            product = p
        }
        let kind: OrderKind = product == nil ? .newOrder : .renewal
        let lines = try product.map { [LineRequest(category: $0.category, name: $0.name, quantity: 1)] } ?? validated(input.lines)

        let listings = try await store.partnerships(client: clientID).map(\.partnership).filter { $0.state == .active }
        var party: OrderingParty
        var governing: Partnership?
        var manages = false
        if let member = access.clientMembership {
            // The client's own member orders as the client (R-B3 party); the policy answers for
            // that standing alone, since the route's answer may rest on a partner standing (R-O5).
            guard Policy.decide(.order, Actor(kind: .user, membership: member.role), now: now).isAllowed else { throw AppError.forbidden("policy.refused.role") }
            party = .client
            (governing, manages) = Self.governing(listings, product: product, now: now)
        } else {
            // Partner users: R-P9 must let them see the client at all; otherwise 404.
            guard let side = access.partnerSides.first(where: { AccessRules.seesClient($0, now: now) }) else { throw AppError.notFound }
            // R-O5 let this user order for the client (the route's `order` action); an employee
            // only because a legal representative let them spend the partner's money (R-B11) —
            // never the client's: their orders are the partner's, against their own limit.
            let spendsOwnOnly = RoleRules.permission(side.role, .orderAndRenew) != .whole
            if spendsOwnOnly && input.means == "client" { throw AppError.forbidden("spending.employee_client_means") }
            governing = listings.first { $0.id == side.partnership }
            let action: ProductAction = kind == .newOrder ? .order : .renew
            manages = side.access == .full || AccessRules.decide(action, facts: access.facts(for: product?.id ?? Self.noProduct), now: now).isAllowed
            switch input.means {
            case "own": party = .partnerWithOwnMeans
            case "client": party = .partnerWithClientMeans
            case nil, "": party = spendsOwnOnly || (side.access == .full && side.paymentMode == .partner) ? .partnerWithOwnMeans : .partnerWithClientMeans
            default: throw AppError.validation([FieldError("means", .invalidValue)])
            }
        }
        let partner = try await governing.asyncMap { try await store.organisation(id: $0.partnerID) } ?? nil
        return try Self.decide(client: client, kind: kind, party: party, governing: governing, partner: partner, manages: manages, product: product, lines: lines)
    }

    /// R-B3 on gathered facts: who pays and what the partner earns, or a clear refusal.
    static func decide(client: Organisation, kind: OrderKind, party: OrderingParty, governing: Partnership?, partner: Organisation?, manages: Bool,
                       product: Product?, lines: [LineRequest]) throws -> Situation {
        let terms = governing.map { PartnershipTerms(state: $0.state, access: $0.access, paymentMode: $0.paymentMode) }
        switch BillingRules.decide(BillingQuestion(partnership: terms, party: party, kind: kind, partnerManagesProduct: manages)) {
        case .notAllowed(let reason):
            throw AppError.forbidden("billing.not_allowed.\(reason.rawValue)")
        case .allowed(let payer, let benefit, let row):
            let payerOrganisation = payer == .client ? client : partner ?? client
            return Situation(client: client, kind: kind, party: party, partnership: benefit == .none ? nil : governing, product: product,
                             lines: lines, payer: payerOrganisation, answer: (payer, benefit, row))
        }
    }

    /// A placeholder product for "a new order" in the access decision: no grant names it.
    static let noProduct = ProductID(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))

    /// The client-side partnership R-B3 looks at: a limited partnership that was granted the
    /// product (the explicit grant is the more specific one), else the full-access partnership
    /// (it manages every product, R-P10 b), else none. Time-bound grants past their end count as none.
    static func governing(_ active: [Partnership], product: Product?, now: Date) -> (Partnership?, Bool) {
        let current = active.filter { $0.endsAt.map { now < $0 } ?? true }
        if let product, let limited = current.first(where: { $0.access == .limited && $0.grants.contains { $0.product == product.id } }) {
            return (limited, true)
        }
        if let full = current.first(where: { $0.access == .full }) { return (full, true) }
        // A limited partnership that does not manage this (or a new) product: row 9.
        return (current.first, false)
    }

    // MARK: pricing and quotes (R-B2, R-B4)

    /// `catalogue`, `counts` and `rates`: the renewal run reads them once a batch for every
    /// product in it and keeps each payer's hosting counts itself.
    func price(_ situation: Situation, store: Store, catalogue: PriceList? = nil, counts known: [ProductCategory: Int64]? = nil,
               rates knownRates: PartnerRates? = nil) async throws -> (PricedOrder, InvoiceTotals) {
        let list: PriceList
        if let catalogue { list = catalogue } else { list = try await store.priceList() }
        var counts: [ProductCategory: Int64]
        if let known {
            counts = known
        } else {
            counts = try await store.tierCounts(payers: [situation.payer.id], categories: Set(situation.lines.map(\.category)), now: clock.now())[situation.payer.id] ?? [:]
        }
        let rates: PartnerRates
        if let knownRates { rates = knownRates } else { rates = try await situation.partnership.asyncMap { try await store.partnerRates($0.partnerID) } ?? PartnerRates([:]) }
        // R-B4: a renewed product that is active or in grace is already among the payer's
        // hostings (today's partnerships make this payer pay it), so it is counted once, as the
        // unit being priced.
        if let product = situation.product, product.renewing != nil {
            counts[product.category] = max(0, (counts[product.category] ?? 1) - 1)
        }
        do {
            let priced = try OrderPricing.price(situation.lines, currency: situation.client.currency, payer: situation.answer.payer,
                                                benefit: situation.answer.benefit, row: situation.answer.row, partnerRates: rates,
                                                existingCounts: counts, list: list)
            let totals = try InvoiceTotals(lineNets: priced.lines.map(\.charged), currency: priced.currency, country: situation.payer.country)
            return (priced, totals)
        } catch {
            throw AppError.validation([FieldError("lines", .invalidValue)])
        }
    }

    func quote(user: User, client: OrganisationID, input: OrderInput, store: Store) async throws -> Quote {
        let situation = try await situation(user: user, client: client, input: input, store: store)
        try await reserve("quotes:\(client.string)", limit: Limits.quotesPerOrganisationPerHour, field: "lines", store: store)
        return try await storeQuote(situation, user: user, input: input, store: store)
    }

    private func storeQuote(_ situation: Situation, user: User, input: OrderInput, store: Store) async throws -> Quote {
        let (priced, totals) = try await price(situation, store: store)
        let now = clock.now()
        let id = QuoteID(UUID())
        let quote = Quote(id: id, input: input, clientID: situation.client.id, partnershipID: situation.partnership?.id,
                          partnerID: situation.partnership?.partnerID, payerID: situation.payer.id, party: situation.party, kind: situation.kind,
                          priced: priced, totals: totals, expiresAt: now.addingTimeInterval(Self.quoteLifetime))
        let payload = String(decoding: try JSONEncoder().encode(quote), as: UTF8.self)
        try await store.write { tx in
            try await tx.createQuote(id, organisation: situation.client.id, user: user.id, payload: payload, catalogueVersion: priced.catalogueVersion,
                                     now: now, expiresAt: quote.expiresAt)
        }
        return quote
    }

    // MARK: "what would I earn" (beyond the seed)

    /// One product's next renewal priced both ways: mode `client` (the client pays the public
    /// price, the partner receives the cashback) and mode `partner` (the partner pays its
    /// preferential price, with the tier counted over the hostings the partner pays for).
    struct WhatIf: Sendable {
        let product: Product
        let clientMode: PricedLine
        let partnerMode: PricedLine
    }

    func whatIf(client: Organisation, partner: OrganisationID, products: [Product], store: Store) async throws -> [WhatIf] {
        let list = try await store.priceList()
        let rates = try await store.partnerRates(partner)
        let facts = try await store.tierFacts(payers: [client.id, partner], categories: Set(products.map(\.category)), now: clock.now())
        // R-B4 as if this client's full partnership with `partner` were in each payment mode:
        // its products (those no limited partnership manages) move between the two counts.
        func counts(_ mode: PaymentMode, for payer: OrganisationID) -> [ProductCategory: Int64] {
            TierCount.counts(for: payer, facts.map { f in
                guard f.client == client.id else { return f }
                return TierCount.Facts(client: f.client, category: f.category, fullPartner: partner, fullPaymentMode: mode,
                                       grantedToLimited: f.grantedToLimited, count: f.count)
            })
        }
        let clientCounts = counts(.client, for: client.id), partnerCounts = counts(.partner, for: partner)
        return try products.filter { $0.status != "cancelled" }.map { product in
            let line = LineRequest(category: product.category, name: product.name, quantity: 1)
            // A product that renews is counted already (R-B4 counts billed ones only); any other
            // would be one more.
            let extra: Int64 = product.renewing == nil ? 1 : 0
            let asClient = (clientCounts[product.category] ?? 0) + extra
            let asPartner = (partnerCounts[product.category] ?? 0) + extra
            return WhatIf(product: product,
                          clientMode: try OrderPricing.price(line, currency: client.currency, benefit: .cashback, partnerRate: rates.rate(product.category),
                                                             tierCount: max(1, asClient), list: list),
                          partnerMode: try OrderPricing.price(line, currency: client.currency, benefit: .discount, partnerRate: rates.rate(product.category),
                                                              tierCount: max(1, asPartner), list: list))
        }
    }

    // MARK: confirming (the order)

    struct Idempotency: Sendable {
        let key: String
        let fingerprint: String
    }

    /// Confirms a quote: re-prices it, and if nothing changed charges the payer (wallet or card),
    /// creates or renews the products, records the order, issues the invoice and credits the
    /// cashback — all in one transaction. A card charge whose transaction fails is refunded.
    func confirm(user: User, client: OrganisationID, quoteID: QuoteID, method: PaymentMethod, card: String?,
                 idempotency: Idempotency?, store: Store) async throws -> Order {
        guard let stored = try await store.quote(quoteID, organisation: client, user: user.id),
              let quote = try? JSONDecoder().decode(Quote.self, from: Data(stored.payload.utf8)) else { throw AppError.notFound }
        if stored.usedAt != nil { throw AppError.refused("billing.quote_used") }
        let situation = try await situation(user: user, client: client, input: quote.input, store: store)
        let (priced, totals) = try await price(situation, store: store)
        let now = clock.now()
        if now >= stored.expiresAt || priced != quote.priced || totals != quote.totals || situation.payer.id != quote.payerID {
            throw StaleQuote(fresh: try await storeQuote(situation, user: user, input: quote.input, store: store))
        }
        // R-B11: the partner's wallet pays for the client's own order on its money; the client's
        // card never pays the partner's invoice.
        if method == .card, situation.party == .client, situation.answer.payer == .partner, situation.payer.id != client {
            throw AppError.validation([FieldError("payment_method", .invalidValue)])
        }
        if method == .card, (card ?? "").isEmpty { throw AppError.validation([FieldError("card_number", .required)]) }
        // R-H1: a card number is digits and spaces, whether or not this order pays by card.
        if let card, !card.utf8.allSatisfy({ ASCIIDecimal.isDigit($0) || $0 == UInt8(ascii: " ") }) || card.utf8.count > 40 {
            throw AppError.validation([FieldError("card_number", .invalidValue)])
        }
        try await reserve("orders:\(client.string)", limit: Limits.ordersPerOrganisationPerHour, field: "quote_id", store: store)
        var chargeID: String? = nil
        if method == .card {
            do { chargeID = try await payments.charge(totals.total, card: card ?? "", reference: "quote:\(quoteID.string)") } catch is PaymentDeclined {
                throw AppError.validation([FieldError("card_number", .declined)])
            }
        }
        let gate = try await spendingGate(situation, actor: user, store: store)
        do {
            return try await record(situation, priced: priced, totals: totals, actor: user, method: method, quoteID: quoteID, idempotency: idempotency,
                                    gate: gate, input: quote.input, store: store)
        } catch {
            if let chargeID { try? await payments.refund(chargeID: chargeID) }
            throw Self.mapped(error)
        }
    }

    static func mapped(_ error: any Error) -> any Error {
        switch error {
        case BillingStoreError.insufficientFunds: return AppError.validation([FieldError("payment_method", .insufficientFunds)])
        case BillingStoreError.quoteUsed: return AppError.refused("billing.quote_used")
        default: return error
        }
    }

    /// The transaction of one order or renewal placed by a user (`actor == nil`: the renewal
    /// run). All or nothing: a payment the wallet cannot cover writes nothing.
    /// `gate`: the R-B11 limit the order counts against, checked in this transaction; an order
    /// over it waits for the partner's approval (`AwaitingApproval`) or is refused.
    func record(_ s: Situation, priced: PricedOrder, totals: InvoiceTotals, actor: User?, method: PaymentMethod, quoteID: QuoteID?,
                idempotency: Idempotency?, gate: SpendingGate? = nil, input: OrderInput? = nil, store: Store) async throws -> Order {
        let pending = PendingOrder(situation: s, priced: priced, totals: totals, actor: actor, method: method, quoteID: quoteID, idempotency: idempotency)
        enum Result: Sendable { case order(Order), awaiting(ApprovalRequest) }
        let result = try await store.write { tx -> Result in
            if let gate, let actor {
                let asked = input ?? OrderInput(lines: s.lines, renew: s.product?.id, means: nil)
                if case .awaitingApproval(let request) = try await passGate(gate, s, priced: priced, actor: actor, input: asked, quoteID: quoteID,
                                                                            idempotency: idempotency, tx: tx) {
                    return .awaiting(request)
                }
            }
            switch try await write([pending], store: tx)[0] {
            case .recorded(let order): return .order(order)
            case .unpaid(let balance): throw BillingStoreError.insufficientFunds(balance: balance)
            case .renewedElsewhere: throw AppError.refused("billing.already_renewed")
            }
        }
        switch result {
        case .order(let order): return order
        case .awaiting(let request): throw AwaitingApproval(request: request)
        }
    }

    /// R-B6: numbering restarts each calendar year (UTC).
    static func year(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.component(.year, from: date)
    }

    /// R-B6: an invoice line says how its amount came about.
    static func invoiceLine(_ line: PricedLine) -> InvoiceLine {
        let explanation = line.steps.map { step -> String in
            switch step.step {
            case .list: return "list \(MoneyFormat.plain(step.amount))"
            case .partnerDiscount: return "partner −\(step.rate) \(MoneyFormat.plain(step.amount))"
            case .tierDiscount: return "tier −\(step.rate) \(MoneyFormat.plain(step.amount))"
            case .preferentialPrice: return "preferential price \(MoneyFormat.plain(step.amount))"
            }
        }.joined(separator: "; ")
        return InvoiceLine(description: "\(line.name) (\(line.category.rawValue), \(line.period.rawValue))", quantity: line.quantity,
                           unitPrice: line.unitPrice, explanation: explanation, net: line.charged)
    }

    // MARK: wallet (R-B5)

    /// The currencies of the clients a partner manages now (R-B5: what its wallet may pay in).
    func managedClientCurrencies(_ partner: OrganisationID, store: Store) async throws -> [Currency] {
        let clients = try await store.clientListings(partner: partner, onlyAssignedTo: nil).filter { $0.partnership.state == .active }.compactMap(\.partnership.clientID)
        return try await store.organisations(ids: Set(clients)).values.map(\.currency)  // one query, however many clients
    }

    func topUp(_ context: OrganisationContext, user: User, amount rawAmount: String, currency rawCurrency: String?, card: String,
               idempotency: Idempotency?, store: Store) async throws -> LedgerEntry {
        // Who may: the route's action (R-O5 billing).
        let organisation = try await store.organisation(context)
        var errors = ValidationErrors()
        let currency = rawCurrency.flatMap { $0.isEmpty ? nil : Currency(rawValue: $0.uppercased()) } ?? (rawCurrency?.isEmpty == false ? nil : organisation.currency)
        if currency == nil { errors.add("currency", .invalidCurrency) }
        if let currency, currency != organisation.currency,
           !WalletRules.mayTopUp(currency, own: organisation.currency, managedClients: try await managedClientCurrencies(organisation.id, store: store)) {
            errors.add("currency", .currencyNotSpendable)
        }
        let minor = MoneyFormat.parseAmount(rawAmount)
        if (minor ?? 0) <= 0 || (minor ?? 0) > Self.maximumTopUp { errors.add("amount", rawAmount.isEmpty ? .required : .invalidValue) }
        if card.isEmpty { errors.add("card_number", .required) }
        guard errors.isEmpty, let minor, let currency else { throw AppError.validation(errors.errors) }
        let amount = Money(minorUnits: minor, currency: currency)
        let chargeID: String
        do { chargeID = try await payments.charge(amount, card: card, reference: "top-up:\(context.organisationID.string)") } catch is PaymentDeclined {
            throw AppError.validation([FieldError("card_number", .declined)])
        }
        let now = clock.now()
        do {
            let entryID = LedgerEntryID(UUID())
            return try await store.write { tx in
                if let idempotency {
                    try await tx.saveIdempotentResponse(organisation: context.organisationID, key: idempotency.key,
                                                        response: .init(fingerprint: idempotency.fingerprint, status: 201, body: entryID.string), now: now)
                }
                let entry = try await tx.postLedger(context.organisationID, kind: .topUp, amount: amount, key: "top-up:\(chargeID)", reference: chargeID,
                                                    description: "Top-up by card", now: now, id: entryID)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: context.organisationID.string, action: "wallet.top_up",
                                                    target: "ledger:\(entry.id.string)", details: "{\"amount\":\(amount.minorUnits),\"currency\":\"\(amount.currency.rawValue)\"}"),
                                         now: now)
                return entry
            }
        } catch {
            try? await payments.refund(chargeID: chargeID)
            throw error
        }
    }
}
