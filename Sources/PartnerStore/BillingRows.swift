import FluentKit
import Foundation

final class CatalogueEntryRow: Model, @unchecked Sendable {
    static let schema = "catalogue_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "category") var category: String
    @Field(key: "period") var period: String
    @Field(key: "price_chf") var priceCHF: Int64
    @Field(key: "price_eur") var priceEUR: Int64
    @Field(key: "tiered") var tiered: Bool
    init() {}
}

final class CatalogueTierRow: Model, @unchecked Sendable {
    static let schema = "catalogue_tiers"
    @ID(key: .id) var id: UUID?
    @Field(key: "minimum_count") var minimumCount: Int64
    @Field(key: "rate_bp") var rateBP: Int
    init() {}
}

final class DomainPriceRow: Model, @unchecked Sendable {
    static let schema = "domain_prices"
    @ID(key: .id) var id: UUID?
    @Field(key: "extension") var extensionName: String
    @Field(key: "list_chf") var listCHF: Int64
    @Field(key: "list_eur") var listEUR: Int64
    @Field(key: "preferential_chf") var preferentialCHF: Int64
    @Field(key: "preferential_eur") var preferentialEUR: Int64
    init() {}
}

final class PartnerRateRow: Model, @unchecked Sendable {
    static let schema = "partner_rates"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "category") var category: String
    @Field(key: "rate_bp") var rateBP: Int
    init() {}
}

final class WalletEntryRow: Model, @unchecked Sendable {
    static let schema = "wallet_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "wallet_id") var walletID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "currency") var currency: String
    @Field(key: "kind") var kind: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "balance_after") var balanceAfter: Int64
    @Field(key: "idempotency_key") var idempotencyKey: String
    @OptionalField(key: "reference") var reference: String?
    @Field(key: "description") var description: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class QuoteRow: Model, @unchecked Sendable {
    static let schema = "quotes"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "payload") var payload: String
    @Field(key: "catalogue_version") var catalogueVersion: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    init() {}
}

final class OrderRow: Model, @unchecked Sendable {
    static let schema = "orders"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "payer_id") var payerID: UUID
    @OptionalField(key: "partner_id") var partnerID: UUID?
    @OptionalField(key: "partnership_id") var partnershipID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "party") var party: String
    @Field(key: "rule_row") var ruleRow: Int
    @Field(key: "benefit") var benefit: String
    @Field(key: "currency") var currency: String
    @Field(key: "net") var net: Int64
    @Field(key: "cashback") var cashback: Int64
    @Field(key: "payment_method") var paymentMethod: String
    @Field(key: "catalogue_version") var catalogueVersion: Int
    @OptionalField(key: "placed_by") var placedBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class OrderLineRow: Model, @unchecked Sendable {
    static let schema = "order_lines"
    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "category") var category: String
    @Field(key: "name") var name: String
    @Field(key: "quantity") var quantity: Int64
    @Field(key: "period") var period: String
    @Field(key: "unit_price") var unitPrice: Int64
    @Field(key: "tier_count") var tierCount: Int64
    @Field(key: "steps") var steps: String
    @Field(key: "charged") var charged: Int64
    @Field(key: "public_price") var publicPrice: Int64
    @Field(key: "preferential_price") var preferentialPrice: Int64
    @Field(key: "cashback") var cashback: Int64
    @Field(key: "product_ids") var productIDs: String
    init() {}
}

final class InvoiceRow: Model, @unchecked Sendable {
    static let schema = "invoices"
    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalField(key: "order_id") var orderID: UUID?
    @Field(key: "kind") var kind: String
    @OptionalField(key: "refers_to") var refersTo: UUID?
    @Field(key: "currency") var currency: String
    @Field(key: "net") var net: Int64
    @Field(key: "vat_rate_bp") var vatRateBP: Int
    @Field(key: "vat") var vat: Int64
    @Field(key: "total") var total: Int64
    @Field(key: "reverse_charge") var reverseCharge: Bool
    @Field(key: "recipient_name") var recipientName: String
    @Field(key: "recipient_country") var recipientCountry: String
    @Field(key: "issued_at") var issuedAt: Date
    init() {}
}

final class InvoiceLineRow: Model, @unchecked Sendable {
    static let schema = "invoice_lines"
    @ID(key: .id) var id: UUID?
    @Field(key: "invoice_id") var invoiceID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "description") var description: String
    @Field(key: "quantity") var quantity: Int64
    @Field(key: "unit_price") var unitPrice: Int64
    @Field(key: "explanation") var explanation: String
    @Field(key: "net") var net: Int64
    init() {}
}

final class IdempotencyRow: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "key") var key: String
    @Field(key: "fingerprint") var fingerprint: String
    @Field(key: "status") var status: Int
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class ThemeRequestRow: Model, @unchecked Sendable {
    static let schema = "theme_requests"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "requested_by") var requestedBy: UUID
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "fulfilled_at") var fulfilledAt: Date?
    @OptionalField(key: "fulfilled_by") var fulfilledBy: UUID?
    @OptionalField(key: "licence_key") var licenceKey: String?
    init() {}
}
