import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// An order that waits for the partner's approval instead of being placed (R-B11).
struct AwaitingApproval: Error {
    let request: ApprovalRequest
}

/// R-B11: spending the partner's money. The limit is checked inside the order's transaction,
/// after the limit's row is locked, so two orders racing for its last francs see each other.
extension BillingService {
    /// Which limit an order on the partner's money counts against, if any.
    enum SpendingGate: Sendable {
        /// The client's own order (R-B3 row 4) under the partner's choice for this client.
        case client(ClientSpending, partnership: PartnershipID)
        /// A partner employee's order, against the limit a legal representative granted.
        case employee(limit: Money?, membership: MembershipID)
    }

    func spendingGate(_ s: Situation, actor: User, store: Store) async throws -> SpendingGate? {
        guard s.answer.payer == .partner, s.payer.id != s.client.id else { return nil }
        if s.party == .client, let partnership = s.partnership {
            return .client(try await store.clientSpending(partnership.id), partnership: partnership.id)
        }
        if let context = try await store.context(user: actor.id, organisation: s.payer.id), context.role == .employee {
            return .employee(limit: try await store.employeeSpendingLimit(context.membershipID), membership: context.membershipID)
        }
        return nil
    }

    enum GateOutcome { case place, awaitingApproval(ApprovalRequest) }

    /// How a stored idempotent answer names an order request rather than an order.
    static let requestReplayPrefix = "request:"

    /// In the order's transaction: the month's spending against the limit (`SpendingRules`).
    func passGate(_ gate: SpendingGate, _ s: Situation, priced: PricedOrder, actor: User, input: OrderInput, quoteID: QuoteID?,
                  idempotency: Idempotency? = nil, tx: Store) async throws -> GateOutcome {
        let now = clock.now()
        let since = SpendingRules.monthStart(now)
        let decision: SpendingDecision
        switch gate {
        case .client(let mode, let partnership):
            try await tx.lockSpending(partnership: partnership, membership: nil)
            let spent = try await tx.partnerMoneySpent(payer: s.payer.id, client: s.client.id, since: since, currency: priced.currency)
            decision = SpendingRules.clientOrder(mode, spent: spent, amount: priced.net)
        case .employee(let limit, let membership):
            try await tx.lockSpending(partnership: nil, membership: membership)
            let spent = try await tx.partnerMoneySpent(payer: s.payer.id, placedBy: actor.id, since: since, currency: priced.currency)
            decision = SpendingRules.employeeOrder(limit: limit, spent: spent, amount: priced.net)
        }
        switch decision {
        case .place:
            return .place
        case .refused(let reason):
            throw AppError.refused("spending.\(reason.rawValue)")
        case .needsApproval:
            guard let partnership = s.partnership else { throw AppError.refused("spending.not_permitted") }
            let lines = PriceDisclosure.lines(priced, to: .clientSide)
            let list = lines.reduce(Int64(0)) { $0 + $1.publicPrice.minorUnits }
            let summary = lines.map { "\($0.quantity) × \($0.name)" }.joined(separator: ", ")
            let request = ApprovalRequest(id: UUID.timeOrdered(), clientID: s.client.id, partnerID: s.payer.id, partnershipID: partnership.id,
                                       requestedBy: actor.id, input: String(decoding: try JSONEncoder().encode(input), as: UTF8.self), summary: summary,
                                       listTotal: Money(minorUnits: list, currency: priced.currency), state: .pending, orderID: nil, createdAt: now)
            try await tx.createOrderRequest(request)
            // A retried request (same Idempotency-Key) gets this answer again: 202 and the request.
            if let idempotency {
                try await tx.saveIdempotentResponse(organisation: s.client.id, key: idempotency.key,
                                                    response: .init(fingerprint: idempotency.fingerprint, status: 202,
                                                                    body: Self.requestReplayPrefix + request.id.uuidString.lowercased()), now: now)
            }
            if let quoteID { try await tx.useQuote(quoteID, now: now) }
            try await tx.appendAudit(AuditEntry(actor: "user:\(actor.id.string)", organisation: s.client.id.string, action: "order.approval_requested",
                                                target: "order_request:\(request.id.uuidString.lowercased())",
                                                details: "{\"partner\":\"\(s.payer.id.string)\",\"list_minor\":\(list),\"currency\":\"\(priced.currency.rawValue)\"}"),
                                     now: now)
            try await tx.enqueueMails(try await requestMails(request, client: s.client, partner: s.payer, requester: actor, tx: tx), now: now)
            return .awaitingApproval(request)
        }
    }

    /// Both sides are told (R-B11): the partner's legal representatives and admins, who decide,
    /// and the client's requester, who waits.
    func requestMails(_ request: ApprovalRequest, client: Organisation, partner: Organisation, requester: User, tx: Store) async throws -> [Store.Mail] {
        var mails: [Store.Mail] = []
        let values = ["client": client.name, "partner": partner.name, "summary": request.summary, "list": MoneyFormat.plain(request.listTotal),
                      "link": "\(baseURL)/console/orgs/\(partner.id.string)/order-requests"]
        for (member, language) in try await tx.membersOf(partner.id) where [.legalRepresentative, .admin].contains(member.role) {
            let t = Strings(language: language ?? .en)
            mails.append(Store.Mail(to: member.email, subject: t("mail.approval_needed.subject", values), body: t("mail.approval_needed.body", values)))
        }
        let t = Strings(language: requester.language ?? .en)
        mails.append(Store.Mail(to: requester.email, subject: t("mail.approval_waiting.subject", values),
                                body: t("mail.approval_waiting.body", values.merging(["link": "\(baseURL)/console/orgs/\(client.id.string)/order"]) { _, new in new })))
        return mails
    }

    // MARK: the partner decides

    /// The request priced now, as the partner would pay it (the approval page and API show it).
    func pricedRequest(_ request: ApprovalRequest, store: Store) async throws -> (Situation, PricedOrder, InvoiceTotals) {
        guard let client = try await store.organisation(id: request.clientID), let partner = try await store.organisation(id: request.partnerID),
              let partnership = try await store.partnership(request.partnershipID),
              let input = try? JSONDecoder().decode(OrderInput.self, from: Data(request.input.utf8)) else { throw AppError.notFound }
        // Approval is still the partner's to give only while it pays for this client.
        guard partnership.state == .active, partnership.access == .full, partnership.paymentMode == .partner else {
            throw AppError.refused("spending.partnership_changed")
        }
        var product: Product? = nil
        if let id = input.renew { product = try await store.product(id) }
        let lines = try product.map { [LineRequest(category: $0.category, name: $0.name, quantity: 1)] } ?? validated(input.lines)
        let situation = try Self.decide(client: client, kind: product == nil ? .newOrder : .renewal, party: .client, governing: partnership, partner: partner,
                                        manages: true, product: product, lines: lines)
        let (priced, totals) = try await price(situation, store: store)
        return (situation, priced, totals)
    }

    /// Approves at today's price: `expectedTotal` is what the approver was shown; a different
    /// price now is a stale answer (409 with the fresh one), as for quotes.
    func approve(_ requestID: UUID, partner: OrganisationID, by user: User, expectedTotal: Int64?, store: Store) async throws -> Order {
        guard let request = try await store.orderRequests(partner: partner, id: requestID).first else { throw AppError.notFound }
        guard request.state == .pending else { throw AppError.refused("spending.already_decided") }
        let (situation, priced, totals) = try await pricedRequest(request, store: store)
        if let expectedTotal, expectedTotal != totals.total.minorUnits { throw AppError.refused("billing.stale") }
        let requester = try await store.user(request.requestedBy)
        let pending = PendingOrder(situation: situation, priced: priced, totals: totals, actor: requester, method: .wallet, quoteID: nil, idempotency: nil)
        let now = clock.now()
        do {
            return try await store.write { tx in
                let order: Order
                switch try await write([pending], store: tx)[0] {
                case .recorded(let recorded): order = recorded
                case .unpaid(let balance): throw BillingStoreError.insufficientFunds(balance: balance)
                case .renewedElsewhere: throw AppError.refused("billing.already_renewed")
                }
                guard try await tx.decideOrderRequest(requestID, partner: partner, state: .approved, by: user.id, order: order.id, now: now) else {
                    throw AppError.refused("spending.already_decided")
                }
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.string, action: "order.approved",
                                                    target: "order_request:\(requestID.uuidString.lowercased())", details: "{\"order\":\"\(order.id.string)\"}"),
                                         now: now)
                try await tx.enqueueMails(try await decisionMails(request, approved: true, tx: tx), now: now)
                return order
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    func decline(_ requestID: UUID, partner: OrganisationID, by user: User, store: Store) async throws {
        guard let request = try await store.orderRequests(partner: partner, id: requestID).first else { throw AppError.notFound }
        let now = clock.now()
        try await store.write { tx in
            guard try await tx.decideOrderRequest(requestID, partner: partner, state: .declined, by: user.id, order: nil, now: now) else {
                throw AppError.refused("spending.already_decided")
            }
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.string, action: "order.declined",
                                                target: "order_request:\(requestID.uuidString.lowercased())"), now: now)
            try await tx.enqueueMails(try await decisionMails(request, approved: false, tx: tx), now: now)
        }
    }

    func decisionMails(_ request: ApprovalRequest, approved: Bool, tx: Store) async throws -> [Store.Mail] {
        guard let requester = try await tx.user(request.requestedBy), let client = try await tx.organisation(id: request.clientID),
              let partner = try await tx.organisation(id: request.partnerID) else { return [] }
        let t = Strings(language: requester.language ?? .en)
        let key = approved ? "mail.request_approved" : "mail.request_declined"
        let values = ["client": client.name, "partner": partner.name, "summary": request.summary, "link": "\(baseURL)/console/orgs/\(client.id.string)/products"]
        return [Store.Mail(to: requester.email, subject: t(key + ".subject", values), body: t(key + ".body", values))]
    }

    // MARK: the partner's choices

    func setClientSpending(partner context: OrganisationContext, partnership id: PartnershipID, mode: String, limitMinor: Int64?, user: User,
                           store: Store) async throws {
        guard let partnership = try await store.partnership(id), partnership.partnerID == context.organisationID, let clientID = partnership.clientID,
              let client = try await store.organisation(id: clientID) else { throw AppError.notFound }
        let spending: ClientSpending
        switch mode {
        case "direct": spending = .direct
        case "approval": spending = .approval
        case "monthly_limit":
            guard let limitMinor else { throw AppError.validation([FieldError("limit", .required)]) }
            do { spending = .monthlyLimit(try SpendingRules.validLimit(limitMinor, currency: client.currency, field: "limit")) } catch {
                throw AppError.validation(error.errors)
            }
        default: throw AppError.validation([FieldError("mode", .invalidValue)])
        }
        let now = clock.now()
        try await store.write { tx in
            try await tx.setClientSpending(id, spending)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: context.organisationID.string, action: "spending.client_rule",
                                                target: "partnership:\(id.string)", details: "{\"mode\":\"\(spending.name)\",\"limit_minor\":\(limitMinor ?? 0)}"),
                                     now: now)
        }
    }

    func setEmployeeSpending(_ context: OrganisationContext, membership: MembershipID, limitMinor: Int64?, currency: Currency, user: User,
                             store: Store) async throws {
        let member = try await store.member(context, membership)
        guard member.role == .employee else { throw AppError.refused("spending.employees_only") }
        var limit: Money? = nil
        if let limitMinor {
            do { limit = try SpendingRules.validLimit(limitMinor, currency: currency, field: "limit") } catch { throw AppError.validation(error.errors) }
        }
        let granted = limit
        let now = clock.now()
        try await store.write { tx in
            try await tx.setEmployeeSpendingLimit(membership, granted)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: context.organisationID.string, action: "spending.employee_limit",
                                                target: "membership:\(membership.string)",
                                                details: "{\"limit_minor\":\(granted?.minorUnits ?? 0),\"currency\":\"\(currency.rawValue)\"}"), now: now)
        }
    }
}
