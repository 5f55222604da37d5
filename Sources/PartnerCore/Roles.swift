/// R-O2: the four roles a member holds inside an organisation.
public enum OrganisationRole: String, Sendable, Hashable, Codable, CaseIterable {
    case legalRepresentative = "legal_representative"
    case admin
    case employee
    case externalUser = "external_user"
}

/// The rows of the R-O2 table.
public enum OrganisationAction: String, Sendable, Hashable, Codable, CaseIterable {
    case manageProducts = "manage_products"
    case orderAndRenew = "order_and_renew"
    case billing
    case manageMembers = "manage_members"
    case managePartnerships = "manage_partnerships"
    case answerPartnershipInvitation = "answer_partnership_invitation"
    case endPartnership = "end_partnership"
    case grantSupportAccess = "grant_support_access"
}

/// How far a role may perform an action.
public enum Permission: String, Sendable, Hashable {
    /// Across the whole organisation.
    case whole
    /// Only on products assigned to (managed by) the member.
    case assignedProducts = "assigned_products"
    /// Only when the organisation is the partner side of the partnership.
    case partnerSideOnly = "partner_side_only"
    case denied
}

public enum RoleRules {
    /// R-O2, row by row.
    public static func permission(_ role: OrganisationRole, _ action: OrganisationAction) -> Permission {
        switch (action, role) {
        case (.manageProducts, .legalRepresentative), (.manageProducts, .admin): return .whole
        case (.manageProducts, .employee), (.manageProducts, .externalUser): return .assignedProducts
        case (.orderAndRenew, .legalRepresentative), (.orderAndRenew, .admin): return .whole
        case (.billing, .legalRepresentative), (.billing, .admin): return .whole
        case (.manageMembers, .legalRepresentative), (.manageMembers, .admin): return .whole
        case (.managePartnerships, .legalRepresentative): return .whole
        case (.answerPartnershipInvitation, .legalRepresentative): return .whole
        case (.answerPartnershipInvitation, .admin): return .partnerSideOnly
        case (.endPartnership, .legalRepresentative): return .whole
        case (.endPartnership, .admin): return .partnerSideOnly
        case (.grantSupportAccess, .legalRepresentative), (.grantSupportAccess, .admin): return .whole
        case (.grantSupportAccess, .employee): return .assignedProducts
        default: return .denied
        }
    }
}

public enum MembershipError: Error, Equatable, Sendable {
    /// The acting member's role does not allow managing members (R-O2).
    case notAllowed
    /// Only a legal representative may grant, change or remove the legal-representative role
    /// (R-O2: an admin "never grants legal rep"; choice: nor demotes or removes one).
    case onlyLegalRepresentativeMayTouchLegalRepresentative
    /// R-O1: the last legal representative can never be removed or demoted.
    case lastLegalRepresentative
}

/// Membership changes, checked against R-O1 and R-O2 before anything is written.
public enum MembershipRules {
    public static func checkInvite(actor: OrganisationRole, role: OrganisationRole) throws(MembershipError) {
        guard RoleRules.permission(actor, .manageMembers) == .whole else { throw .notAllowed }
        if role == .legalRepresentative && actor != .legalRepresentative {
            throw .onlyLegalRepresentativeMayTouchLegalRepresentative
        }
    }

    public static func checkRoleChange(
        actor: OrganisationRole, target: OrganisationRole, newRole: OrganisationRole, legalRepresentativeCount: Int
    ) throws(MembershipError) {
        guard RoleRules.permission(actor, .manageMembers) == .whole else { throw .notAllowed }
        if (target == .legalRepresentative || newRole == .legalRepresentative) && actor != .legalRepresentative {
            throw .onlyLegalRepresentativeMayTouchLegalRepresentative
        }
        if target == .legalRepresentative && newRole != .legalRepresentative && legalRepresentativeCount <= 1 {
            throw .lastLegalRepresentative
        }
    }

    public static func checkRemoval(
        actor: OrganisationRole, target: OrganisationRole, legalRepresentativeCount: Int
    ) throws(MembershipError) {
        guard RoleRules.permission(actor, .manageMembers) == .whole else { throw .notAllowed }
        if target == .legalRepresentative && actor != .legalRepresentative {
            throw .onlyLegalRepresentativeMayTouchLegalRepresentative
        }
        if target == .legalRepresentative && legalRepresentativeCount <= 1 { throw .lastLegalRepresentative }
    }
}

/// R-O3: provider staff roles, outside any customer organisation.
public enum StaffRole: String, Sendable, Hashable, Codable, CaseIterable {
    case programAdmin = "program-admin"
    case support
}
