import Crypto
import Foundation
import PartnerCore
import PartnerStore
import Vapor

struct MoneyJSON: Content, Equatable {
    var minorUnits: Int64; var currency: String; var formatted: String
    init(_ m: Money) { minorUnits = m.minorUnits; currency = m.currency.rawValue; formatted = MoneyFormat.plain(m) }
}

struct QuoteLineRequest: Content { var category: String; var name: String; var quantity: Int64? }
struct QuoteRequest: Content { var lines: [QuoteLineRequest]?; var renewProductId: String?; var means: String? }
struct OrderRequest: Content { var quoteId: String; var paymentMethod: String; var cardNumber: String? }
struct TopUpRequest: Content { var amount: String; var currency: String?; var cardNumber: String }

/// A priced line with its explanation (R-B2, R-B3): the API returns what the console shows.
/// R-B11: a priced line as its viewer may see it (`PriceDisclosure`); hidden amounts are null.
struct PricedLineJSON: Content {
    struct Step: Content { var step: String; var rateBasisPoints: Int; var amount: MoneyJSON }
    var category: String; var name: String; var quantity: Int64; var period: String; var unitPrice: MoneyJSON; var tierCount: Int64?
    var steps: [Step]; var charged: MoneyJSON?; var publicPrice: MoneyJSON; var preferentialPrice: MoneyJSON?; var cashback: MoneyJSON?
    init(_ l: DisclosedLine) {
        category = l.category.rawValue; name = l.name; quantity = l.quantity; period = l.period.rawValue; unitPrice = MoneyJSON(l.unitPrice)
        tierCount = l.tierCount; steps = l.steps.map { Step(step: $0.step.rawValue, rateBasisPoints: $0.rate.value, amount: MoneyJSON($0.amount)) }
        charged = l.charged.map(MoneyJSON.init); publicPrice = MoneyJSON(l.publicPrice); preferentialPrice = l.preferentialPrice.map(MoneyJSON.init)
        cashback = l.cashback.map(MoneyJSON.init)
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(category, forKey: .category); try c.encode(name, forKey: .name); try c.encode(quantity, forKey: .quantity)
        try c.encode(period, forKey: .period); try c.encode(unitPrice, forKey: .unitPrice); try c.encode(tierCount, forKey: .tierCount)
        try c.encode(steps, forKey: .steps); try c.encode(charged, forKey: .charged); try c.encode(publicPrice, forKey: .publicPrice)
        try c.encode(preferentialPrice, forKey: .preferentialPrice); try c.encode(cashback, forKey: .cashback)
    }
}

struct TotalsJSON: Content {
    var net: MoneyJSON; var vatRateBasisPoints: Int; var vat: MoneyJSON; var total: MoneyJSON; var reverseCharge: Bool
    init(_ t: InvoiceTotals) { net = MoneyJSON(t.net); vatRateBasisPoints = t.vatRate.value; vat = MoneyJSON(t.vat); total = MoneyJSON(t.total); reverseCharge = t.reverseCharge }
}

struct QuoteJSON: Content {
    var id: String; var kind: String; var party: String; var payerId: String; var payer: String; var benefit: String; var rule: Int
    var partnerId: String?; var catalogueVersion: Int; var lines: [PricedLineJSON]; var cashback: MoneyJSON?; var totals: TotalsJSON?; var expiresAt: Date
    init(_ q: BillingService.Quote, audience: PriceDisclosure.Audience) {
        id = q.id.string; kind = q.kind.rawValue; party = q.party.rawValue; payerId = q.payerID.string; payer = q.priced.payer.rawValue
        benefit = q.priced.benefit.rawValue; rule = q.priced.row; partnerId = q.partnerID?.string; catalogueVersion = q.priced.catalogueVersion
        lines = PriceDisclosure.lines(q.priced, to: audience).map(PricedLineJSON.init)
        cashback = audience == .partnerSide ? MoneyJSON(q.priced.cashback) : nil
        totals = PriceDisclosure.showsPayerAmounts(q.priced, to: audience) ? TotalsJSON(q.totals) : nil; expiresAt = q.expiresAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(kind, forKey: .kind); try c.encode(party, forKey: .party); try c.encode(payerId, forKey: .payerId)
        try c.encode(payer, forKey: .payer); try c.encode(benefit, forKey: .benefit); try c.encode(rule, forKey: .rule); try c.encode(partnerId, forKey: .partnerId)
        try c.encode(catalogueVersion, forKey: .catalogueVersion); try c.encode(lines, forKey: .lines); try c.encode(cashback, forKey: .cashback)
        try c.encode(totals, forKey: .totals); try c.encode(expiresAt, forKey: .expiresAt)
    }
}

struct OrderJSON: Content {
    var id: String; var organisationId: String; var payerId: String; var partnerId: String?; var kind: String; var party: String; var payer: String
    var benefit: String; var rule: Int; var paymentMethod: String; var lines: [PricedLineJSON]; var net: MoneyJSON?; var cashback: MoneyJSON?
    var productIds: [[String]]; var invoiceId: String?; var invoiceNumber: String?; var createdAt: Date
    init(_ o: Order, invoice: Invoice?, audience: PriceDisclosure.Audience) {
        id = o.id.string; organisationId = o.organisationID.string; payerId = o.payerID.string; partnerId = o.partnerID?.string; kind = o.kind.rawValue
        party = o.party.rawValue; payer = o.priced.payer.rawValue; benefit = o.priced.benefit.rawValue; rule = o.priced.row; paymentMethod = o.paymentMethod.rawValue
        lines = PriceDisclosure.lines(o.priced, to: audience).map(PricedLineJSON.init)
        net = PriceDisclosure.showsPayerAmounts(o.priced, to: audience) ? MoneyJSON(o.priced.net) : nil
        cashback = audience == .partnerSide ? MoneyJSON(o.priced.cashback) : nil
        // The partner's invoice is the partner's (R-B11): the client sees no number of it.
        let shown = PriceDisclosure.showsPayerAmounts(o.priced, to: audience) ? invoice : nil
        productIds = o.productIDs.map { $0.map(\.string) }; invoiceId = shown?.id.string; invoiceNumber = shown?.number; createdAt = o.createdAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(organisationId, forKey: .organisationId); try c.encode(payerId, forKey: .payerId)
        try c.encode(partnerId, forKey: .partnerId); try c.encode(kind, forKey: .kind); try c.encode(party, forKey: .party); try c.encode(payer, forKey: .payer)
        try c.encode(benefit, forKey: .benefit); try c.encode(rule, forKey: .rule); try c.encode(paymentMethod, forKey: .paymentMethod)
        try c.encode(lines, forKey: .lines); try c.encode(net, forKey: .net); try c.encode(cashback, forKey: .cashback); try c.encode(productIds, forKey: .productIds)
        try c.encode(invoiceId, forKey: .invoiceId); try c.encode(invoiceNumber, forKey: .invoiceNumber); try c.encode(createdAt, forKey: .createdAt)
    }
}

struct InvoiceJSON: Content {
    struct Line: Content { var description: String; var quantity: Int64; var unitPrice: MoneyJSON; var explanation: String; var net: MoneyJSON }
    var id: String; var number: String; var kind: String; var orderId: String?; var recipientName: String; var recipientCountry: String
    var lines: [Line]; var totals: TotalsJSON; var issuedAt: Date
    init(_ i: Invoice) {
        id = i.id.string; number = i.number; kind = i.kind.rawValue; orderId = i.orderID?.string; recipientName = i.recipientName
        recipientCountry = i.recipientCountry.rawValue; totals = TotalsJSON(i.totals); issuedAt = i.issuedAt
        lines = i.lines.map { Line(description: $0.description, quantity: $0.quantity, unitPrice: MoneyJSON($0.unitPrice), explanation: $0.explanation, net: MoneyJSON($0.net)) }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(number, forKey: .number); try c.encode(kind, forKey: .kind); try c.encode(orderId, forKey: .orderId)
        try c.encode(recipientName, forKey: .recipientName); try c.encode(recipientCountry, forKey: .recipientCountry); try c.encode(lines, forKey: .lines)
        try c.encode(totals, forKey: .totals); try c.encode(issuedAt, forKey: .issuedAt)
    }
}

struct LedgerEntryJSON: Content {
    var id: String; var kind: String; var amount: MoneyJSON; var balanceAfter: MoneyJSON; var reference: String?; var description: String; var createdAt: Date
    init(_ e: LedgerEntry) {
        id = e.id.string; kind = e.kind.rawValue; amount = MoneyJSON(e.amount); balanceAfter = MoneyJSON(e.balanceAfter); reference = e.reference
        description = e.description; createdAt = e.createdAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(kind, forKey: .kind); try c.encode(amount, forKey: .amount); try c.encode(balanceAfter, forKey: .balanceAfter)
        try c.encode(reference, forKey: .reference); try c.encode(description, forKey: .description); try c.encode(createdAt, forKey: .createdAt)
    }
}

struct WalletJSON: Content { var balances: [MoneyJSON] }

/// Quotes, orders, the wallet and invoices under /api/v1 (R-B2 … R-B7).
struct BillingAPIController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("catalogue", use: catalogue).named(.visitPublic)
        let org = v1.grouped("organisations", ":org")
        org.post("quotes", use: quote).named(.order)
        org.post("orders", use: order).named(.order)
        org.get("orders", use: orders).named(.order)
        org.get("wallet", use: wallet).named(.billing)
        org.get("wallet", "entries", use: entries).named(.billing)
        org.post("wallet", "top-ups", use: topUp).named(.billing)
        org.get("invoices", use: invoices).named(.billing)
        org.get("invoices", ":invoice", use: invoice).named(.billing)
    }

    /// Customers and provider staff alike.
    func catalogue(req: Request) async throws -> Response {
        // R-O5 visit_public: the list prices are published (the calculator shows them to anyone);
        // R-B11: the preferential domain prices only to provider staff and members of a partner.
        let list = try await req.store.priceList()
        var seesPreferential = req.identity?.staff != nil
        if let user = req.identity?.user { seesPreferential = try await req.store.organisations(of: user.id).contains { $0.0.isPartner } }
        struct Entry: Content { var category: String; var period: String; var prices: [MoneyJSON]; var tiered: Bool }
        struct TierJSON: Content { var from: Int64; var rateBasisPoints: Int }
        struct Domain: Content { var extensionName: String; var list: [MoneyJSON]; var preferential: [MoneyJSON] }
        struct Catalogue: Content { var version: Int; var products: [Entry]; var tiers: [TierJSON]; var domains: [Domain] }
        func money(_ prices: [Currency: Money]) -> [MoneyJSON] { Currency.allCases.compactMap { prices[$0] }.map(MoneyJSON.init) }
        return try api.json(Catalogue(
            version: list.version,
            products: ProductCategory.allCases.compactMap { list.entries[$0] }.map { Entry(category: $0.category.rawValue, period: $0.period.rawValue, prices: money($0.prices), tiered: $0.tiered) },
            tiers: list.tiers.map { TierJSON(from: $0.minimumCount, rateBasisPoints: $0.rate.value) },
            domains: (list.domains.values.sorted { $0.extensionName < $1.extensionName } + [list.otherDomain])
                .map { Domain(extensionName: $0.extensionName, list: money($0.list), preferential: seesPreferential ? money($0.preferential) : []) }))
    }

    /// R-B11: the partner's side (members of the order's partner) sees its prices and earnings;
    /// everyone else — the client — sees public prices only.
    static func audience(_ req: Request, partner: OrganisationID?) async throws -> PriceDisclosure.Audience {
        // R-O2/R-O5: the partner's prices and earnings are billing data — its LRs and admins see
        // them; its employees (even with a spending limit) see what the client sees.
        guard let partner, let user = req.identity?.user, let context = try await req.store.context(user: user.id, organisation: partner),
              Policy.decide(.billing, Actor(kind: .user, membership: context.role), now: req.partnerHub.configuration.clock.now()).isAllowed
        else { return .clientSide }
        return .partnerSide
    }

    func organisationID(_ req: Request) throws -> OrganisationID { try api.param(req, "org", OrganisationID.init(string:)) }

    // MARK: quotes and orders

    func quote(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try api.body(req, QuoteRequest.self)
        let order = try Self.orderInput(input)
        let quote = try await req.billing.quote(user: user, client: try organisationID(req), input: order, store: req.store)
        return try api.json(QuoteJSON(quote, audience: try await Self.audience(req, partner: quote.partnerID)), .created)
    }

    static func orderInput(_ input: QuoteRequest) throws -> BillingService.OrderInput {
        var renew: ProductID? = nil
        if let raw = input.renewProductId {
            // A renewal quote renews one product; lines beside it would be silently dropped.
            guard let id = ProductID(string: raw), input.lines == nil else { throw AppError.validation([FieldError("renew_product_id", .invalidValue)]) }
            renew = id
        }
        var errors = ValidationErrors()
        let lines: [LineRequest] = (input.lines ?? []).enumerated().compactMap { index, line in
            guard let category = ProductCategory(rawValue: line.category) else { errors.add("lines.\(index).category", .invalidValue); return nil }
            return LineRequest(category: category, name: line.name, quantity: line.quantity ?? 1)
        }
        if renew == nil && (input.lines ?? []).isEmpty { errors.add("lines", .required) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        return BillingService.OrderInput(lines: lines, renew: renew, means: input.means)
    }

    /// Confirms a quote. With `Idempotency-Key` a repeated request returns the first result.
    func order(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let client = try organisationID(req)
        let (idempotency, replay) = try await Self.idempotency(req, organisation: client)
        if let replay { return try await replayOrder(req, replay, organisation: client) }
        let input = try api.body(req, OrderRequest.self)
        guard let quoteID = QuoteID(string: input.quoteId) else { throw AppError.validation([FieldError("quote_id", .invalidValue)]) }
        guard let method = PaymentMethod(rawValue: input.paymentMethod) else { throw AppError.validation([FieldError("payment_method", .invalidValue)]) }
        do {
            let order = try await req.billing.confirm(user: user, client: client, quoteID: quoteID, method: method, card: input.cardNumber,
                                                      idempotency: idempotency, store: req.store)
            return try api.json(OrderJSON(order, invoice: try await req.store.invoice(order: order.id), audience: try await Self.audience(req, partner: order.partnerID)),
                                .created)
        } catch let stale as StaleQuote {
            struct StaleProblem: Content { var type: String; var title: String; var status: Int; var detail: String; var freshQuote: QuoteJSON }
            let response = try api.json(StaleProblem(type: "about:blank", title: "Conflict", status: 409,
                                                     detail: "The price changed since the quote (or it expired); confirm the fresh quote to order at its price.",
                                                     freshQuote: QuoteJSON(stale.fresh, audience: try await Self.audience(req, partner: stale.fresh.partnerID))),
                                     .conflict)
            response.headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
            return response
        } catch let waiting as AwaitingApproval {
            // R-B11: the partner pays and decides first; nothing was charged.
            return try api.json(ApprovalRequestJSON(waiting.request), .accepted)
        } catch StoreError.conflict(field: "idempotency_key") {
            // A concurrent twin with the same key won; answer what it answered.
            guard let key = idempotency?.key, let stored = try await req.store.idempotentResponse(organisation: client, key: key) else { throw AppError.notFound }
            return try await replayOrder(req, stored, organisation: client)
        }
    }

    func replayOrder(_ req: Request, _ stored: Store.IdempotentResponse, organisation: OrganisationID) async throws -> Response {
        if stored.body.hasPrefix(BillingService.requestReplayPrefix) {
            // R-B11: the first answer was "waits for approval".
            guard let id = UUID(uuidString: String(stored.body.dropFirst(BillingService.requestReplayPrefix.count))),
                  let request = try await req.store.orderRequests(client: organisation, id: id).first else { throw AppError.notFound }
            let response = try api.json(ApprovalRequestJSON(request), .accepted)
            response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
            return response
        }
        guard let id = OrderID(string: stored.body), let order = try await req.store.order(id), order.organisationID == organisation else { throw AppError.notFound }
        let response = try api.json(OrderJSON(order, invoice: try await req.store.invoice(order: order.id), audience: try await Self.audience(req, partner: order.partnerID)),
                                    .created)
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }

    /// The `Idempotency-Key` header: a stored answer to replay, or what to store with the new one.
    /// The same key with a different request is refused (409), naming the header.
    static func idempotency(_ req: Request, organisation: OrganisationID) async throws -> (BillingService.Idempotency?, Store.IdempotentResponse?) {
        guard let key = req.headers.first(name: "Idempotency-Key") else { return (nil, nil) }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw AppError.validation([FieldError("Idempotency-Key", .invalidValue)])
        }
        var body = req.body.data ?? ByteBuffer()
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        // The asker is part of the request: another user of the organisation (a partner's admin
        // beside the client's) never gets someone else's stored answer for a guessed key.
        let asker = req.identity?.user?.id.string ?? "-"
        let fingerprint = SHA256.hash(data: Data((asker + " " + req.method.rawValue + " " + req.url.path + "\n").utf8) + Data(bytes))
            .map { String(format: "%02x", $0) }.joined()
        if let stored = try await req.store.idempotentResponse(organisation: organisation, key: key) {
            guard stored.fingerprint == fingerprint else { throw AppError.conflict(field: "Idempotency-Key", code: .mismatch) }
            return (nil, stored)
        }
        return (BillingService.Idempotency(key: key, fingerprint: fingerprint), nil)
    }

    /// Members with billing rights see every order of their organisation; partner users those their
    /// partner took part in (R-B7's billing data); everyone else 404.
    func orders(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let client = try organisationID(req)
        let paging = try PageRequest(req)
        let page = paging.page(try await Self.visibleOrders(req, user: user, client: client, limit: paging.limit + 1, after: try paging.timeKey)) {
            [PageRequest.timeField($0.createdAt), $0.id.string]
        }
        let invoices = try await Self.invoicesByOrder(req, page.rows)
        var audiences: [OrganisationID?: PriceDisclosure.Audience] = [:]
        for partner in Set(page.rows.map(\.partnerID)) { audiences[partner] = try await Self.audience(req, partner: partner) }
        return try paging.respond(req, page) { rows in try api.json(rows.map { OrderJSON($0, invoice: invoices[$0.id], audience: audiences[$0.partnerID] ?? .clientSide) }) }
    }

    static func visibleOrders(_ req: Request, user: User, client: OrganisationID, limit: Int = 200, after: Store.TimeKey? = nil) async throws -> [Order] {
        let now = req.partnerHub.configuration.clock.now()
        let access = try await req.store.clientAccess(user: user.id, organisation: client)
        if let member = access.clientMembership {
            // A member of the client sees its orders when the policy lets it order (R-O5); a user
            // who is both a client member and a partner user is answered as the member.
            guard Policy.decide(.order, Actor(kind: .user, membership: member.role), now: now).isAllowed else { throw AppError.forbidden("policy.refused.role") }
            return try await req.store.orders(client: client, limit: limit, after: after)
        }
        guard let side = access.partnerSides.first(where: { AccessRules.seesClient($0, now: now) }),
              let partnership = try await req.store.partnership(side.partnership) else { throw AppError.notFound }
        return try await req.store.orders(client: client, partner: partnership.partnerID, limit: limit, after: after)
    }

    /// Only invoices issued to the caller's own side are linked (R-B6). One membership check per
    /// payer and one batch of invoices, whatever the number of orders.
    static func invoicesByOrder(_ req: Request, _ orders: [Order]) async throws -> [OrderID: Invoice] {
        let user = try req.requireUser()
        var visiblePayers = Set<OrganisationID>()
        for payer in Set(orders.map(\.payerID)) {
            if let context = try await req.store.context(user: user.id, organisation: payer), RoleRules.permission(context.role, .billing) == .whole {
                visiblePayers.insert(payer)
            }
        }
        return try await req.store.invoices(orders: orders.filter { visiblePayers.contains($0.payerID) }.map(\.id))
    }

    // MARK: wallet (R-B5)

    /// The organisation's own billing: members with R-O2 billing rights; other members 403,
    /// everyone else 404.
    static func billingContext(_ req: Request) async throws -> OrganisationContext {
        // Who may: the route's action (R-O5 billing).
        return try await req.organisationContext()
    }

    func wallet(req: Request) async throws -> Response {
        let context = try await Self.billingContext(req)
        var balances: [MoneyJSON] = []
        for currency in Currency.allCases { balances.append(MoneyJSON(try await req.store.walletBalance(context.organisationID, currency: currency))) }
        return try api.json(WalletJSON(balances: balances))
    }

    func entries(req: Request) async throws -> Response {
        let context = try await Self.billingContext(req)
        let paging = try PageRequest(req)
        let entries = try await req.store.ledger(context.organisationID, limit: paging.limit + 1, after: try paging.timeKey)
        return try paging.respond(req, paging.page(entries) { [PageRequest.timeField($0.createdAt), $0.id.string] }) { try api.json($0.map(LedgerEntryJSON.init)) }
    }

    func topUp(req: Request) async throws -> Response {
        let context = try await Self.billingContext(req)
        let user = try req.requireUser()
        let (idempotency, replay) = try await Self.idempotency(req, organisation: context.organisationID)
        if let replay { return try await replayEntry(req, replay, organisation: context.organisationID) }
        let input = try api.body(req, TopUpRequest.self)
        do {
            let entry = try await req.billing.topUp(context, user: user, amount: input.amount, currency: input.currency, card: input.cardNumber,
                                                    idempotency: idempotency, store: req.store)
            return try api.json(LedgerEntryJSON(entry), .created)
        } catch StoreError.conflict(field: "idempotency_key") {
            guard let key = idempotency?.key, let stored = try await req.store.idempotentResponse(organisation: context.organisationID, key: key) else { throw AppError.notFound }
            return try await replayEntry(req, stored, organisation: context.organisationID)
        }
    }

    func replayEntry(_ req: Request, _ stored: Store.IdempotentResponse, organisation: OrganisationID) async throws -> Response {
        guard let id = LedgerEntryID(string: stored.body), let entry = try await req.store.ledgerEntry(id, of: organisation) else { throw AppError.notFound }
        let response = try api.json(LedgerEntryJSON(entry), .created)
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }

    // MARK: invoices (R-B6)

    func invoices(req: Request) async throws -> Response {
        let context = try await Self.billingContext(req)
        let paging = try PageRequest(req)
        let invoices = try await req.store.invoices(of: context.organisationID, limit: paging.limit + 1, after: try paging.timeKey)
        return try paging.respond(req, paging.page(invoices) { [PageRequest.timeField($0.issuedAt), $0.id.string] }) { try api.json($0.map(InvoiceJSON.init)) }
    }

    func invoice(req: Request) async throws -> Response {
        let context = try await Self.billingContext(req)
        let id = try api.param(req, "invoice", InvoiceID.init(string:))
        guard let invoice = try await req.store.invoice(id, of: context.organisationID) else { throw AppError.notFound }
        return try api.json(InvoiceJSON(invoice))
    }
}
