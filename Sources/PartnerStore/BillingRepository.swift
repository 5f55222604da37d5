import FluentKit
import FluentSQLiteDriver
import Foundation
import PartnerCore
import SQLKit

public enum BillingStoreError: Error, Equatable, Sendable {
    /// R-B5: the wallet cannot cover the payment (balance then).
    case insufficientFunds(balance: Money)
    /// The quote was confirmed already (a second click, a second tab).
    case quoteUsed
}

/// Catalogue, partner rates, wallets, quotes, orders, invoices (R-B2 … R-B8). Callers have
/// decided access; every read takes the organisation it is scoped to.
extension Store {
    // MARK: catalogue (R-B4)

    public func priceList() async throws -> PriceList {
        let version = Int(try await SettingRow.find("catalogue_version", on: database)?.value ?? "1") ?? 1
        var entries: [ProductCategory: PriceListEntry] = [:]
        for row in try await CatalogueEntryRow.query(on: database).all() {
            guard let category = ProductCategory(rawValue: row.category), let period = BillingPeriod(rawValue: row.period) else { continue }
            entries[category] = PriceListEntry(category: category, period: period, prices: Self.prices(row.priceCHF, row.priceEUR), tiered: row.tiered)
        }
        let tiers = try await CatalogueTierRow.query(on: database).sort(\.$minimumCount).all().map { row in
            // `BasisPoints.init(_:)` traps outside 0 … 10,000; a stored rate is checked (R-H1).
            guard let rate = BasisPoints(checked: row.rateBP) else { throw InvalidStoredValue(table: "catalogue_tiers", column: "rate_bp", value: String(row.rateBP)) }
            return Tier(from: row.minimumCount, rate: rate)
        }
        var domains: [String: DomainPrice] = [:]
        var other = PriceList.standard.otherDomain
        for row in try await DomainPriceRow.query(on: database).all() {
            let price = DomainPrice(extensionName: row.extensionName, list: Self.prices(row.listCHF, row.listEUR),
                                    preferential: Self.prices(row.preferentialCHF, row.preferentialEUR))
            if row.extensionName == "*" { other = price } else { domains[row.extensionName] = price }
        }
        return PriceList(version: version, entries: entries, tiers: tiers, domains: domains, otherDomain: other)
    }

    public static func prices(_ chf: Int64, _ eur: Int64) -> [Currency: Money] {
        [.chf: Money(minorUnits: chf, currency: .chf), .eur: Money(minorUnits: eur, currency: .eur)]
    }

    /// Every edit bumps the version, so quotes made before it no longer confirm (R-B2 quote rule).
    func bumpCatalogueVersion() async throws -> Int {
        let row = try await SettingRow.find("catalogue_version", on: database) ?? { let r = SettingRow(); r.id = "catalogue_version"; r.value = "1"; return r }()
        let current = Int(row.value) ?? 1
        guard current < Int.max else { throw InvalidStoredValue(table: "settings", column: "catalogue_version", value: row.value) }
        let next = current + 1
        row.value = String(next)
        try await row.save(on: database)
        return next
    }

    public func setCatalogueEntry(_ entry: PriceListEntry) async throws -> Int {
        let row = try await CatalogueEntryRow.query(on: database).filter(\.$category == entry.category.rawValue).first() ?? CatalogueEntryRow()
        row.category = entry.category.rawValue
        row.period = entry.period.rawValue
        row.priceCHF = try entry.price(in: .chf).minorUnits
        row.priceEUR = try entry.price(in: .eur).minorUnits
        row.tiered = entry.tiered
        try await row.save(on: database)
        return try await bumpCatalogueVersion()
    }

    public func setTiers(_ tiers: [Tier]) async throws -> Int {
        try await CatalogueTierRow.query(on: database).delete()
        for tier in tiers {
            let row = CatalogueTierRow()
            row.minimumCount = tier.minimumCount
            row.rateBP = tier.rate.value
            try await row.create(on: database)
        }
        return try await bumpCatalogueVersion()
    }

    public func setDomainPrice(_ price: DomainPrice) async throws -> Int {
        let row = try await DomainPriceRow.query(on: database).filter(\.$extensionName == price.extensionName).first() ?? DomainPriceRow()
        row.extensionName = price.extensionName
        row.listCHF = try price.listPrice(in: .chf).minorUnits
        row.listEUR = try price.listPrice(in: .eur).minorUnits
        row.preferentialCHF = try price.preferentialPrice(in: .chf).minorUnits
        row.preferentialEUR = try price.preferentialPrice(in: .eur).minorUnits
        try await row.save(on: database)
        return try await bumpCatalogueVersion()
    }

    /// R-B4: the partner's rates; categories never set use the standard rates.
    public func partnerRates(_ partner: OrganisationID) async throws -> PartnerRates {
        var rates = PartnerRates.standard.rates
        for row in try await PartnerRateRow.query(on: database).filter(\.$organisationID == partner.rawValue).all() {
            guard let category = ProductCategory(rawValue: row.category) else { continue }
            guard let rate = BasisPoints(checked: row.rateBP) else { throw InvalidStoredValue(table: "partner_rates", column: "rate_bp", value: String(row.rateBP)) }
            rates[category] = rate
        }
        return PartnerRates(rates)
    }

    public func setPartnerRate(_ partner: OrganisationID, category: ProductCategory, rate: BasisPoints) async throws {
        let row = try await PartnerRateRow.query(on: database).filter(\.$organisationID == partner.rawValue)
            .filter(\.$category == category.rawValue).first() ?? PartnerRateRow()
        row.organisationID = partner.rawValue
        row.category = category.rawValue
        row.rateBP = rate.value
        try await row.save(on: database)
    }

    // MARK: wallets (R-B5)

    public func walletBalance(_ organisation: OrganisationID, currency: Currency) async throws -> Money {
        let row = try await sql.raw("""
            SELECT balance FROM wallets WHERE organisation_id = \(bind: organisation.rawValue) AND currency = \(bind: currency.rawValue)
            """).first()
        return Money(minorUnits: try row?.decode(column: "balance", as: Int64.self) ?? 0, currency: currency)
    }

    /// Appends one entry to a locked wallet (`lockWallets`): R-B5's rule (`Ledger.apply`) decides
    /// whether it may be written; a payment the balance cannot cover throws and writes nothing,
    /// whatever runs concurrently. Call inside `write`.
    @discardableResult
    public func postLedger(_ organisation: OrganisationID, kind: LedgerKind, amount: Money, key: String, reference: String?,
                           description: String, now: Date, id: LedgerEntryID = LedgerEntryID(UUID())) async throws -> LedgerEntry {
        let walletKey = WalletKey(organisation, amount.currency)
        let locked = try await lockWallets([walletKey])
        guard let wallet = locked[walletKey] else { throw StoreError.notFound }
        let after: Money
        do { after = try Ledger.apply(kind, amount, to: wallet.balance) } catch .insufficientFunds(let balance) {
            throw BillingStoreError.insufficientFunds(balance: balance)
        }
        let posting = LedgerPosting(id: id, walletID: wallet.id, organisation: organisation, kind: kind, amount: try Ledger.signed(kind, amount),
                                    balanceAfter: after, key: key, reference: reference, description: description, createdAt: now)
        try await post([posting], locked: locked)
        return posting.entry
    }

    /// The latest entries of an organisation's ledger, newest first.
    public func ledgerEntry(_ id: LedgerEntryID, of organisation: OrganisationID) async throws -> LedgerEntry? {
        try await WalletEntryRow.query(on: database).filter(\.$id == id.rawValue).filter(\.$organisationID == organisation.rawValue).first()?.domain()
    }

    public func ledger(_ organisation: OrganisationID, currency: Currency? = nil, limit: Int = 100, after: TimeKey? = nil) async throws -> [LedgerEntry] {
        var query = WalletEntryRow.query(on: database).filter(\.$organisationID == organisation.rawValue)
        if let currency { query = query.filter(\.$currency == currency.rawValue) }
        if let after { query = query.filter(\.$createdAt <= after.time).group(.or) { $0.filter(\.$createdAt < after.time).filter(\.$id < after.id) } }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all().map { try $0.domain() }
    }

    /// One ledger row as the CSV export needs it (no domain mapping on the hot path).
    public struct LedgerExportRow: Sendable {
        public let createdAt: Date
        public let kind: String
        public let currency: String
        public let amount: Int64
        public let balanceAfter: Int64
        public let reference: String?
        public let description: String
    }

    /// Streams the whole ledger of an organisation oldest first, `pageSize` rows per query, by
    /// keyset (time, id) so page n costs what page 1 does — a million rows stream in flat memory
    /// and linear time (R-B7). Every keyset here is written `t >= ? AND (t > ? OR id > ?)`: with
    /// bound parameters SQLite's planner turns `t > ? OR (t = ? AND id > ?)` into no range at all,
    /// and each page scanned the organisation's rows from the first.
    public func forEachLedgerPage(_ organisation: OrganisationID, pageSize: Int = 5000, _ body: ([LedgerExportRow]) async throws -> Void) async throws {
        let columns: SQLQueryString = "SELECT id, created_at, kind, currency, amount, balance_after, reference, description FROM wallet_entries"
        @Sendable func page(after: (Bindable, Bindable)?) async throws -> (rows: [LedgerExportRow], next: (Bindable, Bindable)?) {
            let last = LastRow()
            let read: @Sendable (FastRow) throws -> LedgerExportRow = { r in
                last.row = r
                return LedgerExportRow(createdAt: try r.date("created_at"), kind: try r.string("kind"), currency: try r.string("currency"), amount: try r.int("amount"),
                                       balanceAfter: try r.int("balance_after"), reference: try r.optionalString("reference"), description: try r.string("description"))
            }
            let rows: [LedgerExportRow]
            if let (time, id) = after {
                rows = try await fastRows("""
                    \(columns) WHERE organisation_id = \(bind: organisation.rawValue) AND created_at >= \(bind: time) AND (created_at > \(bind: time) OR id > \(bind: id))
                    ORDER BY created_at, id LIMIT \(unsafeRaw: String(pageSize))
                    """, read)
            } else {
                rows = try await fastRows("\(columns) WHERE organisation_id = \(bind: organisation.rawValue) ORDER BY created_at, id LIMIT \(unsafeRaw: String(pageSize))", read)
            }
            guard rows.count == pageSize, let r = last.row else { return (rows, nil) }
            // The keyset carries time and id exactly as stored, so the boundary row never comes twice.
            return (rows, (try r.exactValue("created_at"), try r.row.map { try $0.decode(column: "id", as: UUID.self) } ?? r.exactValue("id")))
        }
        var current = try await page(after: nil)
        while !current.rows.isEmpty {
            // The next page is read while this one is written out: the two use both cores.
            guard let next = current.next else { return try await body(current.rows) }
            async let following = page(after: next)
            try await body(current.rows)
            current = try await following
        }
    }

    /// R-B10 `verify-ledger`: every wallet's balance equals the sum of its entries, each entry's
    /// running balance follows from the previous one, and every order's cashback equals the sum
    /// of its lines'. Returns the problems found (empty when everything adds up).
    public func verifyLedger() async throws -> [String] {
        var problems: [String] = []
        let wallets = try await sql.raw("SELECT id, organisation_id, currency, balance FROM wallets").all()
        for wallet in wallets {
            let id = try wallet.decode(column: "id", as: UUID.self)
            let balance = try wallet.decode(column: "balance", as: Int64.self)
            let entries = try await WalletEntryRow.query(on: database).filter(\.$walletID == id).all()
            let running = entries.reduce(Int64(0)) { $0 + $1.amount }
            // Each entry recorded the balance it left; none may be negative (R-B5).
            for entry in entries where entry.balanceAfter < 0 {
                let entryID = try entry.requireID()
                problems.append("wallet \(id): entry \(entryID) left a negative balance")
            }
            if running != balance { problems.append("wallet \(id): stored balance \(balance) ≠ sum of entries \(running)") }
        }
        let orders = try await OrderRow.query(on: database).all()
        let lines = Dictionary(grouping: try await OrderLineRow.query(on: database).all(), by: \.orderID)
        for order in orders {
            let orderID = try order.requireID()
            let lineSum = (lines[orderID] ?? []).reduce(Int64(0)) { $0 + $1.cashback }
            if lineSum != order.cashback { problems.append("order \(orderID): cashback \(order.cashback) ≠ lines \(lineSum)") }
            let netSum = (lines[orderID] ?? []).reduce(Int64(0)) { $0 + $1.charged }
            if netSum != order.net { problems.append("order \(orderID): net \(order.net) ≠ lines \(netSum)") }
        }
        // Every credit note mirrors the invoice it corrects (R-B6).
        let invoices = try await InvoiceRow.query(on: database).all()
        let byID = Dictionary(uniqueKeysWithValues: try invoices.map { try ($0.requireID(), $0) })
        for note in invoices where note.kind == InvoiceKind.creditNote.rawValue {
            guard let original = note.refersTo.flatMap({ byID[$0] }) else { problems.append("credit note \(note.number) refers to no invoice"); continue }
            if note.net != -original.net || note.vat != -original.vat || note.total != -original.total {
                problems.append("credit note \(note.number) does not mirror invoice \(original.number)")
            }
        }
        return problems
    }

    // MARK: quotes

    public func createQuote(_ id: QuoteID, organisation: OrganisationID, user: UserID, payload: String, catalogueVersion: Int, now: Date, expiresAt: Date) async throws {
        let row = QuoteRow()
        row.id = id.rawValue
        row.organisationID = organisation.rawValue
        row.userID = user.rawValue
        row.payload = payload
        row.catalogueVersion = catalogueVersion
        row.createdAt = now
        row.expiresAt = expiresAt
        try await row.create(on: database)
    }

    public struct StoredQuote: Sendable {
        public let id: QuoteID
        public let organisationID: OrganisationID
        public let userID: UserID
        public let payload: String
        public let expiresAt: Date
        public let usedAt: Date?
    }

    /// A quote of this organisation made by this user; anyone else's is not found.
    public func quote(_ id: QuoteID, organisation: OrganisationID, user: UserID) async throws -> StoredQuote? {
        guard let row = try await QuoteRow.query(on: database).filter(\.$id == id.rawValue).filter(\.$organisationID == organisation.rawValue)
            .filter(\.$userID == user.rawValue).first() else { return nil }
        return StoredQuote(id: id, organisationID: organisation, userID: user, payload: row.payload, expiresAt: row.expiresAt, usedAt: row.usedAt)
    }

    /// Marks a quote used exactly once (a second confirmation finds it used). Inside `write`.
    public func useQuote(_ id: QuoteID, now: Date) async throws {
        let row = try await sql.raw("UPDATE quotes SET used_at = \(bind: now) WHERE id = \(bind: id.rawValue) AND used_at IS NULL RETURNING id").first()
        if row == nil { throw BillingStoreError.quoteUsed }
    }

    // MARK: orders

    /// Orders concerning a client organisation (newest first), optionally only those a partner took
    /// part in, with their lines (two queries whatever the count).
    /// `after`: the keyset of the last order of the previous page (API pagination).
    public func orders(client: OrganisationID, partner: OrganisationID? = nil, limit: Int = 200, after: TimeKey? = nil) async throws -> [Order] {
        var query = OrderRow.query(on: database).filter(\.$organisationID == client.rawValue)
        if let partner { query = query.filter(\.$partnerID == partner.rawValue) }
        if let after { query = query.filter(\.$createdAt <= after.time).group(.or) { $0.filter(\.$createdAt < after.time).filter(\.$id < after.id) } }
        return try await withLines(try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all())
    }

    public func order(_ id: OrderID) async throws -> Order? {
        guard let row = try await OrderRow.find(id.rawValue, on: database) else { return nil }
        return try await withLines([row]).first
    }

    /// A partner's orders across its clients (its earnings), newest first.
    public func orders(partner: OrganisationID, limit: Int = 500) async throws -> [Order] {
        try await withLines(try await OrderRow.query(on: database).filter(\.$partnerID == partner.rawValue).sort(\.$createdAt, .descending).limit(limit).all())
    }

    /// Streams a partner's orders oldest first in pages — all of them, or those of one client
    /// (R-B7 earnings and a managed client's billing data) — by keyset (time, id), with their
    /// lines: two queries a page, whatever the total.
    public func forEachOrderPage(partner: OrganisationID, client: OrganisationID? = nil, pageSize: Int = 500,
                                 _ body: ([Order]) async throws -> Void) async throws {
        var after: (Date, UUID)? = nil
        while true {
            var query = OrderRow.query(on: database).filter(\.$partnerID == partner.rawValue)
            if let client { query = query.filter(\.$organisationID == client.rawValue) }
            if let (time, id) = after {
                query = query.filter(\.$createdAt >= time).group(.or) { $0.filter(\.$createdAt > time).filter(\.$id > id) }
            }
            let rows = try await query.sort(\.$createdAt).sort(\.$id).limit(pageSize).all()
            guard let last = rows.last else { return }
            try await body(try await withLines(rows))
            after = try (last.createdAt, last.requireID())
            if rows.count < pageSize { return }
        }
    }

    func withLines(_ rows: [OrderRow]) async throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.requireID() }
        let lines = Dictionary(grouping: try await OrderLineRow.query(on: database).filter(\.$orderID ~~ ids).sort(\.$position).all(), by: \.orderID)
        let decoder = JSONDecoder()
        return try rows.map { row in
            guard let currency = Currency(rawValue: row.currency), let kind = OrderKind(rawValue: row.kind), let party = OrderingParty(rawValue: row.party),
                  let benefit = PartnerBenefit(rawValue: row.benefit), let method = PaymentMethod(rawValue: row.paymentMethod),
                  let payer: Payer = row.payerID == row.organisationID ? .client : .partner as Payer? else { throw StoreError.notFound }
            let id = try row.requireID()
            let own = lines[id] ?? []
            let priced = try own.map { l -> PricedLine in
                func money(_ v: Int64) -> Money { Money(minorUnits: v, currency: currency) }
                return PricedLine(category: ProductCategory(rawValue: l.category) ?? .vps, name: l.name, quantity: l.quantity,
                                  period: BillingPeriod(rawValue: l.period) ?? .monthly, unitPrice: money(l.unitPrice), tierCount: l.tierCount,
                                  steps: try decoder.decode([LinePrice.Entry].self, from: Data(l.steps.utf8)), charged: money(l.charged),
                                  publicPrice: money(l.publicPrice), preferentialPrice: money(l.preferentialPrice), cashback: money(l.cashback))
            }
            let productIDs = try own.map { try decoder.decode([String].self, from: Data($0.productIDs.utf8)).compactMap(ProductID.init(string:)) }
            let order = PricedOrder(currency: currency, payer: payer, benefit: benefit, row: row.ruleRow, catalogueVersion: row.catalogueVersion,
                                    lines: priced, net: Money(minorUnits: row.net, currency: currency), cashback: Money(minorUnits: row.cashback, currency: currency))
            return Order(id: OrderID(id), organisationID: OrganisationID(row.organisationID), payerID: OrganisationID(row.payerID),
                         partnerID: row.partnerID.map(OrganisationID.init), partnershipID: row.partnershipID.map(PartnershipID.init), kind: kind, party: party,
                         priced: order, paymentMethod: method, productIDs: productIDs, createdAt: row.createdAt)
        }
    }

}

extension WalletEntryRow {
    func domain() throws -> LedgerEntry {
        guard let id, let currency = Currency(rawValue: currency), let kind = LedgerKind(rawValue: kind) else { throw StoreError.notFound }
        return LedgerEntry(id: LedgerEntryID(id), organisationID: OrganisationID(organisationID), kind: kind, amount: Money(minorUnits: amount, currency: currency),
                           balanceAfter: Money(minorUnits: balanceAfter, currency: currency), reference: reference, description: description, createdAt: createdAt)
    }
}
