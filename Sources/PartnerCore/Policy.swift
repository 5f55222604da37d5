import Foundation

/// R-O5: every action a person can take. Each route names exactly one (the route table test holds
/// every route to that); `Policy.decide` answers it for every actor, with the reason.
public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
    // MARK: anyone
    /// Public pages, documents and forms: the home and directory pages, the catalogue, the
    /// contract, the price calculator, a tender or offer request sent by a visitor, the health check.
    case visitPublic = "visit_public"
    /// Signing up, signing in and out: the doors themselves (R-H1 throttles them).
    case openAccount = "open_account"
    /// A secret link decides, not a sign-in: invitations, partnership invitations, a tender's
    /// management link (the token in the path or body is the authority).
    case followSecretLink = "follow_secret_link"

    // MARK: a signed-in user, on their own account
    /// Profile, password, tokens, sessions, support code, two-factor set-up, own organisations,
    /// affiliate enrolment, founding an organisation.
    case manageOwnAccount = "manage_own_account"
    /// Answering a partnership request addressed to one of one's organisations: the service asks
    /// `answerPartnershipInvitation` for the organisation the request names.
    case answerOwnRequests = "answer_own_requests"

    // MARK: inside an organisation (R-O2), or for it as its partner (R-P9, R-P10)
    /// The organisation's own pages: overview, members, settings, partners and clients (members only).
    case seeOrganisation = "see_organisation"
    /// The organisation's products one may see, filtered per product by R-P10: members, and the
    /// users of a partner R-P9 lets see the client.
    case seeProducts = "see_products"
    /// Name, country, currency (R-O1), directory profile.
    case editOrganisation = "edit_organisation"
    /// The organisation's audit trail.
    case seeActivity = "see_activity"
    /// Invite, remove, change roles, assign products to members (R-O2).
    case manageMembers = "manage_members"
    /// Quote, order and renew (R-B3 then decides who pays; R-B11 for employees on the partner's money).
    case order
    /// Invoices, wallet, top-ups, billing exports, prices and earnings (R-O2 billing row).
    case billing
    /// Add a partner or client, change access or payment mode, resend or withdraw an invitation,
    /// the spending rules of a client (R-O2, R-B11).
    case managePartnerships = "manage_partnerships"
    case answerPartnershipInvitation = "answer_partnership_invitation"
    case endPartnership = "end_partnership"
    /// Assign the partner's employees to clients (R-P9).
    case assignEmployees = "assign_employees"
    /// Temporary support access (R-S3); employees for the products they manage.
    case grantSupportAccess = "grant_support_access"
    /// List and revoke the organisation's support grants (R-O2: whole organisation).
    case administerSupportAccess = "administer_support_access"
    /// Apply to the partner program (R-E1): a legal representative's commitment to the terms.
    case applyForProgram = "apply_for_program"
    /// The partner's business: directory profile, tenders and offers, benefits, backup groups.
    case runPartnerBusiness = "run_partner_business"

    // MARK: provider staff (R-O3)
    /// The provider console's pages and look-ups every staff member needs: support and VIP codes
    /// (R-S1, audited), organisations, orders.
    case supportCustomers = "support_customers"
    /// Program administration: applications, rates, catalogue, tender categories, themes, refunds.
    case administerProgram = "administer_program"

    /// Whom the action is about: nobody, one's own account, the organisation the route names, staff.
    public enum Scope: String, Sendable { case open, account, organisation, staff }

    public var scope: Scope {
        switch self {
        case .visitPublic, .openAccount, .followSecretLink: return .open
        case .manageOwnAccount, .answerOwnRequests: return .account
        case .supportCustomers, .administerProgram: return .staff
        default: return .organisation
        }
    }

    /// Changes nothing: may be shown to a partner that sees the client (R-P9) without more.
}

/// Who acts, with every fact the decision needs about the organisation the route names.
public struct Actor: Sendable, Hashable {
    /// The user as a member of a partner of the organisation: R-P10's facts about that side
    /// (partnership state, access, payment mode, the user's role and assignment, R-P9), and
    /// whether a legal representative let this user order on the partner's money (R-B11).
    public struct PartnerStanding: Sendable, Hashable {
        public let side: AccessFacts.PartnerSide
        public let mayOrderOnPartnerMoney: Bool
        public init(_ side: AccessFacts.PartnerSide, mayOrderOnPartnerMoney: Bool = false) {
            self.side = side
            self.mayOrderOnPartnerMoney = mayOrderOnPartnerMoney
        }
    }

    public enum Kind: Sendable, Hashable {
        case anonymous
        case user
        case staff(StaffRole)
    }

    public let kind: Kind
    /// The user's role in the organisation the route names (nil: not a member).
    public let membership: OrganisationRole?
    /// The user's standings as a member of the organisation's partners.
    public let partnerSides: [PartnerStanding]
    /// Whether the organisation the route names is itself the partner side of the partnership
    /// being answered or ended (R-O2's "on the partner side only").
    public let onPartnerSide: Bool
    /// Whether the organisation the route names is an approved partner (R-E2): the partner's
    /// business (tenders, directory, benefits, backup groups) exists only then.
    public let organisationIsPartner: Bool

    public init(kind: Kind, membership: OrganisationRole? = nil, partnerSides: [PartnerStanding] = [], onPartnerSide: Bool = false,
                organisationIsPartner: Bool = false) {
        self.kind = kind
        self.membership = membership
        self.partnerSides = partnerSides
        self.onPartnerSide = onPartnerSide
        self.organisationIsPartner = organisationIsPartner
    }

    public static let anonymous = Actor(kind: .anonymous)
    public static let user = Actor(kind: .user)
    public static func staff(_ role: StaffRole) -> Actor { Actor(kind: .staff(role)) }
}

/// The answer: allowed, on which standing, or refused with the reason.
public enum Verdict: Sendable, Hashable {
    case allowed(Standing)
    case refused(Refusal)

    public enum Standing: String, Sendable, Hashable {
        case anyone, ownAccount = "own_account", member, partner, staff
    }

    public var isAllowed: Bool { if case .allowed = self { return true } else { return false } }
}

public enum Refusal: String, Sendable, Hashable, CaseIterable {
    /// Sign in first (401; the console sends the person to the sign-in page).
    case notSignedIn = "not_signed_in"
    /// A customer where only provider staff act, or staff where only customers act: signed in at
    /// the wrong door (401; the console sends them to the right sign-in page).
    case wrongAudience = "wrong_audience"
    /// A support agent where only program admins act (R-O3).
    case staffRole = "staff_role"
    /// The user stands in no relation to the organisation (not a member, no partner that sees it).
    case noStanding = "no_standing"
    /// R-O2's row for the user's role denies it.
    case role
    /// R-O2: an admin answers or ends a partnership only on the partner side.
    case partnerSideOnly = "partner_side_only"
    /// The partner sees the client, but a partner never does this for a client (members, settings …).
    case clientOnly = "client_only"
    /// R-P10 b: a limited partnership neither orders for nor bills the client.
    case accessLevel = "access_level"
    /// R-E2: the organisation is not (or no longer) an approved partner.
    case notAPartner = "not_a_partner"
    /// R-O2/R-B11: an employee orders on the partner's money only when a legal representative let them.
    case notPermittedToSpend = "not_permitted_to_spend"

    /// The tenant wall: refusals that must not tell whether the organisation exists answer 404.
    public var hidesExistence: Bool { self == .noStanding }

    /// Refusals that a sign-in (at the right door) would answer: 401.
    public var asksToSignIn: Bool { self == .notSignedIn || self == .wrongAudience }
}

public enum Policy {
    /// R-O5: the one decision. Total over `Action` × `Actor`; it extends R-O2 (`RoleRules`) and
    /// R-P9/R-P10 (`AccessRules.seesClient`) rather than restating them. Product-level answers
    /// (a limited partner's grants) follow in `AccessRules.decide` for the product concerned.
    public static func decide(_ action: Action, _ actor: Actor, now: Date) -> Verdict {
        switch action.scope {
        case .open:
            return .allowed(.anyone)
        case .account:
            switch actor.kind {
            case .user: return .allowed(.ownAccount)
            case .anonymous: return .refused(.notSignedIn)
            case .staff: return .refused(.wrongAudience)
            }
        case .staff:
            switch actor.kind {
            case .anonymous: return .refused(.notSignedIn)
            case .user: return .refused(.wrongAudience)
            case .staff(let role):
                if action == .administerProgram && role != .programAdmin { return .refused(.staffRole) }
                return .allowed(.staff)
            }
        case .organisation:
            switch actor.kind {
            case .anonymous: return .refused(.notSignedIn)
            case .staff: return .refused(.wrongAudience)
            case .user: return decideInOrganisation(action, actor, now: now)
            }
        }
    }

    static func decideInOrganisation(_ action: Action, _ actor: Actor, now: Date) -> Verdict {
        var refusal: Refusal = .noStanding
        if let role = actor.membership {
            switch memberVerdict(action, role: role, onPartnerSide: actor.onPartnerSide, isPartner: actor.organisationIsPartner) {
            case .allowed(let standing): return .allowed(standing)
            case .refused(let reason): refusal = reason
            }
        }
        for side in actor.partnerSides {
            switch partnerVerdict(action, side, now: now) {
            case .allowed(let standing): return .allowed(standing)
            case .refused(let reason):
                // A member's reason is the one to tell; a partner who sees nothing keeps the wall.
                if refusal == .noStanding { refusal = reason }
            }
        }
        return .refused(refusal)
    }

    /// (a) inside one's own organisation: R-O2 row by row.
    static func memberVerdict(_ action: Action, role: OrganisationRole, onPartnerSide: Bool, isPartner: Bool) -> Verdict {
        let row: OrganisationAction
        switch action {
        case .seeOrganisation: return .allowed(.member)
        // Products are filtered per product (R-O2: employees and external users see assigned ones).
        case .seeProducts: return .allowed(.member)
        case .order: row = .orderAndRenew
        case .billing, .seeActivity: row = .billing
        case .editOrganisation, .runPartnerBusiness: row = .manageMembers
        case .manageMembers: row = .manageMembers
        case .managePartnerships, .applyForProgram: row = .managePartnerships
        // Assigning one's employees to clients is member management on the partner side.
        case .assignEmployees: row = .manageMembers
        case .answerPartnershipInvitation: row = .answerPartnershipInvitation
        case .endPartnership: row = .endPartnership
        // Employees grant support for the products they manage (checked per product).
        case .grantSupportAccess: row = .grantSupportAccess
        case .administerSupportAccess:
            return RoleRules.permission(role, .grantSupportAccess) == .whole ? .allowed(.member) : .refused(.role)
        case .visitPublic, .openAccount, .followSecretLink, .manageOwnAccount, .answerOwnRequests, .supportCustomers, .administerProgram:
            return .refused(.wrongAudience)
        }
        switch RoleRules.permission(role, row) {
        case .whole, .assignedProducts:
            if action == .runPartnerBusiness && !isPartner { return .refused(.notAPartner) }
            return .allowed(.member)
        case .partnerSideOnly: return onPartnerSide ? .allowed(.member) : .refused(.partnerSideOnly)
        case .denied: return .refused(.role)
        }
    }

    /// (b) for a client, as a member of its partner: R-P9 first (who sees the client at all),
    /// then what a partnership lets a partner do for its client.
    static func partnerVerdict(_ action: Action, _ standing: Actor.PartnerStanding, now: Date) -> Verdict {
        // R-P9 as R-P10 decides it: an active, unexpired partnership; legal representatives and
        // admins see every client, employees assigned ones, external users none.
        guard AccessRules.seesClient(standing.side, now: now) else { return .refused(.noStanding) }
        switch action {
        case .seeProducts:
            // Which products: R-P10 per product (a limited partnership sees its grants).
            return .allowed(.partner)
        case .order:
            // A limited partner renews a granted product only; R-B3 answers that for the product.
            switch RoleRules.permission(standing.side.role, .orderAndRenew) {
            case .whole: return .allowed(.partner)
            // R-O2 last row, R-B11: only on a legal representative's permission.
            case .assignedProducts, .partnerSideOnly, .denied:
                return standing.mayOrderOnPartnerMoney ? .allowed(.partner) : .refused(.notPermittedToSpend)
            }
        // The client's own pages, members, settings and money stay the client's: the partner's
        // invoices for it live in the partner's organisation (its clients' billing export).
        case .seeOrganisation, .billing, .editOrganisation, .administerSupportAccess, .applyForProgram, .seeActivity,
             .manageMembers, .managePartnerships, .answerPartnershipInvitation, .endPartnership, .assignEmployees, .grantSupportAccess,
             .runPartnerBusiness:
            return .refused(.clientOnly)
        case .visitPublic, .openAccount, .followSecretLink, .manageOwnAccount, .answerOwnRequests, .supportCustomers, .administerProgram:
            return .refused(.wrongAudience)
        }
    }
}
