import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// Refunds: an order's products cancelled and its amount credited back (R-B6 corrections, R-B5).
extension BillingService {
    // MARK: refunds (R-B6 corrections, R-B5)

    /// A program admin refunds an order: a credit note mirroring its invoice goes to the payer, the
    /// payer's wallet is credited the invoice total, the partner's cashback is taken back and the
    /// order's products end — one transaction. If the partner's balance cannot cover the cashback
    /// reversal nothing happens (R-B5: never below zero) and the admin is told.
    func refund(_ orderID: OrderID, staff: StaffMember, store: Store) async throws -> Invoice {
        guard staff.role == .programAdmin else { throw AppError.forbidden("error.not_allowed") }
        guard let order = try await store.order(orderID), let invoice = try await store.invoice(order: orderID) else { throw AppError.notFound }
        if try await store.creditNote(for: invoice.id) != nil { throw AppError.refused("billing.already_refunded") }
        let now = clock.now()
        let year = Self.year(now)
        do {
            return try await store.write { tx in
                let note = try invoice.creditNote(id: InvoiceID(UUID()), number: try await tx.nextInvoiceNumber(year: year), issuedAt: now)
                try await tx.insertInvoice(note)
                try await tx.postLedger(order.payerID, kind: .refund, amount: invoice.totals.total, key: "order:\(orderID.string):refund",
                                        reference: note.number, description: "Refund of invoice \(invoice.number)", now: now)
                if order.priced.cashback.minorUnits > 0, let partner = order.partnerID {
                    try await tx.postLedger(partner, kind: .cashbackReversal, amount: order.priced.cashback, key: "order:\(orderID.string):cashback-reversal",
                                            reference: note.number, description: "Cashback taken back: refund of \(invoice.number)", now: now)
                }
                if order.kind == .newOrder { try await tx.cancelProducts(order.productIDs.flatMap { $0 }) }
                // R-A1: an unpaid commission on the order goes with it.
                if try await tx.reverseCommission(order: orderID, now: now) {
                    try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: order.payerID.string, action: "affiliate.commission_reversed",
                                                        target: "order:\(orderID.string)"), now: now)
                }
                try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: order.organisationID.string, action: "order.refunded",
                                                    target: "order:\(orderID.string)",
                                                    details: "{\"credit_note\":\"\(note.number)\",\"invoice\":\"\(invoice.number)\",\"amount\":\(invoice.totals.total.minorUnits),\"cashback_reversed\":\(order.priced.cashback.minorUnits)}"),
                                         now: now)
                for (member, language) in try await tx.membersOf(order.payerID) where [.legalRepresentative, .admin].contains(member.role) {
                    let s = Strings(language: language ?? .en)
                    try await tx.enqueueMail(to: member.email, subject: s("mail.refund.subject", ["number": invoice.number]),
                                             body: s("mail.refund.body", ["number": invoice.number, "note": note.number, "total": MoneyFormat.plain(invoice.totals.total),
                                                                          "link": "\(baseURL)/console/orgs/\(order.payerID.string)/invoices/\(note.id.string)"]), now: now)
                }
                return note
            }
        } catch BillingStoreError.insufficientFunds {
            throw AppError.refused("billing.reversal_not_covered")
        } catch StoreError.conflict(field: "idempotency_key") {
            throw AppError.refused("billing.already_refunded")
        }
    }
}
