import FluentKit
import Foundation

final class ProductRow: Model, @unchecked Sendable {
    static let schema = "products"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "category") var category: String
    @Field(key: "name") var name: String
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    // R-B8: set for ordered products (nil for products recorded without an order).
    @OptionalField(key: "period") var period: String?
    @OptionalField(key: "renews_at") var renewsAt: Date?
    @OptionalField(key: "payer_id") var payerID: UUID?
    @OptionalField(key: "grace_until") var graceUntil: Date?
    @OptionalField(key: "reminded_renewal_at") var remindedRenewalAt: Date?
    init() {}
}

final class PartnershipRow: Model, @unchecked Sendable {
    static let schema = "partnerships"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "client_id") var clientID: UUID?
    @Field(key: "partner_id") var partnerID: UUID
    @OptionalField(key: "invited_email") var invitedEmail: String?
    @Field(key: "initiator") var initiator: String
    @Field(key: "state") var state: String
    @Field(key: "access") var access: String
    @Field(key: "payment_mode") var paymentMode: String
    @Field(key: "requested_access") var requestedAccess: String
    @Field(key: "requested_payment_mode") var requestedPaymentMode: String
    @OptionalField(key: "ends_at") var endsAt: Date?
    @OptionalField(key: "token_hash") var tokenHash: String?
    @OptionalField(key: "token_expires_at") var tokenExpiresAt: Date?
    @Field(key: "invited_by") var invitedBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "reminded_14_at") var reminded14At: Date?
    @OptionalField(key: "reminded_1_at") var reminded1At: Date?
    init() {}
}

final class PartnershipGrantRow: Model, @unchecked Sendable {
    static let schema = "partnership_grants"
    @ID(key: .id) var id: UUID?
    @Field(key: "partnership_id") var partnershipID: UUID
    @Field(key: "product_id") var productID: UUID
    @Field(key: "technical") var technical: Bool
    @Field(key: "statistics") var statistics: Bool
    init() {}
}

final class ClientAssignmentRow: Model, @unchecked Sendable {
    static let schema = "client_assignments"
    @ID(key: .id) var id: UUID?
    @Field(key: "partnership_id") var partnershipID: UUID
    @Field(key: "membership_id") var membershipID: UUID
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class ProductAssignmentRow: Model, @unchecked Sendable {
    static let schema = "product_assignments"
    @ID(key: .id) var id: UUID?
    @Field(key: "membership_id") var membershipID: UUID
    @Field(key: "product_id") var productID: UUID
    @Field(key: "created_at") var createdAt: Date
    init() {}
}
