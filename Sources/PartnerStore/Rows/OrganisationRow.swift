import FluentKit
import Foundation

final class OrganisationRow: Model, @unchecked Sendable {
    static let schema = "organisations"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "country") var country: String
    @Field(key: "currency") var currency: String
    /// R-O1: set by the first invoice; from then on the currency is fixed.
    @OptionalField(key: "first_invoice_at") var firstInvoiceAt: Date?
    @Field(key: "created_at") var createdAt: Date
    /// Set when a program admin approved the organisation as a partner.
    @OptionalField(key: "partner_approved_at") var partnerApprovedAt: Date?
    init() {}
}

final class MembershipRow: Model, @unchecked Sendable {
    static let schema = "memberships"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class InvitationRow: Model, @unchecked Sendable {
    static let schema = "invitations"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "email") var email: String
    @Field(key: "role") var role: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "status") var status: String
    @Field(key: "invited_by") var invitedBy: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    init() {}
}
