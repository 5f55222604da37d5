import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// R-B11: an order a client asked for on its partner's money, waiting for the partner.
public struct ApprovalRequest: Sendable, Hashable {
    public enum State: String, Sendable { case pending, approved, declined }
    public let id: UUID
    public let clientID: OrganisationID
    public let partnerID: OrganisationID
    public let partnershipID: PartnershipID
    public let requestedBy: UserID
    /// The order input (lines or a renewal) as JSON, priced again when approved.
    public let input: String
    /// What was asked, in words ("3 × Web hosting …").
    public let summary: String
    /// The list price the client saw (R-B11: the public price only).
    public let listTotal: Money
    public let state: State
    public let orderID: OrderID?
    public let createdAt: Date

    public init(id: UUID, clientID: OrganisationID, partnerID: OrganisationID, partnershipID: PartnershipID, requestedBy: UserID, input: String,
                summary: String, listTotal: Money, state: State, orderID: OrderID?, createdAt: Date) {
        self.id = id
        self.clientID = clientID
        self.partnerID = partnerID
        self.partnershipID = partnershipID
        self.requestedBy = requestedBy
        self.input = input
        self.summary = summary
        self.listTotal = listTotal
        self.state = state
        self.orderID = orderID
        self.createdAt = createdAt
    }
}

extension Store {
    // MARK: the rules

    public func clientSpending(_ partnership: PartnershipID) async throws -> ClientSpending {
        struct Row: Decodable { let client_spending: String?; let client_limit_minor: Int64?; let client_limit_currency: String? }
        guard let row = try await sql.raw("""
            SELECT client_spending, client_limit_minor, client_limit_currency FROM partnerships WHERE id = \(bind: partnership.rawValue)
            """).first(decoding: Row.self) else { return .direct }
        switch row.client_spending {
        case "approval": return .approval
        case "monthly_limit":
            guard let minor = row.client_limit_minor, let currency = row.client_limit_currency.flatMap(Currency.init(rawValue:)) else { return .approval }
            return .monthlyLimit(Money(minorUnits: minor, currency: currency))
        default: return .direct
        }
    }

    public func setClientSpending(_ partnership: PartnershipID, _ spending: ClientSpending) async throws {
        var limit: Money? = nil
        if case .monthlyLimit(let money) = spending { limit = money }
        try await sql.raw("""
            UPDATE partnerships SET client_spending = \(bind: spending.name), client_limit_minor = \(bind: limit?.minorUnits),
                client_limit_currency = \(bind: limit?.currency.rawValue) WHERE id = \(bind: partnership.rawValue)
            """).run()
    }

    /// R-B11: the employee's monthly limit on the partner's money; nil when none was granted.
    public func employeeSpendingLimit(_ membership: MembershipID) async throws -> Money? {
        struct Row: Decodable { let spend_limit_minor: Int64?; let spend_limit_currency: String? }
        guard let row = try await sql.raw("""
            SELECT spend_limit_minor, spend_limit_currency FROM memberships WHERE id = \(bind: membership.rawValue)
            """).first(decoding: Row.self), let minor = row.spend_limit_minor,
              let currency = row.spend_limit_currency.flatMap(Currency.init(rawValue:)) else { return nil }
        return Money(minorUnits: minor, currency: currency)
    }

    public func setEmployeeSpendingLimit(_ membership: MembershipID, _ limit: Money?) async throws {
        try await sql.raw("""
            UPDATE memberships SET spend_limit_minor = \(bind: limit?.minorUnits), spend_limit_currency = \(bind: limit?.currency.rawValue)
            WHERE id = \(bind: membership.rawValue)
            """).run()
    }

    /// Serialises the orders counted against one limit (PostgreSQL row lock; SQLite's writes are
    /// serialised already): of two orders racing for the last francs, the second sees the first.
    public func lockSpending(partnership: PartnershipID?, membership: MembershipID?) async throws {
        guard kind == .postgres else { return }
        if let partnership { _ = try await sql.raw("SELECT id FROM partnerships WHERE id = \(bind: partnership.rawValue) FOR UPDATE").all() }
        if let membership { _ = try await sql.raw("SELECT id FROM memberships WHERE id = \(bind: membership.rawValue) FOR UPDATE").all() }
    }

    /// The net of orders paid by `payer` since `since` in `currency`: the client's own orders for
    /// that client (`client`), or those one user placed (`placedBy`).
    public func partnerMoneySpent(payer: OrganisationID, client: OrganisationID? = nil, placedBy: UserID? = nil, since: Date,
                                  currency: Currency) async throws -> Money {
        // PostgreSQL sums a BIGINT column as NUMERIC: cast back, so both databases answer an integer.
        struct Row: Decodable { let total: Int64? }
        var query = SQLQueryString("SELECT CAST(SUM(net) AS BIGINT) AS total FROM orders WHERE payer_id = \(bind: payer.rawValue) AND currency = \(bind: currency.rawValue)")
        query.appendInterpolation(unsafeRaw: " AND created_at >= ")
        query.appendInterpolation(bind: since)
        if let client {
            query.appendInterpolation(unsafeRaw: " AND party = 'client' AND organisation_id = ")
            query.appendInterpolation(bind: client.rawValue)
        }
        if let placedBy {
            query.appendInterpolation(unsafeRaw: " AND placed_by = ")
            query.appendInterpolation(bind: placedBy.rawValue)
        }
        let total = try await sql.raw(query).first(decoding: Row.self)?.total ?? 0
        return Money(minorUnits: total, currency: currency)
    }

    // MARK: order requests

    public func createOrderRequest(_ request: ApprovalRequest) async throws {
        try await sql.raw("""
            INSERT INTO order_requests (id, client_id, partner_id, partnership_id, requested_by, input, summary, list_total_minor, currency, state, created_at)
            VALUES (\(bind: request.id), \(bind: request.clientID.rawValue), \(bind: request.partnerID.rawValue), \(bind: request.partnershipID.rawValue),
                    \(bind: request.requestedBy.rawValue), \(bind: request.input), \(bind: request.summary), \(bind: request.listTotal.minorUnits),
                    \(bind: request.listTotal.currency.rawValue), \(bind: request.state.rawValue), \(bind: request.createdAt))
            """).run()
    }

    private struct RequestRow: Decodable {
        let id: UUID, client_id: UUID, partner_id: UUID, partnership_id: UUID, requested_by: UUID, input: String, summary: String
        let list_total_minor: Int64, currency: String, state: String, order_id: UUID?, created_at: Date
        var request: ApprovalRequest? {
            guard let currency = Currency(rawValue: currency), let state = ApprovalRequest.State(rawValue: state) else { return nil }
            return ApprovalRequest(id: id, clientID: OrganisationID(client_id), partnerID: OrganisationID(partner_id), partnershipID: PartnershipID(partnership_id),
                                requestedBy: UserID(requested_by), input: input, summary: summary, listTotal: Money(minorUnits: list_total_minor, currency: currency),
                                state: state, orderID: order_id.map(OrderID.init), createdAt: created_at)
        }
    }

    /// A partner's requests (newest first), or a client's (`client`); `id`: just that one, however old.
    public func orderRequests(partner: OrganisationID? = nil, client: OrganisationID? = nil, id: UUID? = nil, limit: Int = 200,
                              after: TimeKey? = nil) async throws -> [ApprovalRequest] {
        var query = SQLQueryString("SELECT id, client_id, partner_id, partnership_id, requested_by, input, summary, list_total_minor, currency, state, order_id, created_at FROM order_requests WHERE 1 = 1")
        if let partner {
            query.appendInterpolation(unsafeRaw: " AND partner_id = ")
            query.appendInterpolation(bind: partner.rawValue)
        }
        if let client {
            query.appendInterpolation(unsafeRaw: " AND client_id = ")
            query.appendInterpolation(bind: client.rawValue)
        }
        if let id {
            query.appendInterpolation(unsafeRaw: " AND id = ")
            query.appendInterpolation(bind: id)
        }
        if let after {
            query.appendInterpolation(unsafeRaw: " AND created_at <= ")
            query.appendInterpolation(bind: after.time)
            query.appendInterpolation(unsafeRaw: " AND (created_at < ")
            query.appendInterpolation(bind: after.time)
            query.appendInterpolation(unsafeRaw: " OR id < ")
            query.appendInterpolation(bind: after.id)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id DESC LIMIT \(max(1, min(limit, 501)))")
        return try await sql.raw(query).all(decoding: RequestRow.self).compactMap(\.request)
    }

    /// Decides a pending request once: false when it was decided already (a second click, or the
    /// other legal representative was quicker).
    public func decideOrderRequest(_ id: UUID, partner: OrganisationID, state: ApprovalRequest.State, by user: UserID, order: OrderID?,
                                   now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE order_requests SET state = \(bind: state.rawValue), decided_by = \(bind: user.rawValue), decided_at = \(bind: now),
                order_id = \(bind: order?.rawValue)
            WHERE id = \(bind: id) AND partner_id = \(bind: partner.rawValue) AND state = 'pending' RETURNING id
            """).all()
        return rows.count == 1
    }
}
