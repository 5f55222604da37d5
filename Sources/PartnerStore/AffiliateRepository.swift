import FluentKit
import Foundation
import PartnerCore
import SQLKit

public struct Affiliate: Sendable, Hashable {
    public let id: AffiliateID
    public let userID: UserID
    /// Holds the affiliate's prepaid account (R-A1 payouts, R-B5).
    public let organisationID: OrganisationID
    public let code: String
    public let createdAt: Date
}

public struct AffiliateCommission: Sendable, Hashable {
    public let id: CommissionID
    public let affiliateID: AffiliateID
    public let orderID: OrderID
    public let base: Money
    public let rate: BasisPoints
    public let amount: Money
    /// As stored: `pending` turns `payable` by time (`AffiliateScheme.status`).
    public let status: CommissionStatus
    public let createdAt: Date
}

/// A commission about to be written with its order (R-A1).
public struct NewCommission: Sendable {
    public let affiliateID: AffiliateID
    public let orderID: OrderID
    public let organisationID: OrganisationID
    public let base: Money
    public let rate: BasisPoints
    public let amount: Money
    public init(affiliateID: AffiliateID, orderID: OrderID, organisationID: OrganisationID, base: Money, rate: BasisPoints, amount: Money) {
        self.affiliateID = affiliateID
        self.orderID = orderID
        self.organisationID = organisationID
        self.base = base
        self.rate = rate
        self.amount = amount
    }
}

extension Store {
    // MARK: affiliates (R-A1)

    public func createAffiliate(user: UserID, organisation: OrganisationID, code: String, now: Date) async throws -> Affiliate {
        let id = AffiliateID(UUID())
        do {
            try await sql.raw("""
                INSERT INTO affiliates (id, user_id, organisation_id, code, created_at)
                VALUES (\(bind: id.rawValue), \(bind: user.rawValue), \(bind: organisation.rawValue), \(bind: code), \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: String(reflecting: error).contains("code") ? "code" : "user_id")
        }
        return Affiliate(id: id, userID: user, organisationID: organisation, code: code, createdAt: now)
    }

    func affiliate(_ row: any SQLRow) throws -> Affiliate {
        Affiliate(id: AffiliateID(try row.decode(column: "id", as: UUID.self)), userID: UserID(try row.decode(column: "user_id", as: UUID.self)),
                  organisationID: OrganisationID(try row.decode(column: "organisation_id", as: UUID.self)), code: try row.decode(column: "code", as: String.self),
                  createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    public func affiliate(user: UserID) async throws -> Affiliate? {
        try await sql.raw("SELECT id, user_id, organisation_id, code, created_at FROM affiliates WHERE user_id = \(bind: user.rawValue)").first().map(affiliate)
    }

    public func affiliate(id: AffiliateID) async throws -> Affiliate? {
        try await sql.raw("SELECT id, user_id, organisation_id, code, created_at FROM affiliates WHERE id = \(bind: id.rawValue)").first().map(affiliate)
    }

    public func affiliate(code: String) async throws -> Affiliate? {
        try await sql.raw("SELECT id, user_id, organisation_id, code, created_at FROM affiliates WHERE code = \(bind: code)").first().map(affiliate)
    }

    public func recordAffiliateClick(_ affiliate: AffiliateID, tokenHash: String, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO affiliate_clicks (id, affiliate_id, token_hash, clicked_at) VALUES (\(bind: UUID()), \(bind: affiliate.rawValue), \(bind: tokenHash), \(bind: now))
            """).run()
    }

    public func affiliateClick(tokenHash: String) async throws -> (AffiliateID, Date)? {
        try await sql.raw("SELECT affiliate_id, clicked_at FROM affiliate_clicks WHERE token_hash = \(bind: tokenHash)").first().map {
            (AffiliateID(try $0.decode(column: "affiliate_id", as: UUID.self)), try $0.decode(column: "clicked_at", as: Date.self))
        }
    }

    public func attribute(_ organisation: OrganisationID, to affiliate: AffiliateID, clickedAt: Date, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO affiliate_attributions (id, organisation_id, affiliate_id, clicked_at, attributed_at)
            VALUES (\(bind: UUID()), \(bind: organisation.rawValue), \(bind: affiliate.rawValue), \(bind: clickedAt), \(bind: now))
            """).run()
    }

    /// Which of these organisations were attributed to an affiliate, and when (R-A1).
    public func attributions(_ organisations: Set<OrganisationID>) async throws -> [OrganisationID: (AffiliateID, Date)] {
        guard !organisations.isEmpty else { return [:] }
        var result: [OrganisationID: (AffiliateID, Date)] = [:]
        for row in try await sql.raw("""
            SELECT organisation_id, affiliate_id, attributed_at FROM affiliate_attributions WHERE organisation_id IN (\(binds: organisations.map(\.rawValue)))
            """).all() {
            result[OrganisationID(try row.decode(column: "organisation_id", as: UUID.self))] =
                (AffiliateID(try row.decode(column: "affiliate_id", as: UUID.self)), try row.decode(column: "attributed_at", as: Date.self))
        }
        return result
    }

    /// What each affiliate earned so far per currency (every commission not reversed): the rate's basis.
    public func cumulativeCommissions(_ affiliates: Set<AffiliateID>) async throws -> [AffiliateID: [Currency: Int64]] {
        guard !affiliates.isEmpty else { return [:] }
        var result: [AffiliateID: [Currency: Int64]] = [:]
        for row in try await sql.raw("""
            SELECT affiliate_id, currency, CAST(SUM(amount) AS BIGINT) AS total FROM affiliate_commissions
            WHERE affiliate_id IN (\(binds: affiliates.map(\.rawValue))) AND status <> 'reversed' GROUP BY affiliate_id, currency
            """).all() {
            guard let currency = Currency(rawValue: try row.decode(column: "currency", as: String.self)) else { continue }
            result[AffiliateID(try row.decode(column: "affiliate_id", as: UUID.self)), default: [:]][currency] = try row.decode(column: "total", as: Int64.self)
        }
        return result
    }

    public func insertCommissions(_ commissions: [NewCommission], now: Date) async throws {
        try await insertRows("affiliate_commissions", columns: ["id", "affiliate_id", "order_id", "organisation_id", "currency", "base", "rate_bp", "amount",
                                                                "status", "created_at"],
                             rows: commissions.map { c in
                                 [UUID(), c.affiliateID.rawValue, c.orderID.rawValue, c.organisationID.rawValue, c.amount.currency.rawValue, c.base.minorUnits,
                                  c.rate.value, c.amount.minorUnits, CommissionStatus.pending.rawValue, now] as [Bindable]
                             })
    }

    public func commissions(of affiliate: AffiliateID, limit: Int = 500) async throws -> [AffiliateCommission] {
        try await sql.raw("""
            SELECT id, affiliate_id, order_id, currency, base, rate_bp, amount, status, created_at FROM affiliate_commissions
            WHERE affiliate_id = \(bind: affiliate.rawValue) ORDER BY created_at DESC LIMIT \(unsafeRaw: String(limit))
            """).all().map { row in
            let currency = Currency(rawValue: try row.decode(column: "currency", as: String.self)) ?? .chf
            let storedRate = try row.decode(column: "rate_bp", as: Int.self)
            guard let rate = BasisPoints(checked: storedRate) else { throw InvalidStoredValue(table: "affiliate_commissions", column: "rate_bp", value: String(storedRate)) }
            return AffiliateCommission(id: CommissionID(try row.decode(column: "id", as: UUID.self)), affiliateID: affiliate,
                                       orderID: OrderID(try row.decode(column: "order_id", as: UUID.self)),
                                       base: Money(minorUnits: try row.decode(column: "base", as: Int64.self), currency: currency),
                                       rate: rate,
                                       amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
                                       status: CommissionStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                                       createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    /// R-A1: a refund reverses the order's commission while it is unpaid. Returns whether it did.
    public func reverseCommission(order: OrderID, now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE affiliate_commissions SET status = 'reversed', reversed_at = \(bind: now)
            WHERE order_id = \(bind: order.rawValue) AND status = 'pending' AND payout_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Unpaid commissions that waited long enough (created at or before `heldSince`), per
    /// affiliate and currency: what this month's payouts pay.
    public func payableCommissions(heldSince: Date) async throws -> [(AffiliateID, Currency, [CommissionID], Int64)] {
        let rows = try await sql.raw("""
            SELECT id, affiliate_id, currency, amount FROM affiliate_commissions
            WHERE status = 'pending' AND payout_id IS NULL AND created_at <= \(bind: heldSince) ORDER BY affiliate_id, currency
            """).all()
        var groups: [String: (AffiliateID, Currency, [CommissionID], Int64)] = [:]
        for row in rows {
            guard let currency = Currency(rawValue: try row.decode(column: "currency", as: String.self)) else { continue }
            let affiliate = AffiliateID(try row.decode(column: "affiliate_id", as: UUID.self))
            let key = affiliate.string + currency.rawValue
            var group = groups[key] ?? (affiliate, currency, [], 0)
            group.2.append(CommissionID(try row.decode(column: "id", as: UUID.self)))
            group.3 += try row.decode(column: "amount", as: Int64.self)
            groups[key] = group
        }
        return groups.values.sorted { ($0.0.string, $0.1.rawValue) < ($1.0.string, $1.1.rawValue) }
    }

    /// One payout a month per affiliate and currency (the unique key answers a second run).
    public func recordPayout(affiliate: AffiliateID, currency: Currency, month: String, amount: Int64, ledgerEntry: LedgerEntryID,
                             commissions: [CommissionID], now: Date) async throws {
        let id = UUID()
        do {
            try await sql.raw("""
                INSERT INTO affiliate_payouts (id, affiliate_id, currency, month, amount, ledger_entry_id, created_at)
                VALUES (\(bind: id), \(bind: affiliate.rawValue), \(bind: currency.rawValue), \(bind: month), \(bind: amount), \(bind: ledgerEntry.rawValue), \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "month")
        }
        try await sql.raw("""
            UPDATE affiliate_commissions SET status = 'paid', payout_id = \(bind: id) WHERE id IN (\(binds: commissions.map(\.rawValue)))
            """).run()
    }

    public func affiliateStats(_ affiliate: AffiliateID) async throws -> (clicks: Int, organisations: Int) {
        let clicks = try await sql.raw("SELECT COUNT(*) AS n FROM affiliate_clicks WHERE affiliate_id = \(bind: affiliate.rawValue)").first()
        let organisations = try await sql.raw("SELECT COUNT(*) AS n FROM affiliate_attributions WHERE affiliate_id = \(bind: affiliate.rawValue)").first()
        return (Int(try clicks?.decode(column: "n", as: Int64.self) ?? 0), Int(try organisations?.decode(column: "n", as: Int64.self) ?? 0))
    }
}
