import FluentKit
import Foundation
import PartnerCore
import SQLKit

extension Store {
    public struct NewPartnership: Sendable {
        public var clientID: OrganisationID?
        public var partnerID: OrganisationID
        public var invitedEmail: EmailAddress?
        public var initiator: PartnershipInitiator
        public var access: AccessType
        public var paymentMode: PaymentMode
        public var grants: [ProductGrant]
        public var tokenHash: String
        public var invitedBy: UserID
        public init(clientID: OrganisationID?, partnerID: OrganisationID, invitedEmail: EmailAddress?, initiator: PartnershipInitiator,
                    access: AccessType, paymentMode: PaymentMode, grants: [ProductGrant], tokenHash: String, invitedBy: UserID) {
            self.clientID = clientID
            self.partnerID = partnerID
            self.invitedEmail = invitedEmail
            self.initiator = initiator
            self.access = access
            self.paymentMode = paymentMode
            self.grants = grants
            self.tokenHash = tokenHash
            self.invitedBy = invitedBy
        }
    }

    /// R-P2 / R-P3: a new partnership in state `invited`, with its (requested) grants.
    public func createPartnership(_ new: NewPartnership, now: Date) async throws -> Partnership {
        let row = PartnershipRow()
        let id = UUID()
        row.id = id
        row.clientID = new.clientID?.rawValue
        row.partnerID = new.partnerID.rawValue
        row.invitedEmail = new.invitedEmail?.value
        row.initiator = new.initiator.rawValue
        row.state = PartnershipState.invited.rawValue
        row.access = new.access.rawValue
        row.paymentMode = new.paymentMode.rawValue
        row.requestedAccess = new.access.rawValue
        row.requestedPaymentMode = new.paymentMode.rawValue
        row.tokenHash = new.tokenHash
        row.tokenExpiresAt = now.addingTimeInterval(InvitationRules.lifetime)
        row.invitedBy = new.invitedBy.rawValue
        row.createdAt = now
        try await row.create(on: database)
        try await replaceGrants(PartnershipID(id), with: new.grants)
        return try row.domain(grants: new.grants)
    }

    /// R-P1: each product to at most one partner — the unique index answers races the checks missed.
    public func replaceGrants(_ id: PartnershipID, with grants: [ProductGrant]) async throws {
        try await PartnershipGrantRow.query(on: database).filter(\.$partnershipID == id.rawValue).delete()
        for grant in grants {
            let row = PartnershipGrantRow()
            row.id = UUID()
            row.partnershipID = id.rawValue
            row.productID = grant.product.rawValue
            row.technical = grant.technical
            row.statistics = grant.statistics
            do { try await row.create(on: database) } catch where Self.isUniqueViolation(error) {
                throw StoreError.conflict(field: "products")
            }
        }
    }

    public func partnership(_ id: PartnershipID) async throws -> Partnership? {
        guard let row = try await PartnershipRow.find(id.rawValue, on: database) else { return nil }
        return try await withGrants([row]).first
    }

    public func partnership(tokenHash: String) async throws -> Partnership? {
        guard let row = try await PartnershipRow.query(on: database).filter(\.$tokenHash == tokenHash).first() else { return nil }
        return try await withGrants([row]).first
    }

    /// R-P2 requests a partner addressed to `email` that no client organisation has answered yet —
    /// the client's inbox. Expiry is the caller's to judge (it holds the clock).
    public func openClientRequests(email: EmailAddress) async throws -> [PartnershipListing] {
        let rows = try await PartnershipRow.query(on: database)
            .filter(\.$invitedEmail == email.value).filter(\.$initiator == PartnershipInitiator.partner.rawValue)
            .filter(\.$state == PartnershipState.invited.rawValue).filter(\.$clientID == nil)
            .sort(\.$createdAt, .descending).all()
        let names = try await organisationNames(rows.map(\.partnerID))
        return try await withGrants(rows).map { PartnershipListing(partnership: $0, counterpartName: names[$0.partnerID.rawValue] ?? "", assignedMemberships: []) }
    }

    /// Attaches grants with one query for the whole list (no N+1).
    func withGrants(_ rows: [PartnershipRow]) async throws -> [Partnership] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.requireID() }
        let grants = try await PartnershipGrantRow.query(on: database).filter(\.$partnershipID ~~ ids).all()
        let byPartnership = Dictionary(grouping: grants, by: \.partnershipID)
        return try rows.map { row in
            let id = try row.requireID()
            return try row.domain(grants: (byPartnership[id] ?? []).map {
                ProductGrant(product: ProductID($0.productID), technical: $0.technical, statistics: $0.statistics, id: $0.id.map(GrantID.init))
            }.sorted { $0.product.string < $1.product.string })
        }
    }

    /// The client side's partnerships (every state), newest first, with the partners' names.
    public func partnerships(client: OrganisationID) async throws -> [PartnershipListing] {
        let rows = try await PartnershipRow.query(on: database).filter(\.$clientID == client.rawValue).sort(\.$createdAt, .descending).all()
        let names = try await organisationNames(rows.map(\.partnerID))
        return try await withGrants(rows).map { PartnershipListing(partnership: $0, counterpartName: names[$0.partnerID.rawValue] ?? "", assignedMemberships: []) }
    }

    func organisationNames(_ ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await OrganisationRow.query(on: database).filter(\.$id ~~ Set(ids)).all()
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in row.id.map { ($0, row.name) } })
    }

    /// R-P1 checks need the client's other partnerships.
    public func existingPartnerships(client: OrganisationID, excluding: PartnershipID? = nil) async throws -> [PartnershipRules.Existing] {
        try await partnerships(client: client).map(\.partnership).filter { $0.id != excluding }.map {
            PartnershipRules.Existing(partner: $0.partnerID, state: $0.state, access: $0.access, grantedProducts: Set($0.grants.map(\.product)))
        }
    }

    /// Moves the partnership to `state`, only from `expected` (so a stale form or a second click
    /// changes nothing). Leaving the open states removes grants and the token.
    public func transitionPartnership(_ id: PartnershipID, from expected: PartnershipState, to state: PartnershipState,
                                      clientID: OrganisationID? = nil, now: Date) async throws {
        guard let row = try await PartnershipRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$state == expected.rawValue).first() else { throw StoreError.notFound }
        row.state = state.rawValue
        if let clientID { row.clientID = clientID.rawValue }
        switch state {
        case .active:
            row.answeredAt = now
            row.tokenHash = nil
            row.tokenExpiresAt = nil
        case .declined, .expired, .withdrawn:
            row.answeredAt = now
            row.tokenHash = nil
            try await PartnershipGrantRow.query(on: database).filter(\.$partnershipID == id.rawValue).delete()
        case .ended:
            row.endedAt = now
            // R-P8: access ends at once; grants go, so the products are free for another partner.
            try await PartnershipGrantRow.query(on: database).filter(\.$partnershipID == id.rawValue).delete()
            try await ClientAssignmentRow.query(on: database).filter(\.$partnershipID == id.rawValue).delete()
        case .invited:
            break
        }
        try await row.update(on: database)
    }

    /// R-P6 / R-P7: the terms of an active (or, on acceptance, invited) partnership.
    public func setTerms(_ id: PartnershipID, access: AccessType, paymentMode: PaymentMode, grants: [ProductGrant], endsAt: Date?) async throws {
        guard let row = try await PartnershipRow.find(id.rawValue, on: database) else { throw StoreError.notFound }
        row.access = access.rawValue
        row.paymentMode = paymentMode.rawValue
        row.endsAt = endsAt
        try await row.update(on: database)
        try await replaceGrants(id, with: access == .limited ? grants : [])
    }

    /// R-P4: a new token and expiry; the old token stops working.
    public func renewPartnershipToken(_ id: PartnershipID, tokenHash: String, now: Date) async throws {
        guard let row = try await PartnershipRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$state == PartnershipState.invited.rawValue).first() else { throw StoreError.notFound }
        row.tokenHash = tokenHash
        row.tokenExpiresAt = now.addingTimeInterval(InvitationRules.lifetime)
        try await row.update(on: database)
    }

    // MARK: time-bound partnerships

    public enum EndReminder: Sendable, Hashable {
        case fourteenDays, oneDay
    }

    /// Active partnerships with an end date whose reminder `kind` is due at `now` and not yet sent;
    /// each is marked as reminded in the same transaction, so any instance may run this and each
    /// reminder goes out once.
    public func claimEndReminders(_ kind: EndReminder, now: Date) async throws -> [Partnership] {
        let lead: TimeInterval = kind == .fourteenDays ? 14 * 86_400 : 86_400
        return try await write { tx in
            var query = PartnershipRow.query(on: tx.database).filter(\.$state == PartnershipState.active.rawValue)
                .filter(\.$endsAt != nil).filter(\.$endsAt <= now.addingTimeInterval(lead)).filter(\.$endsAt > now)
            // The 14-day reminder is skipped when the end is less than a day away: the 1-day one covers it.
            query = kind == .fourteenDays ? query.filter(\.$reminded14At == nil).filter(\.$endsAt > now.addingTimeInterval(86_400))
                                          : query.filter(\.$reminded1At == nil)
            let rows = try await query.all()
            for row in rows {
                if kind == .fourteenDays { row.reminded14At = now } else { row.reminded1At = now }
                try await row.update(on: tx.database)
            }
            return try await tx.withGrants(rows)
        }
    }

    /// Active partnerships whose end date has passed: they end by themselves (R-P8's effects).
    public func expiredTimeBound(now: Date) async throws -> [Partnership] {
        let rows = try await PartnershipRow.query(on: database).filter(\.$state == PartnershipState.active.rawValue)
            .filter(\.$endsAt != nil).filter(\.$endsAt <= now).all()
        return try await withGrants(rows)
    }

    // MARK: assignments (R-P9)

    public func assign(_ partnership: PartnershipID, to membership: MembershipID, now: Date) async throws {
        let exists = try await ClientAssignmentRow.query(on: database).filter(\.$partnershipID == partnership.rawValue)
            .filter(\.$membershipID == membership.rawValue).count() > 0
        guard !exists else { return }
        let row = ClientAssignmentRow()
        row.id = UUID()
        row.partnershipID = partnership.rawValue
        row.membershipID = membership.rawValue
        row.createdAt = now
        try await row.create(on: database)
    }

    public func unassign(_ partnership: PartnershipID, from membership: MembershipID) async throws {
        try await ClientAssignmentRow.query(on: database).filter(\.$partnershipID == partnership.rawValue)
            .filter(\.$membershipID == membership.rawValue).delete()
    }

    // MARK: the facts of R-P10

    /// What R-P10 needs to know about `user` towards organisation C — the same for every product
    /// of C, so a list of C's products is decided with this one load: the user's memberships,
    /// C's active partnerships with the user's partner organisations, their grants, the user's
    /// assignments (four queries at most).
    public func clientAccess(user: UserID, organisation: OrganisationID) async throws -> ClientAccess {
        let memberships = try await MembershipRow.query(on: database).filter(\.$userID == user.rawValue).all()
        let own = memberships.first { $0.organisationID == organisation.rawValue }
        var clientMembership: AccessFacts.Membership? = nil
        if let m = own, let membershipID = m.id, let role = OrganisationRole(rawValue: m.role) {
            // R-O2: employees and external users act on their assigned products only.
            let assigned = [.employee, .externalUser].contains(role) ? try await assignedProducts(MembershipID(membershipID)) : []
            clientMembership = AccessFacts.Membership(id: MembershipID(membershipID), role: role, assignedProducts: assigned)
        }
        let byOrganisation = Dictionary(memberships.map { ($0.organisationID, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = try await PartnershipRow.query(on: database).filter(\.$clientID == organisation.rawValue)
            .filter(\.$state == PartnershipState.active.rawValue).filter(\.$partnerID ~~ memberships.map(\.organisationID)).all()
        var sides: [AccessFacts.PartnerSide] = []
        if !rows.isEmpty {
            let partnerships = try await withGrants(rows)
            let partnershipIDs = try rows.map { try $0.requireID() }
            let membershipIDs = try memberships.map { try $0.requireID() }
            let assignments = try await ClientAssignmentRow.query(on: database).filter(\.$partnershipID ~~ partnershipIDs)
                .filter(\.$membershipID ~~ membershipIDs).all()
            for p in partnerships {
                guard let m = byOrganisation[p.partnerID.rawValue], let membershipID = m.id, let role = OrganisationRole(rawValue: m.role) else { continue }
                let assignment = assignments.first { $0.partnershipID == p.id.rawValue && $0.membershipID == membershipID }
                sides.append(AccessFacts.PartnerSide(
                    partnership: p.id, state: p.state, access: p.access, paymentMode: p.paymentMode, endsAt: p.endsAt,
                    grants: p.grants.map { AccessFacts.Grant(id: $0.id ?? GrantID(p.id.rawValue), product: $0.product, technical: $0.technical, statistics: $0.statistics) },
                    membership: MembershipID(membershipID), role: role, assignment: assignment.flatMap { $0.id }.map(AssignmentID.init)))
            }
        }
        return ClientAccess(organisation: organisation, clientMembership: clientMembership, partnerSides: sides)
    }
}

/// The user's standing towards one client organisation, from which R-P10 decides per product.
public struct ClientAccess: Sendable {
    public let organisation: OrganisationID
    public let clientMembership: AccessFacts.Membership?
    public let partnerSides: [AccessFacts.PartnerSide]

    public func facts(for product: ProductID) -> AccessFacts {
        AccessFacts(product: product, clientMembership: clientMembership, partnerSides: partnerSides, supportGrants: [])
    }

    /// Whether the user reaches the organisation at all (a member, or a partner user R-P9 lets see it).
    public func reachesOrganisation(now: Date) -> Bool {
        clientMembership != nil || partnerSides.contains { AccessRules.seesClient($0, now: now) }
    }
}

extension ProductRow {
    func domain() throws -> Product {
        guard let id, let category = ProductCategory(rawValue: category) else { throw StoreError.notFound }
        var billing: ProductBilling? = nil
        if let period = period.flatMap(BillingPeriod.init(rawValue:)), let renewsAt, let payerID {
            billing = ProductBilling(period: period, renewsAt: renewsAt, payer: OrganisationID(payerID), graceUntil: graceUntil)
        }
        return Product(id: ProductID(id), organisationID: OrganisationID(organisationID), category: category, name: name, status: status,
                       createdAt: createdAt, billing: billing)
    }
}

extension PartnershipRow {
    func domain(grants: [ProductGrant]) throws -> Partnership {
        guard let id, let initiator = PartnershipInitiator(rawValue: initiator), let state = PartnershipState(rawValue: state),
              let access = AccessType(rawValue: access), let mode = PaymentMode(rawValue: paymentMode),
              let requestedAccess = AccessType(rawValue: requestedAccess), let requestedMode = PaymentMode(rawValue: requestedPaymentMode)
        else { throw StoreError.notFound }
        return Partnership(id: PartnershipID(id), clientID: clientID.map(OrganisationID.init), partnerID: OrganisationID(partnerID),
                           invitedEmail: invitedEmail.flatMap(EmailAddress.init), initiator: initiator, state: state, access: access,
                           paymentMode: mode, requestedAccess: requestedAccess, requestedPaymentMode: requestedMode, grants: grants,
                           endsAt: endsAt, tokenExpiresAt: tokenExpiresAt, createdAt: createdAt)
    }
}

extension Store {
    /// The partner side's list for the hot path (the "clients" page and API): plain SQL, three
    /// queries whatever the length — partnerships with the client's name, their grants, their
    /// assignments — decoded without Fluent's model machinery. `onlyAssignedTo` narrows the list
    /// to active partnerships assigned to that membership (R-P9, employees).
    public func clientListings(partner: OrganisationID, onlyAssignedTo membership: MembershipID?) async throws -> [PartnershipListing] {
        // Columns are read one by one (not through a Decodable row type): the Codable row decoder
        // was the largest cost of this list under load.
        struct Row {
            let id: UUID, client_id: UUID?, partner_id: UUID, invited_email: String?, initiator: String, state: String, access: String
            let payment_mode: String, requested_access: String, requested_payment_mode: String, ends_at: Date?, token_expires_at: Date?
            let created_at: Date, client_name: String?
        }
        var filter: SQLQueryString = "p.partner_id = \(bind: partner.rawValue)"
        if let membership {
            filter = "p.partner_id = \(bind: partner.rawValue) AND p.state = 'active' AND EXISTS (SELECT 1 FROM client_assignments a WHERE a.partnership_id = p.id AND a.membership_id = \(bind: membership.rawValue))"
        }
        let rows = try await sql.raw("""
            SELECT p.id, p.client_id, p.partner_id, p.invited_email, p.initiator, p.state, p.access, p.payment_mode,
                   p.requested_access, p.requested_payment_mode, p.ends_at, p.token_expires_at, p.created_at, o.name AS client_name
            FROM partnerships p LEFT JOIN organisations o ON o.id = p.client_id
            WHERE \(filter) ORDER BY p.created_at DESC
            """).all().map { r in
                Row(id: try r.decode(column: "id", as: UUID.self), client_id: try r.decode(column: "client_id", as: UUID?.self),
                    partner_id: try r.decode(column: "partner_id", as: UUID.self), invited_email: try r.decode(column: "invited_email", as: String?.self),
                    initiator: try r.decode(column: "initiator", as: String.self), state: try r.decode(column: "state", as: String.self),
                    access: try r.decode(column: "access", as: String.self), payment_mode: try r.decode(column: "payment_mode", as: String.self),
                    requested_access: try r.decode(column: "requested_access", as: String.self),
                    requested_payment_mode: try r.decode(column: "requested_payment_mode", as: String.self),
                    ends_at: try r.decode(column: "ends_at", as: Date?.self), token_expires_at: try r.decode(column: "token_expires_at", as: Date?.self),
                    created_at: try r.decode(column: "created_at", as: Date.self), client_name: try r.decode(column: "client_name", as: String?.self))
            }
        guard !rows.isEmpty else { return [] }
        let scope: SQLQueryString
        if let membership {
            scope = "SELECT partnership_id FROM client_assignments WHERE membership_id = \(bind: membership.rawValue)"
        } else {
            scope = "SELECT id FROM partnerships WHERE partner_id = \(bind: partner.rawValue)"
        }
        struct GrantRow { let id: UUID, partnership_id: UUID, product_id: UUID, technical: Bool, statistics: Bool }
        let grants = try await sql.raw("SELECT id, partnership_id, product_id, technical, statistics FROM partnership_grants WHERE partnership_id IN (\(scope))")
            .all().map { r in
                GrantRow(id: try r.decode(column: "id", as: UUID.self), partnership_id: try r.decode(column: "partnership_id", as: UUID.self),
                         product_id: try r.decode(column: "product_id", as: UUID.self), technical: try r.decode(column: "technical", as: Bool.self),
                         statistics: try r.decode(column: "statistics", as: Bool.self))
            }
        struct AssignmentRow { let partnership_id: UUID, membership_id: UUID }
        let assignments = try await sql.raw("SELECT partnership_id, membership_id FROM client_assignments WHERE partnership_id IN (\(scope))")
            .all().map { r in
                AssignmentRow(partnership_id: try r.decode(column: "partnership_id", as: UUID.self), membership_id: try r.decode(column: "membership_id", as: UUID.self))
            }
        let grantsBy = Dictionary(grouping: grants, by: \.partnership_id)
        let assignedBy = Dictionary(grouping: assignments, by: \.partnership_id)
        return rows.compactMap { r in
            guard let initiator = PartnershipInitiator(rawValue: r.initiator), let state = PartnershipState(rawValue: r.state),
                  let access = AccessType(rawValue: r.access), let mode = PaymentMode(rawValue: r.payment_mode),
                  let requestedAccess = AccessType(rawValue: r.requested_access), let requestedMode = PaymentMode(rawValue: r.requested_payment_mode)
            else { return nil }
            let p = Partnership(
                id: PartnershipID(r.id), clientID: r.client_id.map(OrganisationID.init), partnerID: OrganisationID(r.partner_id),
                invitedEmail: r.invited_email.flatMap(EmailAddress.init), initiator: initiator, state: state, access: access, paymentMode: mode,
                requestedAccess: requestedAccess, requestedPaymentMode: requestedMode,
                grants: (grantsBy[r.id] ?? []).map { ProductGrant(product: ProductID($0.product_id), technical: $0.technical, statistics: $0.statistics, id: GrantID($0.id)) }
                    .sorted { $0.product.string < $1.product.string },
                endsAt: r.ends_at, tokenExpiresAt: r.token_expires_at, createdAt: r.created_at)
            return PartnershipListing(partnership: p, counterpartName: r.client_name ?? r.invited_email ?? "",
                                      assignedMemberships: (assignedBy[r.id] ?? []).map { MembershipID($0.membership_id) })
        }
    }
}
