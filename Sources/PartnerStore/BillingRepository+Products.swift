import FluentKit
import FluentSQLiteDriver
import Foundation
import PartnerCore
import SQLKit

/// Products with billing (R-B8), invoices (R-B6) and idempotency keys (R-B5).
extension Store {
    // MARK: products with billing (R-B8)

    /// Where a page of due renewals ended: time and id exactly as stored.
    public struct RenewalKeyset: @unchecked Sendable {
        let time: Bindable
        let id: Bindable
    }

    /// Products whose renewal is due by `until`, oldest due first, a page after `after`
    /// (renewal time, id), so products left in grace never hide the ones behind them; and the
    /// keyset the next page starts after.
    public func dueRenewals(until: Date, after: RenewalKeyset? = nil, limit: Int = 500) async throws -> (products: [Product], next: RenewalKeyset?) {
        // A run over 100,000 products reads them all: rows as stored, column by column.
        let columns: SQLQueryString = "SELECT id, organisation_id, category, name, status, created_at, period, renews_at, payer_id, grace_until FROM products"
        let rows: [FastRow]
        if let after {
            rows = try await fastRows("""
                \(columns) WHERE renews_at IS NOT NULL AND renews_at <= \(bind: until) AND status IN ('active', 'grace')
                  AND renews_at >= \(bind: after.time) AND (renews_at > \(bind: after.time) OR id > \(bind: after.id))
                ORDER BY renews_at, id LIMIT \(unsafeRaw: String(limit))
                """)
        } else {
            rows = try await fastRows("""
                \(columns) WHERE renews_at IS NOT NULL AND renews_at <= \(bind: until) AND status IN ('active', 'grace')
                ORDER BY renews_at, id LIMIT \(unsafeRaw: String(limit))
                """)
        }
        let products = try rows.map { r in
            guard let category = ProductCategory(rawValue: try r.string("category")), let period = BillingPeriod(rawValue: try r.string("period")) else {
                throw StoreError.notFound
            }
            let billing = ProductBilling(period: period, renewsAt: try r.date("renews_at"), payer: OrganisationID(try r.uuid("payer_id")),
                                         graceUntil: try r.optionalDate("grace_until"))
            return Product(id: ProductID(try r.uuid("id")), organisationID: OrganisationID(try r.uuid("organisation_id")), category: category,
                           name: try r.string("name"), status: try r.string("status"), createdAt: try r.date("created_at"), billing: billing)
        }
        let next = try rows.last.map { last in
            RenewalKeyset(time: try last.exactValue("renews_at"), id: try last.row.map { try $0.decode(column: "id", as: UUID.self) } ?? last.exactValue("id"))
        }
        return (products, next)
    }

    /// Of two runs (or two instances) exactly one wins the period (R-B8). Inside `write`.
    public func advanceRenewal(_ id: ProductID, expected: Date, next: Date, payer: OrganisationID) async throws -> Bool {
        !(try await claimRenewals([RenewalClaim(product: id, expected: expected, next: next, payer: payer)])).isEmpty
    }

    /// An unpaid renewal: the product stays usable until `graceUntil`, then is suspended.
    /// Marks an unpaid renewal (R-B16 `UnpaidRenewal` decides the end and the status).
    public func enterGrace(_ id: ProductID, until graceUntil: Date, status: String) async throws {
        guard let row = try await ProductRow.find(id.rawValue, on: database) else { throw StoreError.notFound }
        if row.graceUntil == nil { row.graceUntil = graceUntil }
        row.status = status
        try await row.update(on: database)
    }

    /// R-B16: an unpaid product whose paid period has ended is in grace from its due date.
    public func startDueGrace(now: Date) async throws {
        try await sql.raw("""
            UPDATE products SET status = 'grace'
            WHERE status = 'active' AND grace_until IS NOT NULL AND renews_at IS NOT NULL AND renews_at <= \(bind: now)
            """).run()
    }

    /// Products whose grace period ran out are suspended.
    public func suspendExpiredGrace(now: Date) async throws -> [Product] {
        let rows = try await ProductRow.query(on: database).filter(\.$status == "grace").filter(\.$graceUntil <= now).all()
        for row in rows {
            row.status = "suspended"
            try await row.update(on: database)
        }
        return try rows.map { try $0.domain() }
    }

    /// Renewal reminders due (R-B8: 14 days before), each claimed once.
    public func claimRenewalReminders(now: Date) async throws -> [Product] {
        try await write { tx in
            let rows = try await ProductRow.query(on: tx.database).filter(\.$renewsAt != nil).filter(\.$status == "active")
                .filter(\.$renewsAt <= now.addingTimeInterval(14 * 86_400)).filter(\.$renewsAt > now)
                .group(.or) { $0.filter(\.$remindedRenewalAt == nil).filter(\.$remindedRenewalAt < now.addingTimeInterval(-20 * 86_400)) }.all()
            for row in rows {
                row.remindedRenewalAt = now
                try await row.update(on: tx.database)
            }
            return try rows.map { try $0.domain() }
        }
    }

    // MARK: invoices (R-B6)

    /// The next number of `year` (see `reserveInvoiceNumbers`).
    public func nextInvoiceNumber(year: Int) async throws -> String {
        try await reserveInvoiceNumbers(year: year, count: 1)[0]
    }

    /// The invoices issued to `organisation`, newest first (R-B6: only the paying organisation).
    public func invoices(of organisation: OrganisationID, limit: Int = 200, after: TimeKey? = nil) async throws -> [Invoice] {
        var query = InvoiceRow.query(on: database).filter(\.$organisationID == organisation.rawValue)
        if let after { query = query.filter(\.$issuedAt <= after.time).group(.or) { $0.filter(\.$issuedAt < after.time).filter(\.$id < after.id) } }
        return try await withInvoiceLines(try await query.sort(\.$issuedAt, .descending).sort(\.$id, .descending).limit(limit).all())
    }

    /// One invoice, only if it was issued to `organisation`; anyone else gets nil (404).
    public func invoice(_ id: InvoiceID, of organisation: OrganisationID) async throws -> Invoice? {
        try await withInvoiceLines(try await InvoiceRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$organisationID == organisation.rawValue).all()).first
    }

    /// The credit note correcting `invoice`, if one was issued.
    public func creditNote(for invoice: InvoiceID) async throws -> Invoice? {
        try await withInvoiceLines(try await InvoiceRow.query(on: database).filter(\.$refersTo == invoice.rawValue).all()).first
    }

    /// A refunded order's products end (R-B4 then no longer counts them).
    public func cancelProducts(_ ids: [ProductID]) async throws {
        guard !ids.isEmpty else { return }
        try await ProductRow.query(on: database).filter(\.$id ~~ ids.map(\.rawValue)).set(\.$status, to: "cancelled").update()
    }

    /// The invoices of many orders at once (two queries, not one per order).
    public func invoices(orders: [OrderID]) async throws -> [OrderID: Invoice] {
        guard !orders.isEmpty else { return [:] }
        let rows = try await InvoiceRow.query(on: database).filter(\.$orderID ~~ orders.map(\.rawValue)).filter(\.$kind == InvoiceKind.invoice.rawValue).all()
        var result: [OrderID: Invoice] = [:]
        for invoice in try await withInvoiceLines(rows) { if let order = invoice.orderID { result[order] = invoice } }
        return result
    }

    public func invoice(order: OrderID) async throws -> Invoice? {
        try await withInvoiceLines(try await InvoiceRow.query(on: database).filter(\.$orderID == order.rawValue).filter(\.$kind == InvoiceKind.invoice.rawValue).all()).first
    }

    /// Streams an organisation's invoices oldest first in pages (R-B7 exports), by keyset
    /// (issue time, number): every page costs the same.
    public func forEachInvoicePage(_ organisation: OrganisationID, pageSize: Int = 500, _ body: ([Invoice]) async throws -> Void) async throws {
        var after: (Date, String)? = nil
        while true {
            var query = InvoiceRow.query(on: database).filter(\.$organisationID == organisation.rawValue)
            if let (time, number) = after {
                query = query.filter(\.$issuedAt >= time).group(.or) { $0.filter(\.$issuedAt > time).filter(\.$number > number) }
            }
            let rows = try await query.sort(\.$issuedAt).sort(\.$number).limit(pageSize).all()
            guard let last = rows.last else { return }
            try await body(try await withInvoiceLines(rows))
            after = (last.issuedAt, last.number)
            if rows.count < pageSize { return }
        }
    }

    func withInvoiceLines(_ rows: [InvoiceRow]) async throws -> [Invoice] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.requireID() }
        let lines = Dictionary(grouping: try await InvoiceLineRow.query(on: database).filter(\.$invoiceID ~~ ids).sort(\.$position).all(), by: \.invoiceID)
        return try rows.map { row in
            guard let currency = Currency(rawValue: row.currency), let kind = InvoiceKind(rawValue: row.kind), let country = CountryCode(row.recipientCountry)
            else { throw StoreError.notFound }
            func money(_ v: Int64) -> Money { Money(minorUnits: v, currency: currency) }
            let id = try row.requireID()
            let invoiceLines = (lines[id] ?? []).map {
                InvoiceLine(description: $0.description, quantity: $0.quantity, unitPrice: money($0.unitPrice), explanation: $0.explanation, net: money($0.net))
            }
            let totals = try InvoiceTotals(lineNets: invoiceLines.map(\.net), currency: currency, country: country)
            return Invoice(id: InvoiceID(id), number: row.number, organisationID: OrganisationID(row.organisationID), orderID: row.orderID.map(OrderID.init),
                           kind: kind, refersTo: row.refersTo.map(InvoiceID.init), recipientName: row.recipientName, recipientCountry: country,
                           lines: invoiceLines, totals: totals, issuedAt: row.issuedAt)
        }
    }

    // MARK: idempotency (R-B5)

    public struct IdempotentResponse: Sendable, Equatable {
        public let fingerprint: String
        public let status: Int
        public let body: String
        public init(fingerprint: String, status: Int, body: String) {
            self.fingerprint = fingerprint
            self.status = status
            self.body = body
        }
    }

    public func idempotentResponse(organisation: OrganisationID, key: String) async throws -> IdempotentResponse? {
        guard let row = try await IdempotencyRow.query(on: database).filter(\.$organisationID == organisation.rawValue).filter(\.$key == key).first() else { return nil }
        return IdempotentResponse(fingerprint: row.fingerprint, status: row.status, body: row.body)
    }

    /// Stored in the transaction that did the work; a concurrent twin fails on the unique key.
    public func saveIdempotentResponse(organisation: OrganisationID, key: String, response: IdempotentResponse, now: Date) async throws {
        let row = IdempotencyRow()
        row.organisationID = organisation.rawValue
        row.key = key
        row.fingerprint = response.fingerprint
        row.status = response.status
        row.body = response.body
        row.createdAt = now
        do { try await row.create(on: database) } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "idempotency_key")
        }
    }
}
