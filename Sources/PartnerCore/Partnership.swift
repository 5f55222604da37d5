import Foundation

/// Which side of a partnership started it (R-P2 partner adds a client, R-P3 client adds a partner).
public enum PartnershipInitiator: String, Sendable, Hashable, Codable {
    case client, partner
}

/// A grant of one product to a limited partnership, with its rights (R-P3).
public struct ProductGrant: Sendable, Hashable, Codable {
    public let product: ProductID
    public let technical: Bool
    public let statistics: Bool
    /// Set once stored.
    public let id: GrantID?
    public init(product: ProductID, technical: Bool, statistics: Bool, id: GrantID? = nil) {
        self.product = product
        self.technical = technical
        self.statistics = statistics
        self.id = id
    }
}

public struct Partnership: Sendable, Hashable, Codable {
    public let id: PartnershipID
    public let clientID: OrganisationID?
    public let partnerID: OrganisationID
    /// R-P2: the address a partner invited, while no client organisation has accepted yet.
    public let invitedEmail: EmailAddress?
    public let initiator: PartnershipInitiator
    public let state: PartnershipState
    public let access: AccessType
    public let paymentMode: PaymentMode
    /// What the partner asked for (R-P2), shown next to what was granted.
    public let requestedAccess: AccessType
    public let requestedPaymentMode: PaymentMode
    public let grants: [ProductGrant]
    public let endsAt: Date?
    public let tokenExpiresAt: Date?
    public let createdAt: Date
    public init(id: PartnershipID, clientID: OrganisationID?, partnerID: OrganisationID, invitedEmail: EmailAddress?, initiator: PartnershipInitiator,
                state: PartnershipState, access: AccessType, paymentMode: PaymentMode, requestedAccess: AccessType, requestedPaymentMode: PaymentMode,
                grants: [ProductGrant], endsAt: Date?, tokenExpiresAt: Date?, createdAt: Date) {
        self.id = id
        self.clientID = clientID
        self.partnerID = partnerID
        self.invitedEmail = invitedEmail
        self.initiator = initiator
        self.state = state
        self.access = access
        self.paymentMode = paymentMode
        self.requestedAccess = requestedAccess
        self.requestedPaymentMode = requestedPaymentMode
        self.grants = grants
        self.endsAt = endsAt
        self.tokenExpiresAt = tokenExpiresAt
        self.createdAt = createdAt
    }
}
