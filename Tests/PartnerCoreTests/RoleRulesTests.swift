import Testing
@testable import PartnerCore

@Suite("R-O1 / R-O2 roles and memberships")
struct RoleRulesTests {
    typealias R = OrganisationRole
    // DESIGN.md R-O2 written out: for each action, the permission of
    // legal representative, admin, employee, external user (in that order).
    static let table: [(OrganisationAction, [Permission])] = [
        (.manageProducts, [.whole, .whole, .assignedProducts, .assignedProducts]),
        (.orderAndRenew, [.whole, .whole, .denied, .denied]),
        (.billing, [.whole, .whole, .denied, .denied]),
        (.manageMembers, [.whole, .whole, .denied, .denied]),
        (.managePartnerships, [.whole, .denied, .denied, .denied]),
        (.answerPartnershipInvitation, [.whole, .partnerSideOnly, .denied, .denied]),
        (.endPartnership, [.whole, .partnerSideOnly, .denied, .denied]),
        (.grantSupportAccess, [.whole, .whole, .assignedProducts, .denied]),
    ]

    @Test("R-O2 each row of the table", arguments: table)
    func row(action: OrganisationAction, expected: [Permission]) {
        let roles: [R] = [.legalRepresentative, .admin, .employee, .externalUser]
        #expect(roles.map { RoleRules.permission($0, action) } == expected)
    }

    @Test("R-O2 the table covers every action")
    func everyAction() {
        #expect(Set(Self.table.map(\.0)) == Set(OrganisationAction.allCases))
    }

    @Test("R-O2 an admin invites members but never grants legal representative")
    func adminInvites() throws {
        try MembershipRules.checkInvite(actor: .admin, role: .employee)
        try MembershipRules.checkInvite(actor: .admin, role: .admin)
        #expect(throws: MembershipError.onlyLegalRepresentativeMayTouchLegalRepresentative) {
            try MembershipRules.checkInvite(actor: .admin, role: .legalRepresentative)
        }
        try MembershipRules.checkInvite(actor: .legalRepresentative, role: .legalRepresentative)
    }

    @Test("R-O2 employees and external users do not manage members", arguments: [R.employee, .externalUser])
    func othersCannotInvite(actor: R) {
        #expect(throws: MembershipError.notAllowed) { try MembershipRules.checkInvite(actor: actor, role: .externalUser) }
        #expect(throws: MembershipError.notAllowed) {
            try MembershipRules.checkRemoval(actor: actor, target: .externalUser, legalRepresentativeCount: 2)
        }
    }

    @Test("R-O1 the last legal representative can be neither demoted nor removed")
    func lastLegalRepresentative() throws {
        #expect(throws: MembershipError.lastLegalRepresentative) {
            try MembershipRules.checkRoleChange(actor: .legalRepresentative, target: .legalRepresentative, newRole: .admin, legalRepresentativeCount: 1)
        }
        #expect(throws: MembershipError.lastLegalRepresentative) {
            try MembershipRules.checkRemoval(actor: .legalRepresentative, target: .legalRepresentative, legalRepresentativeCount: 1)
        }
        // With a second legal representative, either may step down.
        try MembershipRules.checkRoleChange(actor: .legalRepresentative, target: .legalRepresentative, newRole: .admin, legalRepresentativeCount: 2)
        try MembershipRules.checkRemoval(actor: .legalRepresentative, target: .legalRepresentative, legalRepresentativeCount: 2)
    }

    @Test("R-O2 (choice) an admin neither demotes nor removes a legal representative")
    func adminCannotTouchLegalRepresentative() {
        #expect(throws: MembershipError.onlyLegalRepresentativeMayTouchLegalRepresentative) {
            try MembershipRules.checkRoleChange(actor: .admin, target: .legalRepresentative, newRole: .employee, legalRepresentativeCount: 3)
        }
        #expect(throws: MembershipError.onlyLegalRepresentativeMayTouchLegalRepresentative) {
            try MembershipRules.checkRemoval(actor: .admin, target: .legalRepresentative, legalRepresentativeCount: 3)
        }
        #expect(throws: MembershipError.onlyLegalRepresentativeMayTouchLegalRepresentative) {
            try MembershipRules.checkRoleChange(actor: .admin, target: .employee, newRole: .legalRepresentative, legalRepresentativeCount: 1)
        }
    }
}
