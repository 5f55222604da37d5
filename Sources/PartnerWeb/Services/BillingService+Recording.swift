import Foundation
import PartnerCore
import PartnerStore

/// What an order or renewal writes: payment, products, order, invoice, cashback, audit events
/// and mail (R-B2 … R-B6, R-B10). One path for a single confirmed order and for a renewal batch
/// of hundreds, so the batch is as correct as the single order and the single order as
/// well-tested as the batch.
extension BillingService {
    /// One order or renewal decided (R-B3) and priced (R-B2, R-B4), ready to be written.
    struct PendingOrder: Sendable {
        let situation: Situation
        let priced: PricedOrder
        let totals: InvoiceTotals
        let actor: User?
        let method: PaymentMethod
        let quoteID: QuoteID?
        let idempotency: Idempotency?
        var orderID = OrderID(UUID.timeOrdered())

        init(situation: Situation, priced: PricedOrder, totals: InvoiceTotals, actor: User?, method: PaymentMethod, quoteID: QuoteID?,
             idempotency: Idempotency?) {
            self.situation = situation
            self.priced = priced
            self.totals = totals
            self.actor = actor
            self.method = method
            self.quoteID = quoteID
            self.idempotency = idempotency
        }
    }

    enum Outcome: Sendable {
        case recorded(Order)
        /// R-B5: the payer's wallet could not cover it (the balance then); nothing of it was written.
        case unpaid(balance: Money)
        /// R-B8: another run or instance renewed this period first.
        case renewedElsewhere
    }

    /// Writes orders and renewals, in order, inside the caller's transaction, in as few
    /// statements as the rows allow. Each payment and cashback is decided by R-B5's rule against
    /// wallets locked for the transaction, so an order the balance cannot cover (after the ones
    /// before it) is left out whole. Every path takes its locks in one order — renewal claims,
    /// wallets, the invoice counter, the audit chain — so two transactions never wait on each
    /// other in a circle.
    func write(_ pending: [PendingOrder], store tx: Store) async throws -> [Outcome] {
        let now = clock.now()
        var outcomes = [Outcome?](repeating: nil, count: pending.count)

        // Idempotency keys first, so a concurrent twin request fails here and replays this one's answer.
        for p in pending {
            if let idempotency = p.idempotency {
                try await tx.saveIdempotentResponse(organisation: p.situation.client.id, key: idempotency.key,
                                                    response: .init(fingerprint: idempotency.fingerprint, status: 201, body: p.orderID.string), now: now)
            }
            if let quoteID = p.quoteID { try await tx.useQuote(quoteID, now: now) }
        }

        // R-B8: each paid period moves on once, whoever runs it.
        var claims: [(Int, Store.RenewalClaim)] = []
        for (index, p) in pending.enumerated() {
            guard let product = p.situation.product, let billing = product.billing else { continue }
            claims.append((index, Store.RenewalClaim(product: product.id, expected: billing.renewsAt, next: billing.period.end(startingAt: billing.renewsAt),
                                                     payer: p.situation.payer.id)))
        }
        let won = try await tx.claimRenewals(claims.map(\.1))
        for (index, claim) in claims where !won.contains(claim.product) { outcomes[index] = .renewedElsewhere }

        // R-B5: payments and cashback applied in order to the locked balances.
        var keys = Set<Store.WalletKey>()
        for (index, p) in pending.enumerated() where outcomes[index] == nil {
            if p.method == .wallet { keys.insert(.init(p.situation.payer.id, p.priced.currency)) }
            if p.priced.cashback.minorUnits > 0, let partner = p.situation.partnership?.partnerID { keys.insert(.init(partner, p.priced.currency)) }
        }
        let locked = try await tx.lockWallets(keys)
        var balances = locked.mapValues(\.balance)
        var postings: [Store.LedgerPosting] = []
        var released: [Product] = []
        for (index, p) in pending.enumerated() where outcomes[index] == nil {
            var trial = balances
            var own: [Store.LedgerPosting] = []
            let s = p.situation
            do {
                if p.method == .wallet, p.totals.total.minorUnits > 0 {
                    own.append(try Self.posting(.payment, p.totals.total, to: s.payer.id, key: "order:\(p.orderID.string):payment", reference: p.orderID.string,
                                                description: "\(s.kind == .renewal ? "Renewal" : "Order") for \(s.client.name)", balances: &trial, locked: locked, now: now))
                }
                if p.priced.cashback.minorUnits > 0, let partner = s.partnership?.partnerID {
                    own.append(try Self.posting(.cashback, p.priced.cashback, to: partner, key: "order:\(p.orderID.string):cashback", reference: p.orderID.string,
                                                description: "Cashback: \(s.client.name)", balances: &trial, locked: locked, now: now))
                }
            } catch LedgerError.insufficientFunds(let balance) {
                outcomes[index] = .unpaid(balance: balance)
                if let product = s.product, claims.contains(where: { $0.1.product == product.id }) { released.append(product) }
                continue
            }
            balances = trial
            postings += own
        }
        // An unpaid renewal gives its claim back: the period stays due (R-B3 reading notes: grace).
        try await tx.releaseRenewals(released)

        // Products (R-B9: in the client's organisation, whoever pays), orders, invoices.
        var newProducts: [Store.NewOrderedProduct] = []
        var orders: [Order] = []
        var placedBy: [OrderID: UserID] = [:]
        for (index, p) in pending.enumerated() where outcomes[index] == nil {
            let s = p.situation
            var productIDs: [[ProductID]] = []
            if let product = s.product {
                productIDs = [[product.id]]
            } else {
                for line in p.priced.lines {
                    var ids: [ProductID] = []
                    for unit in 1...line.quantity {
                        let id = ProductID(UUID.timeOrdered())
                        newProducts.append(.init(id: id, organisation: s.client.id, category: line.category,
                                                 name: line.quantity == 1 ? line.name : "\(line.name) (\(unit))", period: line.period, payer: s.payer.id))
                        ids.append(id)
                    }
                    productIDs.append(ids)
                }
            }
            let order = Order(id: p.orderID, organisationID: s.client.id, payerID: s.payer.id, partnerID: s.partnership?.partnerID,
                              partnershipID: s.partnership?.id, kind: s.kind, party: s.party, priced: p.priced, paymentMethod: p.method,
                              productIDs: productIDs, createdAt: now)
            orders.append(order)
            if let actor = p.actor { placedBy[order.id] = actor.id }
            outcomes[index] = .recorded(order)
        }
        try await tx.createOrderedProducts(newProducts, now: now)
        try await tx.insertOrders(orders, placedBy: placedBy)
        let numbers = try await tx.reserveInvoiceNumbers(year: Self.year(now), count: orders.count)
        var invoices: [Invoice] = []
        var audit: [AuditEntry] = []
        var mails: [Store.Mail] = []
        var recorded = 0
        for (index, p) in pending.enumerated() {
            guard case .recorded(let order)? = outcomes[index] else { continue }
            let s = p.situation
            let invoice = Invoice(id: InvoiceID(UUID.timeOrdered()), number: numbers[recorded], organisationID: s.payer.id, orderID: order.id, kind: .invoice, refersTo: nil,
                                  recipientName: s.payer.name, recipientCountry: s.payer.country, lines: p.priced.lines.map(Self.invoiceLine),
                                  totals: p.totals, issuedAt: now)
            recorded += 1
            invoices.append(invoice)
            // R-B10: every money-relevant action is audited.
            let actorName = p.actor.map { "user:\($0.id.string)" } ?? "system:renewal"
            let currency = p.priced.currency.rawValue
            let amounts = "{\"payer\":\"\(s.payer.id.string)\",\"benefit\":\"\(p.priced.benefit.rawValue)\",\"row\":\(p.priced.row),\"net\":\(p.priced.net.minorUnits),\"total\":\(p.totals.total.minorUnits),\"currency\":\"\(currency)\",\"invoice\":\"\(invoice.number)\",\"method\":\"\(p.method.rawValue)\"}"
            let action = s.kind == .renewal ? "order.renewed" : "order.placed"
            if s.payer.id == s.client.id {
                audit.append(AuditEntry(actor: actorName, organisation: s.client.id.string, action: action, target: "order:\(order.id.string)", details: amounts))
            } else {
                // R-B11: the client's trail says what happened and who paid; the amounts and the
                // invoice are the payer's, in the payer's trail.
                audit.append(AuditEntry(actor: actorName, organisation: s.client.id.string, action: action, target: "order:\(order.id.string)",
                                        details: "{\"payer\":\"\(s.payer.id.string)\",\"currency\":\"\(currency)\"}"))
                audit.append(AuditEntry(actor: actorName, organisation: s.payer.id.string, action: action + "_for_client", target: "order:\(order.id.string)",
                                        details: amounts))
            }
            if p.method == .wallet {
                audit.append(AuditEntry(actor: actorName, organisation: s.payer.id.string, action: "wallet.payment", target: "order:\(order.id.string)",
                                        details: "{\"amount\":\(p.totals.total.minorUnits),\"currency\":\"\(currency)\"}"))
            }
            if p.priced.cashback.minorUnits > 0, let partner = s.partnership?.partnerID {
                audit.append(AuditEntry(actor: actorName, organisation: partner.string, action: "wallet.cashback", target: "order:\(order.id.string)",
                                        details: "{\"amount\":\(p.priced.cashback.minorUnits),\"currency\":\"\(currency)\"}"))
            }
            if let actor = p.actor, s.party == .client, s.payer.id != s.client.id {
                // R-B11: the client learns its order is placed and who pays — not the partner's price.
                let t = Strings(language: actor.language ?? .en)
                mails.append(Store.Mail(to: actor.email, subject: t("mail.order_partner_pays.subject", ["client": s.client.name]),
                                        body: t("mail.order_partner_pays.body", ["client": s.client.name, "partner": s.payer.name,
                                                                                 "link": "\(baseURL)/console/orgs/\(s.client.id.string)/products"])))
            } else if let actor = p.actor {
                let t = Strings(language: actor.language ?? .en)
                mails.append(Store.Mail(to: actor.email, subject: t("mail.order.subject", ["number": invoice.number]),
                                        body: t("mail.order.body", ["client": s.client.name, "total": MoneyFormat.plain(p.totals.total), "number": invoice.number,
                                                                    "link": "\(baseURL)/console/orgs/\(s.payer.id.string)/invoices/\(invoice.id.string)"])))
            }
            // R-B11: an order on the partner's money placed by anyone else than its legal
            // representatives and admins — the client (R-B3 row 4), or an employee with a limit —
            // is told to them, who answer for that money.
            var placedByEmployee = false
            if let actor = p.actor, s.payer.id != s.client.id { placedByEmployee = try await tx.context(user: actor.id, organisation: s.payer.id)?.role == .employee }
            if (s.party == .client || placedByEmployee), s.payer.id != s.client.id {
                let key = placedByEmployee ? "mail.employee_order" : "mail.partner_money_order"
                for (member, language) in try await tx.membersOf(s.payer.id) where [.legalRepresentative, .admin].contains(member.role) {
                    let t = Strings(language: language ?? .en)
                    let values = ["client": s.client.name, "employee": p.actor?.name ?? "", "total": MoneyFormat.plain(p.totals.total), "number": invoice.number,
                                  "link": "\(baseURL)/console/orgs/\(s.payer.id.string)/invoices/\(invoice.id.string)"]
                    mails.append(Store.Mail(to: member.email, subject: t(key + ".subject", values), body: t(key + ".body", values)))
                }
            }
        }
        try await tx.insertInvoices(invoices)
        try await tx.post(postings, locked: locked)
        // R-A1: commissions on attributed payers' paid orders, in the same transaction.
        var paid: [(Order, InvoiceTotals)] = []
        for (index, p) in pending.enumerated() { if case .recorded(let order)? = outcomes[index] { paid.append((order, p.totals)) } }
        let commissions = try await AffiliateService.commissions(tx, orders: paid, now: now)
        try await tx.insertCommissions(commissions, now: now)
        for c in commissions {
            audit.append(AuditEntry(actor: "system", organisation: c.organisationID.string, action: "affiliate.commission", target: "order:\(c.orderID.string)",
                                    details: "{\"affiliate\":\"\(c.affiliateID.string)\",\"rate\":\(c.rate.value),\"amount\":\(c.amount.minorUnits),\"currency\":\"\(c.amount.currency.rawValue)\"}"))
        }
        try await tx.appendAudit(audit, now: now)
        try await tx.enqueueMails(mails, now: now)
        // Every product of the batch got an outcome above; one that did not makes the batch inexact,
        // and the renewal run redoes it one by one.
        var result: [Outcome] = []
        for outcome in outcomes {
            guard let outcome else { throw BatchNotExact() }
            result.append(outcome)
        }
        return result
    }

    /// One ledger entry by R-B5's rule against the running balances of locked wallets.
    static func posting(_ kind: LedgerKind, _ amount: Money, to organisation: OrganisationID, key: String, reference: String?, description: String,
                        balances: inout [Store.WalletKey: Money], locked: [Store.WalletKey: Store.WalletState], now: Date) throws -> Store.LedgerPosting {
        let walletKey = Store.WalletKey(organisation, amount.currency)
        guard let wallet = locked[walletKey], let balance = balances[walletKey] else { throw StoreError.notFound }
        let after = try Ledger.apply(kind, amount, to: balance)
        balances[walletKey] = after
        return Store.LedgerPosting(walletID: wallet.id, organisation: organisation, kind: kind, amount: try Ledger.signed(kind, amount), balanceAfter: after,
                                   key: key, reference: reference, description: description, createdAt: now)
    }
}
