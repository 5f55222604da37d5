import Foundation
import Testing
@testable import PartnerCore

/// R-O5: `Policy.decide` table-tested. The expected tables are written from DESIGN.md's R-O2 table
/// and R-P9/R-P10 text, row by row, not from the function.
@Suite("R-O5 one decision per action")
struct PolicyTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func side(_ role: OrganisationRole, state: PartnershipState = .active, access: AccessType = .full, mode: PaymentMode = .client,
                     assigned: Bool = false, endsAt: Date? = nil) -> AccessFacts.PartnerSide {
        AccessFacts.PartnerSide(partnership: PartnershipID(UUID()), state: state, access: access, paymentMode: mode, endsAt: endsAt, grants: [],
                                membership: MembershipID(UUID()), role: role, assignment: assigned ? AssignmentID(UUID()) : nil)
    }

    static let organisationActions = Action.allCases.filter { $0.scope == .organisation }

    @Test("R-O5 open actions are allowed to anyone; everything else asks an anonymous visitor to sign in")
    func anonymous() {
        for action in Action.allCases {
            let verdict = Policy.decide(action, .anonymous, now: Self.now)
            switch action {
            case .visitPublic, .openAccount, .followSecretLink: #expect(verdict == .allowed(.anyone), "\(action)")
            default: #expect(verdict == .refused(.notSignedIn), "\(action)")
            }
        }
    }

    @Test("R-O3/R-O5 staff: support agents support customers, program admins also administer; neither acts inside a customer organisation")
    func staff() {
        for action in Action.allCases {
            let admin = Policy.decide(action, .staff(.programAdmin), now: Self.now)
            let agent = Policy.decide(action, .staff(.support), now: Self.now)
            switch action {
            case .visitPublic, .openAccount, .followSecretLink:
                #expect(admin.isAllowed && agent.isAllowed)
            case .supportCustomers:
                #expect(admin == .allowed(.staff) && agent == .allowed(.staff))
            case .administerProgram:
                #expect(admin == .allowed(.staff))
                #expect(agent == .refused(.staffRole))
            default:
                #expect(admin == .refused(.wrongAudience), "\(action)")
                #expect(agent == .refused(.wrongAudience), "\(action)")
            }
        }
    }

    @Test("R-O5 a signed-in customer manages their own account; staff actions send them to the staff sign-in (401)")
    func ownAccount() {
        #expect(Policy.decide(.manageOwnAccount, .user, now: Self.now) == .allowed(.ownAccount))
        #expect(Policy.decide(.answerOwnRequests, .user, now: Self.now) == .allowed(.ownAccount))
        #expect(Policy.decide(.supportCustomers, .user, now: Self.now) == .refused(.wrongAudience))
        #expect(Refusal.wrongAudience.asksToSignIn && !Refusal.wrongAudience.hidesExistence)
    }

    /// DESIGN.md R-O2, one line per action: which roles may, inside their own organisation.
    /// `admin*`: only on the partner side of the partnership concerned.
    static let memberTable: [Action: String] = [
        .seeOrganisation: "LR admin employee external",
        .seeProducts: "LR admin employee external",      // filtered to assigned products per product (R-P10 a)
        .order: "LR admin",
        .billing: "LR admin",
        .seeActivity: "LR admin",
        .editOrganisation: "LR admin",
        .runPartnerBusiness: "LR admin",
        .manageMembers: "LR admin",
        .assignEmployees: "LR admin",
        .managePartnerships: "LR",
        .applyForProgram: "LR",
        .answerPartnershipInvitation: "LR admin*",
        .endPartnership: "LR admin*",
        .grantSupportAccess: "LR admin employee",       // employees for the products they manage
        .administerSupportAccess: "LR admin",
    ]

    static func code(_ role: OrganisationRole) -> String {
        switch role {
        case .legalRepresentative: return "LR"
        case .admin: return "admin"
        case .employee: return "employee"
        case .externalUser: return "external"
        }
    }

    @Test("R-O2/R-O5 members: every organisation action × every role × either side, against the R-O2 table")
    func members() {
        #expect(Set(Self.memberTable.keys) == Set(Self.organisationActions), "the table names every organisation action")
        for action in Self.organisationActions {
            let allowed = Set((Self.memberTable[action] ?? "").split(separator: " ").map(String.init))
            for role in OrganisationRole.allCases {
                for partnerSide in [false, true] {
                    let verdict = Policy.decide(action, Actor(kind: .user, membership: role, onPartnerSide: partnerSide, organisationIsPartner: true),
                                                now: Self.now)
                    let name = Self.code(role)
                    if allowed.contains(name) || (allowed.contains(name + "*") && partnerSide) {
                        #expect(verdict == .allowed(.member), "\(action) \(role) partnerSide:\(partnerSide)")
                    } else if allowed.contains(name + "*") {
                        #expect(verdict == .refused(.partnerSideOnly), "\(action) \(role)")
                    } else {
                        #expect(verdict == .refused(.role), "\(action) \(role) partnerSide:\(partnerSide)")
                        #expect(!Refusal.role.hidesExistence, "a member learns why (403), not 404")
                    }
                }
            }
        }
    }

    @Test("R-E2/R-O5 the partner's business exists only for an approved partner: told so (403) to its legal representatives and admins")
    func partnerBusinessNeedsApproval() {
        for role in OrganisationRole.allCases {
            let verdict = Policy.decide(.runPartnerBusiness, Actor(kind: .user, membership: role, organisationIsPartner: false), now: Self.now)
            let expected: Verdict = [.legalRepresentative, .admin].contains(role) ? .refused(.notAPartner) : .refused(.role)
            #expect(verdict == expected, "\(role)")
        }
    }

    @Test("R-P9/R-O5 a user with no standing in the organisation gets the tenant wall (404) for every organisation action")
    func strangers() {
        for action in Self.organisationActions {
            let verdict = Policy.decide(action, .user, now: Self.now)
            #expect(verdict == .refused(.noStanding), "\(action)")
        }
        #expect(Refusal.noStanding.hidesExistence)
    }

    @Test("R-P9/R-P10/R-B11 partner users for the client: who sees it, what they may do for it")
    func partners() {
        for action in Self.organisationActions {
            for role in OrganisationRole.allCases {
                for state in PartnershipState.allCases {
                    for access in AccessType.allCases {
                        for mode in PaymentMode.allCases {
                            for assigned in [false, true] {
                                for spend in [false, true] {
                                    let standing = Actor.PartnerStanding(Self.side(role, state: state, access: access, mode: mode, assigned: assigned),
                                                                         mayOrderOnPartnerMoney: spend)
                                    let verdict = Policy.decide(action, Actor(kind: .user, partnerSides: [standing]), now: Self.now)
                                    // R-P9: only an active partnership; LR/admin see every client, employees assigned ones.
                                    let sees = state == .active && (role == .legalRepresentative || role == .admin || (role == .employee && assigned))
                                    let label = "\(action) \(role) \(state) \(access) \(mode) assigned:\(assigned) spend:\(spend)"
                                    if !sees {
                                        #expect(verdict == .refused(.noStanding), "\(label)")
                                        continue
                                    }
                                    switch action {
                                    case .seeProducts:
                                        #expect(verdict == .allowed(.partner), "\(label)")
                                    case .order:
                                        // R-O2: LR and admin order; employees only with a legal representative's permission (R-B11).
                                        let may = role == .legalRepresentative || role == .admin || spend
                                        #expect(verdict == (may ? .allowed(.partner) : .refused(.notPermittedToSpend)), "\(label)")
                                    default:
                                        #expect(verdict == .refused(.clientOnly), "\(label)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("R-P10 b/R-O5 a time-bound partnership past its end gives no standing")
    func expiredPartnership() {
        let side = Self.side(.legalRepresentative, endsAt: Self.now)
        let verdict = Policy.decide(.seeProducts, Actor(kind: .user, partnerSides: [Actor.PartnerStanding(side)]), now: Self.now)
        #expect(verdict == .refused(.noStanding))
        let before = Policy.decide(.seeProducts, Actor(kind: .user, partnerSides: [Actor.PartnerStanding(side)]), now: Self.now.addingTimeInterval(-1))
        #expect(before == .allowed(.partner))
    }

    @Test("R-O5 a member's reason is told even when the user also stands as a partner that may not")
    func memberReasonWins() {
        let partner = Actor.PartnerStanding(Self.side(.employee, assigned: true))
        let verdict = Policy.decide(.billing, Actor(kind: .user, membership: .employee, partnerSides: [partner]), now: Self.now)
        #expect(verdict == .refused(.role))
        // Either standing that allows is enough.
        let both = Policy.decide(.order, Actor(kind: .user, membership: .employee, partnerSides: [Actor.PartnerStanding(Self.side(.admin))]), now: Self.now)
        #expect(both == .allowed(.partner))
    }
}
