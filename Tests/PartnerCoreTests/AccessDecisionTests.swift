import Foundation
import Testing
@testable import PartnerCore

@Suite("R-P10 access decision")
struct AccessDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let product = ProductID(UUID())
    static let other = ProductID(UUID())
    static let partnership = PartnershipID(UUID())
    static let grantID = GrantID(UUID())
    static let membership = MembershipID(UUID())

    static func side(role: OrganisationRole, state: PartnershipState, access: AccessType, mode: PaymentMode = .client,
                     granted: Bool, assigned: Bool, technical: Bool = true, statistics: Bool = true, endsAt: Date? = nil) -> AccessFacts.PartnerSide {
        AccessFacts.PartnerSide(
            partnership: partnership, state: state, access: access, paymentMode: mode, endsAt: endsAt,
            grants: granted ? [AccessFacts.Grant(id: grantID, product: product, technical: technical, statistics: statistics)] : [],
            membership: membership, role: role, assignment: assigned ? AssignmentID(UUID()) : nil)
    }

    static func facts(_ sides: [AccessFacts.PartnerSide], member: AccessFacts.Membership? = nil, support: [AccessFacts.SupportGrant] = []) -> AccessFacts {
        AccessFacts(product: product, clientMembership: member, partnerSides: sides, supportGrants: support)
    }

    /// DESIGN.md R-P10 (b) and R-P9 read as sets: which actions a partner user may take on the product.
    static func expected(role: OrganisationRole, state: PartnershipState, access: AccessType, mode: PaymentMode, granted: Bool, assigned: Bool) -> Set<ProductAction> {
        guard state == .active else { return [] }                                   // only an active partnership
        let visible: Bool = [.legalRepresentative, .admin].contains(role) || (role == .employee && assigned)   // R-P9
        guard visible else { return [] }
        if access == .full { return mode == .partner ? Set(ProductAction.allCases) : [.manage, .readStatistics, .order, .renew] }
        return granted ? [.manage, .readStatistics, .renew] : []                    // limited: granted products only
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let role: OrganisationRole, state: PartnershipState, access: AccessType, mode: PaymentMode, granted: Bool, assigned: Bool
        var testDescription: String { "\(role.rawValue) \(state.rawValue) \(access.rawValue) \(mode.rawValue) granted:\(granted) assigned:\(assigned)" }
    }

    static var everyCase: [Case] {
        var cases: [Case] = []
        for role in OrganisationRole.allCases {
            for state in PartnershipState.allCases {
                for access in AccessType.allCases {
                    for mode in PaymentMode.allCases {
                        for granted in [true, false] {
                            for assigned in [true, false] {
                                cases.append(Case(role: role, state: state, access: access, mode: mode, granted: granted, assigned: assigned))
                            }
                        }
                    }
                }
            }
        }
        return cases
    }

    @Test("R-P10 (b) every role × partnership state × access type × product granted × assigned, for every action")
    func partnerTable() {
        #expect(Self.everyCase.count == 4 * 6 * 2 * 2 * 2 * 2)
        for c in Self.everyCase {
            let facts = Self.facts([Self.side(role: c.role, state: c.state, access: c.access, mode: c.mode, granted: c.granted, assigned: c.assigned)])
            let allowed = Set(ProductAction.allCases.filter { AccessRules.decide($0, facts: facts, now: Self.now).isAllowed })
            #expect(allowed == Self.expected(role: c.role, state: c.state, access: c.access, mode: c.mode, granted: c.granted, assigned: c.assigned),
                    "\(c.testDescription)")
        }
    }

    @Test("R-P10 (b) the decision names the partnership, the grant and the employee's assignment")
    func partnerBasis() {
        let side = Self.side(role: .employee, state: .active, access: .limited, granted: true, assigned: true)
        let decision = AccessRules.decide(.manage, facts: Self.facts([side]), now: Self.now)
        #expect(decision == .allow(.partner(Self.partnership, membership: Self.membership, access: .limited, grant: Self.grantID, assignment: side.assignment)))
        if case .allow(let basis) = decision { #expect(basis.clause == "b") }
    }

    @Test("R-P3 limited rights: technical allows managing, statistics allows reading, each alone")
    func technicalAndStatistics() {
        let technicalOnly = Self.facts([Self.side(role: .admin, state: .active, access: .limited, granted: true, assigned: false, technical: true, statistics: false)])
        #expect(AccessRules.decide(.manage, facts: technicalOnly, now: Self.now).isAllowed)
        #expect(!AccessRules.decide(.readStatistics, facts: technicalOnly, now: Self.now).isAllowed)
        let statisticsOnly = Self.facts([Self.side(role: .admin, state: .active, access: .limited, granted: true, assigned: false, technical: false, statistics: true)])
        #expect(!AccessRules.decide(.manage, facts: statisticsOnly, now: Self.now).isAllowed)
        #expect(AccessRules.decide(.readStatistics, facts: statisticsOnly, now: Self.now).isAllowed)
    }

    @Test("R-P10 (a) members act by their R-O2 role; employees and external users on assigned products only")
    func memberClause() {
        for role in OrganisationRole.allCases {
            for assigned in [true, false] {
                let member = AccessFacts.Membership(id: Self.membership, role: role, assignedProducts: assigned ? [Self.product] : [Self.other])
                let facts = Self.facts([], member: member)
                let manage = AccessRules.decide(.manage, facts: facts, now: Self.now).isAllowed
                let order = AccessRules.decide(.order, facts: facts, now: Self.now).isAllowed
                let billing = AccessRules.decide(.billing, facts: facts, now: Self.now).isAllowed
                let boss = role == .legalRepresentative || role == .admin
                #expect(manage == (boss || assigned), "\(role) assigned:\(assigned)")
                #expect(order == boss && billing == boss, "\(role)")
            }
        }
    }

    @Test("R-P10 (c) support acts on granted products while the grant is unexpired and unrevoked; never orders or bills")
    func supportClause() {
        let id = SupportGrantID(UUID())
        let active = AccessFacts.SupportGrant(id: id, products: nil, expiresAt: Self.now.addingTimeInterval(3600), revoked: false)
        #expect(AccessRules.decide(.manage, facts: Self.facts([], support: [active]), now: Self.now) == .allow(.support(id)))
        #expect(!AccessRules.decide(.order, facts: Self.facts([], support: [active]), now: Self.now).isAllowed)
        #expect(!AccessRules.decide(.billing, facts: Self.facts([], support: [active]), now: Self.now).isAllowed)
        #expect(!AccessRules.decide(.manage, facts: Self.facts([], support: [active]), now: Self.now.addingTimeInterval(3600)).isAllowed)
        let revoked = AccessFacts.SupportGrant(id: id, products: nil, expiresAt: Self.now.addingTimeInterval(3600), revoked: true)
        #expect(!AccessRules.decide(.manage, facts: Self.facts([], support: [revoked]), now: Self.now).isAllowed)
        let otherProduct = AccessFacts.SupportGrant(id: id, products: [Self.other], expiresAt: Self.now.addingTimeInterval(3600), revoked: false)
        #expect(!AccessRules.decide(.manage, facts: Self.facts([], support: [otherProduct]), now: Self.now).isAllowed)
    }

    @Test("Time-bound partnerships: no access from the end date on")
    func endDate() {
        let side = Self.side(role: .admin, state: .active, access: .full, granted: false, assigned: false, endsAt: Self.now.addingTimeInterval(60))
        #expect(AccessRules.decide(.manage, facts: Self.facts([side]), now: Self.now).isAllowed)
        #expect(!AccessRules.decide(.manage, facts: Self.facts([side]), now: Self.now.addingTimeInterval(60)).isAllowed)
    }

    @Test("Nothing at all is denied")
    func nothing() {
        for action in ProductAction.allCases { #expect(AccessRules.decide(action, facts: Self.facts([]), now: Self.now) == .deny) }
    }

    /// Random facts: several partner sides, grants on this and other products.
    static func randomSide(_ g: inout SplitMix64) -> AccessFacts.PartnerSide {
        let grants = (0..<Int.random(in: 0...3, using: &g)).map { _ in
            AccessFacts.Grant(id: GrantID(UUID()), product: Bool.random(using: &g) ? product : other,
                              technical: Bool.random(using: &g), statistics: Bool.random(using: &g))
        }
        return AccessFacts.PartnerSide(
            partnership: PartnershipID(UUID()), state: PartnershipState.allCases.randomElement(using: &g)!,
            access: AccessType.allCases.randomElement(using: &g)!, paymentMode: PaymentMode.allCases.randomElement(using: &g)!,
            endsAt: Bool.random(using: &g) ? nil : now.addingTimeInterval(Double(Int.random(in: -100...100, using: &g))),
            grants: grants, membership: MembershipID(UUID()), role: OrganisationRole.allCases.randomElement(using: &g)!,
            assignment: Bool.random(using: &g) ? AssignmentID(UUID()) : nil)
    }

    @Test("R-P8 property: once every partnership has ended, no partner access is left")
    func endingLeavesNothing() {
        var g = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            let sides = (0..<Int.random(in: 1...3, using: &g)).map { _ in Self.randomSide(&g) }
            let ended = sides.map { s in
                AccessFacts.PartnerSide(partnership: s.partnership, state: PartnershipRules.next(s.state, on: .end) ?? (s.state == .active ? .ended : s.state),
                                        access: s.access, paymentMode: s.paymentMode, endsAt: s.endsAt, grants: s.grants,
                                        membership: s.membership, role: s.role, assignment: s.assignment)
            }
            for action in ProductAction.allCases {
                #expect(AccessRules.decide(action, facts: Self.facts(ended), now: Self.now) == .deny)
            }
        }
    }

    @Test("R-P6 property: removing a product from a limited grant leaves no access to it")
    func removingProductLeavesNothing() {
        var g = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let sides = (0..<Int.random(in: 1...3, using: &g)).map { _ in Self.randomSide(&g) }
                .map { s in
                    AccessFacts.PartnerSide(partnership: s.partnership, state: s.state, access: .limited, paymentMode: s.paymentMode, endsAt: s.endsAt,
                                            grants: s.grants.filter { $0.product != Self.product },
                                            membership: s.membership, role: s.role, assignment: s.assignment)
                }
            for action in ProductAction.allCases {
                #expect(AccessRules.decide(action, facts: Self.facts(sides), now: Self.now) == .deny)
            }
        }
    }
}

@Suite("R-P1 partnerships")
struct PartnershipRulesTests {
    @Test("R-P1 the state machine: invited → active → ended, or invited → declined / expired / withdrawn")
    func transitions() {
        let expected: [PartnershipState: [PartnershipEvent: PartnershipState]] = [
            .invited: [.accept: .active, .decline: .declined, .expire: .expired, .withdraw: .withdrawn],
            .active: [.end: .ended],
        ]
        for state in PartnershipState.allCases {
            for event in PartnershipEvent.allCases {
                #expect(PartnershipRules.next(state, on: event) == expected[state]?[event], "\(state) \(event)")
            }
        }
    }

    static let client = OrganisationID(UUID())
    static let p1 = OrganisationID(UUID()), p2 = OrganisationID(UUID())
    static let x = ProductID(UUID()), y = ProductID(UUID())

    @Test("R-P1 one open partnership per pair, one full access per client, each product to one partner")
    func invariants() {
        let limitedX = PartnershipRules.Existing(partner: Self.p1, state: .active, access: .limited, grantedProducts: [Self.x])
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p1, partnerApproved: true, access: .limited, products: [Self.y], existing: [limitedX]) == .alreadyLinked)
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p2, partnerApproved: true, access: .limited, products: [Self.x], existing: [limitedX]) == .productAlreadyGranted)
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p2, partnerApproved: true, access: .limited, products: [Self.y], existing: [limitedX]) == nil)
        let full = PartnershipRules.Existing(partner: Self.p1, state: .invited, access: .full, grantedProducts: [])
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p2, partnerApproved: true, access: .full, products: [], existing: [full]) == .secondFullAccess)
        let ended = PartnershipRules.Existing(partner: Self.p1, state: .ended, access: .full, grantedProducts: [Self.x])
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p1, partnerApproved: true, access: .full, products: [Self.x], existing: [ended]) == nil)
        #expect(PartnershipRules.check(client: Self.client, partner: Self.client, partnerApproved: true, access: .full, products: [], existing: []) == .selfPartnership)
        #expect(PartnershipRules.check(client: Self.client, partner: Self.p2, partnerApproved: false, access: .full, products: [], existing: []) == .notAPartner)
    }

    static let z = ProductID(UUID())
    static let limitedXY = PartnershipRules.Existing(partner: p1, state: .active, access: .limited, grantedProducts: [x, y])
    static let fullP1 = PartnershipRules.Existing(partner: p1, state: .active, access: .full, grantedProducts: [])
    static let endedXY = PartnershipRules.Existing(partner: p1, state: .ended, access: .limited, grantedProducts: [x, y])

    @Test("R-P1 each product at most one partner, full access counting as every product: the contested products, by case",
          arguments: [
              // (proposed access, proposed grants, existing, contested)
              (AccessType.full, Set<ProductID>(), [limitedXY], Set([x, y])),  // full beside a limited partner's grants: both contested
              (.full, [], [endedXY], []),  // an ended partnership holds nothing
              (.full, [], [], []),
              (.limited, [z], [fullP1], [z]),  // a grant beside another partner's full access
              (.limited, [], [fullP1], []),  // limited without grants contests nothing
              (.limited, [x, z], [limitedXY], [x]),  // only the overlap
              (.limited, [z], [limitedXY], []),
          ] as [(AccessType, Set<ProductID>, [PartnershipRules.Existing], Set<ProductID>)])
    func contested(access: AccessType, products: Set<ProductID>, existing: [PartnershipRules.Existing], contested: Set<ProductID>) {
        #expect(PartnershipRules.contestedProducts(access: access, products: products, existing: existing) == contested)
        let problem = PartnershipRules.check(client: Self.client, partner: Self.p2, partnerApproved: true, access: access, products: products, existing: existing)
        #expect((problem == .productAlreadyGranted) == !contested.isEmpty)
    }
}
