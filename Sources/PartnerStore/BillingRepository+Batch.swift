import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// The rows an order or renewal writes, many at a time: a renewal batch (R-B8) records hundreds
/// of orders in a handful of statements, and a single order takes the same path. Callers hold
/// the transaction (`write`) and have decided access, price and payer.
extension Store {
    // MARK: wallets (R-B5)

    public struct WalletKey: Sendable, Hashable {
        public let organisation: OrganisationID
        public let currency: Currency
        public init(_ organisation: OrganisationID, _ currency: Currency) {
            self.organisation = organisation
            self.currency = currency
        }
    }

    public struct WalletState: Sendable, Hashable {
        public let id: UUID
        public var balance: Money
    }

    /// Creates the wallets that do not exist yet and locks them all until the transaction ends
    /// (PostgreSQL: `FOR UPDATE`, in id order so two transactions never wait on each other in a
    /// circle; SQLite: the write gate holds every other writer out already). The balances read
    /// here are the ones the caller's payments apply to.
    public func lockWallets(_ keys: Set<WalletKey>) async throws -> [WalletKey: WalletState] {
        guard !keys.isEmpty else { return [:] }
        let sorted = keys.sorted { ($0.organisation.string, $0.currency.rawValue) < ($1.organisation.string, $1.currency.rawValue) }
        try await insertRows("wallets", columns: ["id", "organisation_id", "currency", "balance"],
                             rows: sorted.map { [UUID.timeOrdered(), $0.organisation.rawValue, $0.currency.rawValue, Int64(0)] },
                             ignoringConflictsOn: ["organisation_id", "currency"])
        let organisations = Array(Set(keys.map(\.organisation.rawValue)))
        let lock: SQLQueryString = kind == .postgres ? " FOR UPDATE" : ""
        let rows = try await fastRows("""
            SELECT id, organisation_id, currency, balance FROM wallets WHERE organisation_id IN (\(binds: organisations)) ORDER BY id\(lock)
            """)
        var wallets: [WalletKey: WalletState] = [:]
        for r in rows {
            guard let currency = Currency(rawValue: try r.string("currency")) else { continue }
            let key = WalletKey(OrganisationID(try r.uuid("organisation_id")), currency)
            if keys.contains(key) { wallets[key] = WalletState(id: try r.uuid("id"), balance: Money(minorUnits: try r.int("balance"), currency: currency)) }
        }
        return wallets
    }

    /// One ledger entry as decided by `Ledger.apply` against a locked wallet.
    public struct LedgerPosting: Sendable {
        public let id: LedgerEntryID
        public let walletID: UUID
        public let organisation: OrganisationID
        public let kind: LedgerKind
        /// Signed: payments and reversals negative.
        public let amount: Money
        public let balanceAfter: Money
        public let key: String
        public let reference: String?
        public let description: String
        public let createdAt: Date
        public init(id: LedgerEntryID = LedgerEntryID(UUID.timeOrdered()), walletID: UUID, organisation: OrganisationID, kind: LedgerKind, amount: Money,
                    balanceAfter: Money, key: String, reference: String?, description: String, createdAt: Date) {
            self.id = id
            self.walletID = walletID
            self.organisation = organisation
            self.kind = kind
            self.amount = amount
            self.balanceAfter = balanceAfter
            self.key = key
            self.reference = reference
            self.description = description
            self.createdAt = createdAt
        }

        public var entry: LedgerEntry {
            LedgerEntry(id: id, organisationID: organisation, kind: kind, amount: amount, balanceAfter: balanceAfter, reference: reference,
                        description: description, createdAt: createdAt)
        }
    }

    /// Appends the entries and moves each wallet from the balance it was locked at to the last
    /// entry's balance. A reused idempotency key is a conflict (R-B5).
    public func post(_ postings: [LedgerPosting], locked: [WalletKey: WalletState]) async throws {
        guard !postings.isEmpty else { return }
        do {
            try await insertRows("wallet_entries", columns: ["id", "wallet_id", "organisation_id", "currency", "kind", "amount", "balance_after",
                                                              "idempotency_key", "reference", "description", "created_at"],
                                 rows: postings.map { p in
                                     [p.id.rawValue, p.walletID, p.organisation.rawValue, p.amount.currency.rawValue, p.kind.rawValue, p.amount.minorUnits,
                                      p.balanceAfter.minorUnits, p.key, p.reference, p.description, p.createdAt] as [Bindable]
                                 })
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "idempotency_key")
        }
        var final: [UUID: Int64] = [:]
        for posting in postings { final[posting.walletID] = posting.balanceAfter.minorUnits }
        for (_, wallet) in locked {
            guard let balance = final[wallet.id], balance != wallet.balance.minorUnits else { continue }
            // The wallet is locked by this transaction: the guard can only fail if a caller skipped `lockWallets`.
            let moved = try await sql.raw("""
                UPDATE wallets SET balance = \(bind: balance) WHERE id = \(bind: wallet.id) AND balance = \(bind: wallet.balance.minorUnits) RETURNING id
                """).first()
            guard moved != nil else { throw StoreError.conflict(field: "wallet") }
        }
    }

    // MARK: invoice numbers (R-B6)

    /// The next `count` numbers of `year`, from a counter row the calling transaction holds until
    /// it ends: a rolled-back transaction gives its numbers back, so there are no gaps.
    public func reserveInvoiceNumbers(year: Int, count: Int) async throws -> [String] {
        guard count > 0 else { return [] }
        try await sql.raw("""
            INSERT INTO invoice_counters (id, year, last) VALUES (\(bind: UUID.timeOrdered()), \(bind: year), 0) ON CONFLICT (year) DO NOTHING
            """).run()
        guard let row = try await sql.raw("UPDATE invoice_counters SET last = last + \(bind: count) WHERE year = \(bind: year) RETURNING last").first() else {
            throw StoreError.notFound
        }
        let last = try row.decode(column: "last", as: Int.self)
        return (last - count + 1...last).map { InvoiceNumber.format(year: year, sequence: $0) }
    }

    // MARK: orders and invoices

    /// Records orders with their lines; `productIDs[i]` are the products line i created or renewed.
    public func insertOrders(_ orders: [Order], placedBy: [OrderID: UserID] = [:]) async throws {
        guard !orders.isEmpty else { return }
        try await insertRows("orders", columns: ["id", "organisation_id", "payer_id", "partner_id", "partnership_id", "kind", "party", "rule_row", "benefit",
                                                  "currency", "net", "cashback", "payment_method", "catalogue_version", "placed_by", "created_at"],
                             rows: orders.map { o in
                                 [o.id.rawValue, o.organisationID.rawValue, o.payerID.rawValue, o.partnerID?.rawValue, o.partnershipID?.rawValue, o.kind.rawValue,
                                  o.party.rawValue, o.priced.row, o.priced.benefit.rawValue, o.priced.currency.rawValue, o.priced.net.minorUnits,
                                  o.priced.cashback.minorUnits, o.paymentMethod.rawValue, o.priced.catalogueVersion, placedBy[o.id]?.rawValue, o.createdAt] as [Bindable]
                             })
        var lines: [[Bindable]] = []
        for order in orders {
            for (position, line) in order.priced.lines.enumerated() {
                lines.append([UUID.timeOrdered(), order.id.rawValue, position, line.category.rawValue, line.name, line.quantity, line.period.rawValue,
                              line.unitPrice.minorUnits, line.tierCount, Self.stepsJSON(line.steps),
                              line.charged.minorUnits, line.publicPrice.minorUnits, line.preferentialPrice.minorUnits, line.cashback.minorUnits,
                              Self.jsonArray(order.productIDs[position].map(\.string))])
            }
        }
        try await insertRows("order_lines", columns: ["id", "order_id", "position", "category", "name", "quantity", "period", "unit_price", "tier_count",
                                                       "steps", "charged", "public_price", "preferential_price", "cashback", "product_ids"], rows: lines)
    }

    /// A line's steps as JSONEncoder with sorted keys writes them (what `withLines` decodes),
    /// written directly: the encoder was a tenth of a renewal batch's time.
    public static func stepsJSON(_ steps: [LinePrice.Entry]) -> String {
        var text = "["
        for (index, step) in steps.enumerated() {
            if index > 0 { text += "," }
            text += "{\"amount\":{\"currency\":\"\(step.amount.currency.rawValue)\",\"minorUnits\":\(step.amount.minorUnits)},"
            text += "\"rate\":{\"value\":\(step.rate.value)},\"step\":\"\(step.step.rawValue)\"}"
        }
        return text + "]"
    }

    /// A JSON array of plain strings (ids): no escaping needed, no encoder.
    static func jsonArray(_ strings: [String]) -> String {
        "[" + strings.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    public func insertInvoice(_ invoice: Invoice) async throws { try await insertInvoices([invoice]) }

    /// Issues invoices (and credit notes) with their lines; the first invoice of an organisation
    /// fixes its currency (R-O1).
    public func insertInvoices(_ invoices: [Invoice]) async throws {
        guard !invoices.isEmpty else { return }
        try await insertRows("invoices", columns: ["id", "number", "organisation_id", "order_id", "kind", "refers_to", "currency", "net", "vat_rate_bp", "vat",
                                                    "total", "reverse_charge", "recipient_name", "recipient_country", "issued_at"],
                             rows: invoices.map { i in
                                 [i.id.rawValue, i.number, i.organisationID.rawValue, i.orderID?.rawValue, i.kind.rawValue, i.refersTo?.rawValue,
                                  i.totals.net.currency.rawValue, i.totals.net.minorUnits, i.totals.vatRate.value, i.totals.vat.minorUnits,
                                  i.totals.total.minorUnits, i.totals.reverseCharge, i.recipientName, i.recipientCountry.rawValue, i.issuedAt] as [Bindable]
                             })
        try await insertRows("invoice_lines", columns: ["id", "invoice_id", "position", "description", "quantity", "unit_price", "explanation", "net"],
                             rows: invoices.flatMap { i in
                                 i.lines.enumerated().map { position, line in
                                     [UUID.timeOrdered(), i.id.rawValue, position, line.description, line.quantity, line.unitPrice.minorUnits, line.explanation,
                                      line.net.minorUnits] as [Bindable]
                                 }
                             })
        // Earliest issue time per recipient: one statement per distinct time (a batch has one).
        for (issuedAt, group) in Dictionary(grouping: invoices, by: \.issuedAt) {
            let ids = Array(Set(group.map(\.organisationID.rawValue)))
            try await sql.raw("""
                UPDATE organisations SET first_invoice_at = \(bind: issuedAt) WHERE id IN (\(binds: ids)) AND first_invoice_at IS NULL
                """).run()
        }
    }

    // MARK: products (R-B8, R-B9)

    public struct NewOrderedProduct: Sendable {
        public let id: ProductID
        public let organisation: OrganisationID
        public let category: ProductCategory
        public let name: String
        public let period: BillingPeriod
        public let payer: OrganisationID
        public init(id: ProductID, organisation: OrganisationID, category: ProductCategory, name: String, period: BillingPeriod, payer: OrganisationID) {
            self.id = id
            self.organisation = organisation
            self.category = category
            self.name = name
            self.period = period
            self.payer = payer
        }
    }

    public func createOrderedProducts(_ products: [NewOrderedProduct], now: Date) async throws {
        try await insertRows("products", columns: ["id", "organisation_id", "category", "name", "status", "created_at", "period", "renews_at", "payer_id"],
                             rows: products.map { p in
                                 [p.id.rawValue, p.organisation.rawValue, p.category.rawValue, p.name, "active", now, p.period.rawValue,
                                  p.period.end(startingAt: now), p.payer.rawValue] as [Bindable]
                             })
    }

    public func createOrderedProduct(organisation: OrganisationID, category: ProductCategory, name: String, period: BillingPeriod,
                                     payer: OrganisationID, now: Date) async throws -> ProductID {
        let id = ProductID(UUID.timeOrdered())
        try await createOrderedProducts([NewOrderedProduct(id: id, organisation: organisation, category: category, name: name, period: period, payer: payer)], now: now)
        return id
    }

    /// One paid period to move on: from `expected` to `next`, billed to `payer`.
    public struct RenewalClaim: Sendable {
        public let product: ProductID
        public let expected: Date
        public let next: Date
        public let payer: OrganisationID
        public init(product: ProductID, expected: Date, next: Date, payer: OrganisationID) {
            self.product = product
            self.expected = expected
            self.next = next
            self.payer = payer
        }
    }

    /// Moves each product's paid period on by one, only if it still ends at its `expected` time:
    /// of two runs (or two instances) exactly one wins each product, so nothing is billed twice
    /// (R-B8). Returns the products this transaction won. The window, not equality: a stored
    /// time read back and bound again may differ in its last bits; periods are months apart.
    public func claimRenewals(_ claims: [RenewalClaim]) async throws -> Set<ProductID> {
        var won = Set<ProductID>()
        var start = 0
        while start < claims.count {
            let slice = claims[start..<min(claims.count, start + 2000)]
            start += slice.count
            let values = slice.map { claim -> SQLQueryString in
                "(\(bind: claim.product.rawValue), \(bind: claim.expected.addingTimeInterval(-1)), \(bind: claim.expected.addingTimeInterval(1)), \(bind: claim.next), \(bind: claim.payer.rawValue))"
            }.joined(separator: ", ")
            let rows = try await sql.raw("""
                UPDATE products SET renews_at = v.column4, payer_id = v.column5, status = 'active', grace_until = NULL
                FROM (VALUES \(values)) AS v
                WHERE products.id = v.column1 AND products.renews_at > v.column2 AND products.renews_at < v.column3
                RETURNING products.id AS id
                """).all()
            for row in rows { won.insert(ProductID(try FastRow(row).uuid("id"))) }
        }
        return won
    }

    /// Gives claims back (a renewal that could not be paid after all): the product as it was
    /// before the claim — period, payer, status and grace.
    public func releaseRenewals(_ products: [Product]) async throws {
        for product in products {
            guard let billing = product.billing else { continue }
            try await sql.raw("""
                UPDATE products SET renews_at = \(bind: billing.renewsAt), payer_id = \(bind: billing.payer.rawValue), status = \(bind: product.status),
                  grace_until = \(bind: billing.graceUntil) WHERE id = \(bind: product.id.rawValue)
                """).run()
        }
    }

    // MARK: bulk reads for a renewal batch

    public func organisations(ids: Set<OrganisationID>) async throws -> [OrganisationID: Organisation] {
        guard !ids.isEmpty else { return [:] }
        var result: [OrganisationID: Organisation] = [:]
        for row in try await OrganisationRow.query(on: database).filter(\.$id ~~ ids.map(\.rawValue)).all() {
            let organisation = try row.domain()
            result[organisation.id] = organisation
        }
        return result
    }

    /// The active partnerships of these clients, with their grants (two queries).
    public func activePartnerships(clients: Set<OrganisationID>) async throws -> [OrganisationID: [Partnership]] {
        guard !clients.isEmpty else { return [:] }
        let rows = try await PartnershipRow.query(on: database).filter(\.$clientID ~~ clients.map(\.rawValue))
            .filter(\.$state == PartnershipState.active.rawValue).sort(\.$createdAt, .descending).all()
        var result: [OrganisationID: [Partnership]] = [:]
        for partnership in try await withGrants(rows) {
            // The query asked for these clients' partnerships, so each has a client.
            guard let client = partnership.clientID else { continue }
            result[client, default: []].append(partnership)
        }
        return result
    }

    /// R-B4 rates of several partners at once; categories never set use the standard rates.
    public func partnerRates(partners: Set<OrganisationID>) async throws -> [OrganisationID: PartnerRates] {
        guard !partners.isEmpty else { return [:] }
        var rates = Dictionary(uniqueKeysWithValues: partners.map { ($0, PartnerRates.standard.rates) })
        for row in try await PartnerRateRow.query(on: database).filter(\.$organisationID ~~ partners.map(\.rawValue)).all() {
            guard let category = ProductCategory(rawValue: row.category) else { continue }
            guard let rate = BasisPoints(checked: row.rateBP) else { throw InvalidStoredValue(table: "partner_rates", column: "rate_bp", value: String(row.rateBP)) }
            rates[OrganisationID(row.organisationID)]?[category] = rate
        }
        return rates.mapValues(PartnerRates.init)
    }

    /// R-B4: the facts `TierCount` decides each payer's count from, one query for several payers:
    /// the active and in-grace products of `categories` that could be billed to one of `payers`
    /// now — their own, and those of clients they hold a full partnership with — grouped by
    /// client, with the client's active full partnership and whether a limited partnership was
    /// granted them, both as of `now` (a partnership past its end date governs nothing).
    public func tierFacts(payers: Set<OrganisationID>, categories: Set<ProductCategory>, now: Date) async throws -> [TierCount.Facts] {
        guard !payers.isEmpty, !categories.isEmpty else { return [] }
        let ids = payers.map(\.rawValue)
        let rows = try await fastRows("""
            SELECT p.organisation_id AS client, p.category, CAST(f.partner_id AS TEXT) AS full_partner, f.payment_mode AS full_mode,
                   CASE WHEN EXISTS (SELECT 1 FROM partnership_grants g JOIN partnerships l ON l.id = g.partnership_id
                                     WHERE g.product_id = p.id AND l.state = 'active' AND l.access = 'limited'
                                       AND (l.ends_at IS NULL OR l.ends_at > \(bind: now))) THEN 1 ELSE 0 END AS limited,
                   COUNT(*) AS n
            FROM products p
            LEFT JOIN partnerships f ON f.client_id = p.organisation_id AND f.state = 'active' AND f.access = 'full'
                                    AND (f.ends_at IS NULL OR f.ends_at > \(bind: now))
            WHERE p.status IN ('active', 'grace') AND p.payer_id IS NOT NULL AND p.category IN (\(binds: categories.map(\.rawValue)))
              AND (p.organisation_id IN (\(binds: ids))
                   OR p.organisation_id IN (SELECT c.client_id FROM partnerships c
                                            WHERE c.partner_id IN (\(binds: ids)) AND c.state = 'active' AND c.access = 'full'))
            GROUP BY p.organisation_id, p.category, f.partner_id, f.payment_mode, limited
            """)
        return try rows.compactMap { r in
            guard let category = ProductCategory(rawValue: try r.string("category")) else { return nil }
            let partner = try r.optionalString("full_partner").flatMap { UUID(uuidString: $0) }.map(OrganisationID.init)
            let mode = try r.optionalString("full_mode").flatMap(PaymentMode.init(rawValue:))
            return TierCount.Facts(client: OrganisationID(try r.uuid("client")), category: category, fullPartner: partner, fullPaymentMode: mode,
                                   grantedToLimited: try r.int("limited") != 0, count: try r.int("n"))
        }
    }

    /// R-B4 hostings per category billed to each payer now (`TierCount` on `tierFacts`).
    public func tierCounts(payers: Set<OrganisationID>, categories: Set<ProductCategory>, now: Date) async throws -> [OrganisationID: [ProductCategory: Int64]] {
        let facts = try await tierFacts(payers: payers, categories: categories, now: now)
        return Dictionary(uniqueKeysWithValues: payers.map { ($0, TierCount.counts(for: $0, facts)) })
    }

    // MARK: mail (R-N1)

    public struct Mail: Sendable {
        public let to: EmailAddress
        public let subject: String
        public let body: String
        public init(to: EmailAddress, subject: String, body: String) {
            self.to = to
            self.subject = subject
            self.body = body
        }
    }

    /// Many messages into the outbox in one statement (a tender's fan-out, a renewal batch).
    public func enqueueMails(_ mails: [Mail], now: Date) async throws {
        try await insertRows("outbox_messages", columns: ["id", "recipient", "subject", "body", "created_at", "attempts"],
                             rows: mails.map { [UUID.timeOrdered(), $0.to.value, $0.subject, $0.body, now, 0] as [Bindable] })
    }
}
