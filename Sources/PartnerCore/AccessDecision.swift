import Foundation

public enum ProductTag {}
public enum PartnershipTag {}
public enum GrantTag {}
public enum AssignmentTag {}
public enum SupportGrantTag {}

public typealias ProductID = Tagged<ProductTag, UUID>
public typealias PartnershipID = Tagged<PartnershipTag, UUID>
public typealias GrantID = Tagged<GrantTag, UUID>
public typealias AssignmentID = Tagged<AssignmentTag, UUID>
public typealias SupportGrantID = Tagged<SupportGrantTag, UUID>

/// What someone wants to do with a product of a client organisation (R-P10).
public enum ProductAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Technical management: configure, manage (R-P3 "technical").
    case manage
    /// Read usage (R-P3 "statistics").
    case readStatistics = "read_statistics"
    case order
    case renew
    /// Invoices, wallet, billing export concerning the product.
    case billing
}

/// The facts R-P10 decides on, loaded once per request by the web layer.
public struct AccessFacts: Sendable, Hashable {
    public struct Membership: Sendable, Hashable {
        public let id: MembershipID
        public let role: OrganisationRole
        /// Products of the organisation assigned to this member (employees, external users).
        public let assignedProducts: Set<ProductID>
        public init(id: MembershipID, role: OrganisationRole, assignedProducts: Set<ProductID>) {
            self.id = id
            self.role = role
            self.assignedProducts = assignedProducts
        }
    }

    public struct Grant: Sendable, Hashable {
        public let id: GrantID
        public let product: ProductID
        public let technical: Bool
        public let statistics: Bool
        public init(id: GrantID, product: ProductID, technical: Bool, statistics: Bool) {
            self.id = id
            self.product = product
            self.technical = technical
            self.statistics = statistics
        }
    }

    /// The user as a member of a partner P of the product's organisation C.
    public struct PartnerSide: Sendable, Hashable {
        public let partnership: PartnershipID
        public let state: PartnershipState
        public let access: AccessType
        public let paymentMode: PaymentMode
        /// Optional end date set by the client (time-bound grant): no access from then on.
        public let endsAt: Date?
        public let grants: [Grant]
        /// The user's membership in P.
        public let membership: MembershipID
        public let role: OrganisationRole
        /// The assignment of C to this user, needed by employees (R-P9).
        public let assignment: AssignmentID?
        public init(partnership: PartnershipID, state: PartnershipState, access: AccessType, paymentMode: PaymentMode, endsAt: Date?,
                    grants: [Grant], membership: MembershipID, role: OrganisationRole, assignment: AssignmentID?) {
            self.partnership = partnership
            self.state = state
            self.access = access
            self.paymentMode = paymentMode
            self.endsAt = endsAt
            self.grants = grants
            self.membership = membership
            self.role = role
            self.assignment = assignment
        }
    }

    /// A temporary support access grant (R-S3) from C, as seen for a support user.
    public struct SupportGrant: Sendable, Hashable {
        public let id: SupportGrantID
        /// nil: the whole organisation; otherwise only these products.
        public let products: Set<ProductID>?
        public let expiresAt: Date
        public let revoked: Bool
        public init(id: SupportGrantID, products: Set<ProductID>?, expiresAt: Date, revoked: Bool) {
            self.id = id
            self.products = products
            self.expiresAt = expiresAt
            self.revoked = revoked
        }
    }

    public let product: ProductID
    public let clientMembership: Membership?
    public let partnerSides: [PartnerSide]
    /// Non-empty only for provider support staff.
    public let supportGrants: [SupportGrant]

    public init(product: ProductID, clientMembership: Membership?, partnerSides: [PartnerSide], supportGrants: [SupportGrant]) {
        self.product = product
        self.clientMembership = clientMembership
        self.partnerSides = partnerSides
        self.supportGrants = supportGrants
    }
}

/// R-P10's answer: a value, the same in the API and the console.
public enum AccessDecision: Sendable, Hashable {
    case allow(Basis)
    case deny

    public enum Basis: Sendable, Hashable {
        /// (a) a member of C whose R-O2 role allows it.
        case member(MembershipID, role: OrganisationRole)
        /// (b) through an active partnership; the grant when limited, the assignment for employees.
        case partner(PartnershipID, membership: MembershipID, access: AccessType, grant: GrantID?, assignment: AssignmentID?)
        /// (c) provider support under an unexpired temporary grant (R-S3).
        case support(SupportGrantID)

        public var clause: String {
            switch self {
            case .member: return "a"
            case .partner: return "b"
            case .support: return "c"
            }
        }
    }

    public var isAllowed: Bool { if case .allow = self { return true } else { return false } }
}

public enum AccessRules {
    /// R-P10: a user may perform `action` on a product of organisation C when (a), (b) or (c)
    /// holds; everything else is denied. Pure: every fact, the clock included, is handed in.
    public static func decide(_ action: ProductAction, facts: AccessFacts, now: Date) -> AccessDecision {
        if let membership = facts.clientMembership, memberMay(action, membership, product: facts.product) {
            return .allow(.member(membership.id, role: membership.role))
        }
        for side in facts.partnerSides {
            if let basis = partnerMay(action, side, product: facts.product, now: now) { return .allow(basis) }
        }
        for grant in facts.supportGrants where !grant.revoked && now < grant.expiresAt {
            guard action == .manage || action == .readStatistics else { continue }
            // No product list: the grant covers every product.
            if grant.products?.contains(facts.product) ?? true { return .allow(.support(grant.id)) }
        }
        return .deny
    }

    /// (a): R-O2 inside one's own organisation.
    static func memberMay(_ action: ProductAction, _ membership: AccessFacts.Membership, product: ProductID) -> Bool {
        let row: OrganisationAction
        switch action {
        case .manage, .readStatistics: row = .manageProducts
        case .order, .renew: row = .orderAndRenew
        case .billing: row = .billing
        }
        switch RoleRules.permission(membership.role, row) {
        case .whole: return true
        case .assignedProducts: return membership.assignedProducts.contains(product)
        case .partnerSideOnly, .denied: return false
        }
    }

    /// R-P9 through an active, unexpired partnership: legal representatives and admins see every
    /// client; employees only assigned ones; external users of the partner act for it in no client.
    public static func seesClient(_ side: AccessFacts.PartnerSide, now: Date) -> Bool {
        guard side.state == .active else { return false }
        if let endsAt = side.endsAt, now >= endsAt { return false }
        switch side.role {
        case .legalRepresentative, .admin: return true
        case .employee: return side.assignment != nil
        case .externalUser: return false
        }
    }

    /// (b): an active, unexpired partnership; R-P9 lets the user see C; the partnership grants it.
    static func partnerMay(_ action: ProductAction, _ side: AccessFacts.PartnerSide, product: ProductID, now: Date) -> AccessDecision.Basis? {
        guard seesClient(side, now: now) else { return nil }
        let assignment = side.role == .employee ? side.assignment : nil
        switch side.access {
        case .full:
            // Full access acts like an admin of C for products, orders and renewals; billing only
            // in payment mode `partner` (the partner's own invoices).
            if action == .billing && side.paymentMode != .partner { return nil }
            return .partner(side.partnership, membership: side.membership, access: .full, grant: nil, assignment: assignment)
        case .limited:
            guard let grant = side.grants.first(where: { $0.product == product }) else { return nil }
            let granted: Bool
            switch action {
            case .manage: granted = grant.technical
            case .readStatistics: granted = grant.statistics
            // R-B3 (choice): a limited partner renews a granted product, never orders new ones.
            case .renew: granted = grant.technical
            case .order, .billing: granted = false
            }
            return granted ? .partner(side.partnership, membership: side.membership, access: .limited, grant: grant.id, assignment: assignment) : nil
        }
    }
}
