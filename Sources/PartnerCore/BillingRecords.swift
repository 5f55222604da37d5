import Foundation

public enum OrderTag {}
public enum InvoiceTag {}
public enum QuoteTag {}
public enum LedgerEntryTag {}
public typealias OrderID = Tagged<OrderTag, UUID>
public typealias InvoiceID = Tagged<InvoiceTag, UUID>
public typealias QuoteID = Tagged<QuoteTag, UUID>
public typealias LedgerEntryID = Tagged<LedgerEntryTag, UUID>

/// How an order or top-up was paid.
public enum PaymentMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case wallet, card
}

/// A recorded order or renewal with every line's explanation (R-B2, R-B3).
public struct Order: Sendable, Hashable, Codable {
    public let id: OrderID
    public let organisationID: OrganisationID
    public let payerID: OrganisationID
    public let partnerID: OrganisationID?
    public let partnershipID: PartnershipID?
    public let kind: OrderKind
    public let party: OrderingParty
    public let priced: PricedOrder
    public let paymentMethod: PaymentMethod
    public let productIDs: [[ProductID]]
    public let createdAt: Date
    public init(id: OrderID, organisationID: OrganisationID, payerID: OrganisationID, partnerID: OrganisationID?, partnershipID: PartnershipID?,
                kind: OrderKind, party: OrderingParty, priced: PricedOrder, paymentMethod: PaymentMethod, productIDs: [[ProductID]], createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.payerID = payerID
        self.partnerID = partnerID
        self.partnershipID = partnershipID
        self.kind = kind
        self.party = party
        self.priced = priced
        self.paymentMethod = paymentMethod
        self.productIDs = productIDs
        self.createdAt = createdAt
    }
}

public enum InvoiceKind: String, Sendable, Hashable, Codable {
    case invoice
    case creditNote = "credit_note"
}

public struct InvoiceLine: Sendable, Hashable, Codable {
    public let description: String
    public let quantity: Int64
    public let unitPrice: Money
    /// The discount steps in words, e.g. "list 347.20; partner −20 % 277.76; tier −25 % 208.32".
    public let explanation: String
    public let net: Money
    public init(description: String, quantity: Int64, unitPrice: Money, explanation: String, net: Money) {
        self.description = description
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.explanation = explanation
        self.net = net
    }
}

/// R-B6: issued to the payer, immutable once issued.
public struct Invoice: Sendable, Hashable, Codable {
    public let id: InvoiceID
    public let number: String
    public let organisationID: OrganisationID
    public let orderID: OrderID?
    public let kind: InvoiceKind
    public let refersTo: InvoiceID?
    public let recipientName: String
    public let recipientCountry: CountryCode
    public let lines: [InvoiceLine]
    public let totals: InvoiceTotals
    public let issuedAt: Date
    public init(id: InvoiceID, number: String, organisationID: OrganisationID, orderID: OrderID?, kind: InvoiceKind, refersTo: InvoiceID?,
                recipientName: String, recipientCountry: CountryCode, lines: [InvoiceLine], totals: InvoiceTotals, issuedAt: Date) {
        self.id = id
        self.number = number
        self.organisationID = organisationID
        self.orderID = orderID
        self.kind = kind
        self.refersTo = refersTo
        self.recipientName = recipientName
        self.recipientCountry = recipientCountry
        self.lines = lines
        self.totals = totals
        self.issuedAt = issuedAt
    }
}

public struct LedgerEntry: Sendable, Hashable, Codable {
    public let id: LedgerEntryID
    public let organisationID: OrganisationID
    public let kind: LedgerKind
    /// Signed: payments negative.
    public let amount: Money
    public let balanceAfter: Money
    public let reference: String?
    public let description: String
    public let createdAt: Date
    public init(id: LedgerEntryID, organisationID: OrganisationID, kind: LedgerKind, amount: Money, balanceAfter: Money, reference: String?,
                description: String, createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.kind = kind
        self.amount = amount
        self.balanceAfter = balanceAfter
        self.reference = reference
        self.description = description
        self.createdAt = createdAt
    }
}

extension Invoice {
    /// R-B6: a correction is a credit note referring to the invoice, every line negated; with
    /// half-up rounding away from zero its VAT and total mirror the invoice's to the cent.
    public func creditNote(id: InvoiceID, number: String, issuedAt: Date) throws(MoneyError) -> Invoice {
        let lines = lines.map {
            InvoiceLine(description: $0.description, quantity: $0.quantity, unitPrice: $0.unitPrice, explanation: $0.explanation,
                        net: Money(minorUnits: -$0.net.minorUnits, currency: $0.net.currency))
        }
        return Invoice(id: id, number: number, organisationID: organisationID, orderID: orderID, kind: .creditNote, refersTo: self.id,
                       recipientName: recipientName, recipientCountry: recipientCountry, lines: lines,
                       totals: try InvoiceTotals(lineNets: lines.map(\.net), currency: totals.net.currency, country: recipientCountry), issuedAt: issuedAt)
    }
}
