import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// Partnerships and delegated access (R-P1 … R-P10). Controllers decode and call; flows live
/// here; every rule is PartnerCore's; each change runs in one transaction with its audit event
/// and its e-mails.
struct PartnershipService: Sendable {
    let clock: any Clock
    let random: any SecretSource
    let hasher: PasswordHasher
    let baseURL: String

    // MARK: products (R-B9: they come from paid orders, BillingService+Recording)

    /// The products of C the user may see, each with what R-P10 allows; one load of facts for all.
    func visibleProducts(user: User, organisation: OrganisationID, store: Store) async throws -> [(Product, Set<ProductAction>)] {
        let access = try await store.clientAccess(user: user.id, organisation: organisation)
        let now = clock.now()
        guard access.reachesOrganisation(now: now) else { throw AppError.notFound }
        return try await store.products(of: organisation).compactMap { product in
            let allowed = Set(ProductAction.allCases.filter { AccessRules.decide($0, facts: access.facts(for: product.id), now: now).isAllowed })
            return allowed.contains(.manage) || allowed.contains(.readStatistics) ? (product, allowed) : nil
        }
    }

    /// R-P10 for one product; a product the user may not see is "not found".
    func decide(_ action: ProductAction, user: User, product id: ProductID, store: Store) async throws -> (Product, AccessDecision) {
        guard let product = try await store.product(id) else { throw AppError.notFound }
        let access = try await store.clientAccess(user: user.id, organisation: product.organisationID)
        let now = clock.now()
        let decision = AccessRules.decide(action, facts: access.facts(for: id), now: now)
        let visible = decision.isAllowed || [.manage, .readStatistics].contains { AccessRules.decide($0, facts: access.facts(for: id), now: now).isAllowed }
        guard visible else { throw AppError.notFound }
        return (product, decision)
    }

    // MARK: partner status (program admins; the application flow comes with the program issue)

    func approvePartner(_ organisation: OrganisationID, actor: String, store: Store) async throws {
        let now = clock.now()
        try await store.write { tx in
            try await tx.approvePartner(organisation, now: now)
            try await tx.appendAudit(AuditEntry(actor: actor, organisation: organisation.string, action: "partner.approved",
                                                target: "organisation:\(organisation.string)"), now: now)
        }
    }

    // MARK: inviting

    struct Terms: Sendable {
        var access: AccessType
        var paymentMode: PaymentMode
        var grants: [ProductGrant]
        var endsAt: Date?
    }

    /// Parses access type, payment mode and product grants the way both forms and the API send them.
    func terms(access rawAccess: String, paymentMode rawMode: String?, grants: [ProductGrant], endsAt: Date?, clientProducts: [Product]?) throws -> Terms {
        var errors = ValidationErrors()
        let access = AccessType(rawValue: rawAccess)
        if access == nil { errors.add("access", rawAccess.isEmpty ? .required : .invalidValue) }
        var mode = PaymentMode.client
        if let rawMode, !rawMode.isEmpty {
            if let parsed = PaymentMode(rawValue: rawMode) { mode = parsed } else { errors.add("payment_mode", .invalidValue) }
        }
        if let clientProducts {
            let owned = Set(clientProducts.map(\.id))
            // Granting a product of another organisation: refused, naming the field.
            if grants.contains(where: { !owned.contains($0.product) }) { errors.add("products", .unknownReference) }
        }
        if grants.contains(where: { !$0.technical && !$0.statistics }) { errors.add("products", .invalidValue) }
        // A product named twice is granted once, with the rights of both.
        var merged: [ProductGrant] = []
        for grant in grants {
            if let index = merged.firstIndex(where: { $0.product == grant.product }) {
                let earlier = merged[index]
                merged[index] = ProductGrant(product: grant.product, technical: earlier.technical || grant.technical, statistics: earlier.statistics || grant.statistics)
            } else {
                merged.append(grant)
            }
        }
        if let endsAt, endsAt <= clock.now() { errors.add("ends_at", .notInFuture) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        guard let access else { throw AppError.validation([FieldError("access", .invalidValue)]) }
        // R-P6: limited access has no payment mode of its own — the client pays.
        return Terms(access: access, paymentMode: access == .full ? mode : .client, grants: access == .limited ? merged : [], endsAt: endsAt)
    }

    /// R-P3: a client's legal representative adds an approved partner.
    func addPartner(_ client: OrganisationContext, inviter: User, partner partnerID: OrganisationID, terms: Terms, store: Store) async throws -> Partnership {
        guard client.may(.managePartnerships) else { throw AppError.forbidden("error.only_legal_representative_partnerships") }
        // An organisation that does not exist, or oneself: refused by what is stored (409), not by the contract.
        guard let partner = try await store.organisation(id: partnerID) else { throw AppError.validation([FieldError("partner_id", .unknownReference)]) }
        let existing = try await store.existingPartnerships(client: client.organisationID)
        try await check(client: client.organisationID, partner: partnerID, approved: partner.isPartner, terms: terms, existing: existing, store: store)
        let now = clock.now()
        let token = random.token()
        let clientOrganisation = try await store.organisation(client)
        let recipients = try await answerers(partnerID, store: store)
        return try await store.write { tx in
            let partnership = try await tx.createPartnership(.init(
                clientID: client.organisationID, partnerID: partnerID, invitedEmail: nil, initiator: .client, access: terms.access,
                paymentMode: terms.paymentMode, grants: terms.grants, tokenHash: Store.sha256Hex(token), invitedBy: inviter.id), now: now)
            try await reserveInvitation(client.organisationID, store: tx)
            try await tx.setTerms(partnership.id, access: terms.access, paymentMode: terms.paymentMode, grants: terms.grants, endsAt: terms.endsAt)
            try await audit(tx, actor: inviter, organisation: client.organisationID, action: "partnership.invited", partnership: partnership.id,
                            details: "{\"initiator\":\"client\",\"access\":\"\(terms.access.rawValue)\",\"products\":\(terms.grants.count)}", now: now)
            for (email, language) in recipients {
                let s = Strings(language: language)
                try await tx.enqueueMail(to: email, subject: s("mail.partner_invite.subject", ["client": clientOrganisation.name]),
                                         body: s("mail.partner_invite.body", ["client": clientOrganisation.name, "access": s("access.\(terms.access.rawValue)"),
                                                                              "link": "\(baseURL)/partnerships/\(token)"]), now: now)
            }
            return partnership
        }
    }

    /// Each invitation mails someone else's address: bounded per organisation (R-H1). Called in the
    /// transaction that writes the invitation, so one refused for another reason counts nothing.
    func reserveInvitation(_ organisation: OrganisationID, store: Store) async throws {
        try await store.reserveAttempts([("invite:\(organisation.string)", LoginThrottle(maximumFailures: Limits.invitationsPerOrganisationPerHour,
                                                                                             window: Limits.hour))], now: clock.now())
    }

    /// R-P2: a partner's legal representative adds a client by e-mail; the client decides what to grant.
    func addClient(_ partner: OrganisationContext, inviter: User, email rawEmail: String, terms: Terms, language: Language, store: Store) async throws -> Partnership {
        guard partner.may(.managePartnerships) else { throw AppError.forbidden("error.only_legal_representative_partnerships") }
        guard let email = EmailAddress(rawEmail) else {
            throw AppError.validation([FieldError("email", rawEmail.isEmpty ? .required : .invalidEmail)])
        }
        let partnerOrganisation = try await store.organisation(partner)
        let id = try await store.write { tx in
            let id = try await requestClient(partner: partnerOrganisation, inviter: inviter.id, email: email, terms: terms, language: language,
                                             reusePending: false, store: tx)
            try await reserveInvitation(partner.organisationID, store: tx)
            return id
        }
        guard let partnership = try await store.partnership(id) else { throw AppError.notFound }
        return partnership
    }

    /// R-P2's request in the caller's transaction: the partner names the client by e-mail and
    /// the requested terms; the client's side receives a link to answer. Also what an accepted
    /// tender offer starts (R-T4), where a request already waiting for that address is reused.
    func requestClient(partner: Organisation, inviter: UserID, email: EmailAddress, terms: Terms, language: Language, reusePending: Bool = true,
                       store tx: Store) async throws -> PartnershipID {
        guard partner.isPartner else { throw AppError.refused("error.not_a_partner") }
        // Inviting oneself, or a colleague of the partner, is no client relationship.
        if try await tx.membersOf(partner.id).contains(where: { $0.0.email == email }) {
            throw AppError.validation([FieldError("email", .taken)])
        }
        let pending = try await tx.clientListings(partner: partner.id, onlyAssignedTo: nil).map(\.partnership)
            .filter { $0.state == .invited && $0.invitedEmail == email }
        if let existing = pending.first {
            if reusePending { return existing.id }
            throw AppError.refused("error.already_linked")
        }
        let token = random.token()
        let now = clock.now()
        let partnership = try await tx.createPartnership(.init(
            clientID: nil, partnerID: partner.id, invitedEmail: email, initiator: .partner, access: terms.access,
            paymentMode: terms.paymentMode, grants: [], tokenHash: Store.sha256Hex(token), invitedBy: inviter), now: now)
        try await tx.appendAudit(AuditEntry(actor: "user:\(inviter.string)", organisation: partner.id.string, action: "partnership.invited",
                                            target: "partnership:\(partnership.id.string)",
                                            details: "{\"initiator\":\"partner\",\"access\":\"\(terms.access.rawValue)\"}"), now: now)
        let s = Strings(language: language)
        try await tx.enqueueMail(to: email, subject: s("mail.client_invite.subject", ["partner": partner.name]),
                                 body: s("mail.client_invite.body", ["partner": partner.name, "access": s("access.\(terms.access.rawValue)"),
                                                                     "link": "\(baseURL)/partnerships/\(token)"]), now: now)
        return partnership.id
    }

    /// Legal representatives and admins of the partner receive R-P3 invitations.
    func answerers(_ partner: OrganisationID, store: Store) async throws -> [(EmailAddress, Language)] {
        try await store.membersOf(partner).filter { [.legalRepresentative, .admin].contains($0.0.role) }.map { ($0.0.email, $0.1 ?? .en) }
    }

    /// R-P1 for proposed terms; when products would have two partners, the refusal names them.
    func check(client: OrganisationID, partner: OrganisationID, approved: Bool, terms: Terms, existing: [PartnershipRules.Existing],
               store: Store) async throws {
        let products = Set(terms.grants.map(\.product))
        let problem = PartnershipRules.check(client: client, partner: partner, partnerApproved: approved, access: terms.access, products: products,
                                             existing: existing)
        if problem == .productAlreadyGranted {
            let contested = PartnershipRules.contestedProducts(access: terms.access, products: products, existing: existing)
            let names = try await store.products(of: client).filter { contested.contains($0.id) }.map(\.name).sorted()
            throw AppError.validation([FieldError("products", .grantedToAnotherPartner, names: names)])
        }
        try check(problem)
    }

    func check(_ problem: PartnershipRules.Problem?) throws {
        guard let problem else { return }
        switch problem {
        case .alreadyLinked: throw AppError.refused("error.already_linked")
        case .secondFullAccess: throw AppError.refused("error.second_full_access")
        case .productAlreadyGranted: throw AppError.validation([FieldError("products", .grantedToAnotherPartner)])
        case .selfPartnership: throw AppError.refused("error.self_partnership")
        case .notAPartner: throw AppError.refused("error.not_a_partner")
        }
    }

    // MARK: changing and ending (R-P6, R-P7, R-P8)

    /// The partnership as seen from `context`, which must be one of its two sides; else 404.
    func partnership(_ context: OrganisationContext, _ id: PartnershipID, store: Store) async throws -> Partnership {
        guard let p = try await store.partnership(id), p.clientID == context.organisationID || p.partnerID == context.organisationID else {
            throw AppError.notFound
        }
        return p
    }

    /// R-P6/R-P7: only the client's legal representatives; effect on the next request; the partner is e-mailed.
    /// `expectedState` guards against a stale form: the change applies only to an active partnership.
    func changeTerms(_ context: OrganisationContext, user: User, id: PartnershipID, terms: Terms, store: Store) async throws -> Partnership {
        let p = try await partnership(context, id, store: store)
        guard p.clientID == context.organisationID else { throw AppError.notFound }
        // Who may: the route's action (R-O5 manage_partnerships).
        guard p.state == .active else { throw AppError.refused("error.partnership_changed") }
        let products = try await store.products(of: context.organisationID)
        let owned = Set(products.map(\.id))
        if terms.grants.contains(where: { !owned.contains($0.product) }) { throw AppError.validation([FieldError("products", .unknownReference)]) }
        let partner = try await store.organisation(id: p.partnerID)
        let existing = try await store.existingPartnerships(client: context.organisationID, excluding: p.id)
        try await check(client: context.organisationID, partner: p.partnerID, approved: partner?.isPartner ?? false, terms: terms, existing: existing,
                        store: store)
        let now = clock.now()
        return try await store.write { tx in
            try await tx.setTerms(p.id, access: terms.access, paymentMode: terms.paymentMode, grants: terms.grants, endsAt: terms.endsAt)
            try await audit(tx, actor: user, organisation: context.organisationID, action: "partnership.terms_changed", partnership: p.id,
                            details: "{\"from\":\"\(p.access.rawValue)/\(p.paymentMode.rawValue)/\(p.grants.count)\",\"to\":\"\(terms.access.rawValue)/\(terms.paymentMode.rawValue)/\(terms.grants.count)\"}", now: now)
            try await notifyOther(tx, side: p.partnerID, key: "changed", partnership: p, now: now)
            guard let stored = try await tx.partnership(p.id) else { throw AppError.notFound }
            return stored
        }
    }

    /// R-P8: either side (R-O2 says who), after a confirmation page and the account password.
    /// A wrong password changes nothing.
    func end(_ context: OrganisationContext, user: User, id: PartnershipID, password: String, store: Store) async throws {
        let p = try await partnership(context, id, store: store)
        let isClient = p.clientID == context.organisationID
        switch RoleRules.permission(context.role, .endPartnership) {
        case .whole: break
        case .partnerSideOnly where !isClient: break
        default: throw AppError.forbidden("error.not_allowed")
        }
        guard p.state == .active else { throw AppError.refused("error.partnership_changed") }
        guard let hash = try await store.passwordHash(of: user.id), try await hasher.verify(password, against: hash) else {
            throw AppError.validation([FieldError("password", .wrongPassword)])
        }
        let now = clock.now()
        try await store.write { tx in
            try await tx.transitionPartnership(p.id, from: .active, to: .ended, now: now)
            try await audit(tx, actor: user, organisation: context.organisationID, action: "partnership.ended", partnership: p.id,
                            details: "{\"by\":\"\(isClient ? "client" : "partner")\"}", now: now)
            try await notifyOther(tx, side: isClient ? p.partnerID : p.clientID, key: "ended", partnership: p, now: now)
            try await BackupService.partnershipEnded(tx, partnership: p, baseURL: baseURL, now: now)
        }
    }

    // MARK: time-bound partnerships (beyond the seed)

    /// Reminds both sides 14 days and 1 day before a partnership's end date (each reminder once),
    /// and ends partnerships whose date has come. Any instance may run it; the clock is handed in.
    func runTimeBound(store: Store) async throws {
        let now = clock.now()
        for (kind, key) in [(Store.EndReminder.fourteenDays, "reminder14"), (.oneDay, "reminder1")] {
            for p in try await store.claimEndReminders(kind, now: now) {
                try await store.write { tx in
                    try await notifyOther(tx, side: p.clientID, key: key, partnership: p, now: now)
                    try await notifyOther(tx, side: p.partnerID, key: key, partnership: p, now: now)
                }
            }
        }
        for p in try await store.expiredTimeBound(now: now) {
            try await store.write { tx in
                try await tx.transitionPartnership(p.id, from: .active, to: .ended, now: now)
                try await tx.appendAudit(AuditEntry(actor: "system", organisation: p.clientID?.string ?? "", action: "partnership.ended",
                                                    target: "partnership:\(p.id.string)", details: "{\"by\":\"end_date\"}"), now: now)
                try await notifyOther(tx, side: p.clientID, key: "ended", partnership: p, now: now)
                try await notifyOther(tx, side: p.partnerID, key: "ended", partnership: p, now: now)
                try await BackupService.partnershipEnded(tx, partnership: p, baseURL: baseURL, now: now)
            }
        }
    }

    // MARK: employees (R-P9)

    func setAssignment(_ context: OrganisationContext, user: User, id: PartnershipID, membership: MembershipID, assigned: Bool, store: Store) async throws {
        let p = try await partnership(context, id, store: store)
        guard p.partnerID == context.organisationID else { throw AppError.notFound }
        // Who may: the route's action (R-O5 assign_employees).
        guard p.state == .active || p.state == .invited else { throw AppError.refused("error.partnership_changed") }
        _ = try await store.member(context, membership)  // a membership of another organisation is "not found"
        let now = clock.now()
        try await store.write { tx in
            if assigned { try await tx.assign(p.id, to: membership, now: now) } else { try await tx.unassign(p.id, from: membership) }
            try await audit(tx, actor: user, organisation: context.organisationID, action: assigned ? "partnership.employee_assigned" : "partnership.employee_unassigned",
                            partnership: p.id, details: "{\"membership\":\"\(membership.string)\"}", now: now)
        }
    }

    /// R-P9: the partner's clients this member may see — all for legal representatives and admins, assigned ones for employees.
    func visibleClients(_ context: OrganisationContext, store: Store) async throws -> [PartnershipListing] {
        switch context.role {
        case .legalRepresentative, .admin: return try await store.clientListings(partner: context.organisationID, onlyAssignedTo: nil)
        case .employee: return try await store.clientListings(partner: context.organisationID, onlyAssignedTo: context.membershipID)
        case .externalUser: return []
        }
    }

    // MARK: helpers

    func audit(_ tx: Store, actor: User, organisation: OrganisationID, action: String, partnership: PartnershipID, details: String, now: Date) async throws {
        try await tx.appendAudit(AuditEntry(actor: "user:\(actor.id.string)", organisation: organisation.string, action: action,
                                            target: "partnership:\(partnership.string)", details: details), now: now)
    }

    /// E-mails the legal representatives and admins of the other side about a change.
    func notifyOther(_ tx: Store, side: OrganisationID?, key: String, partnership: Partnership, now: Date) async throws {
        guard let side else {
            if let email = partnership.invitedEmail {
                let s = Strings(language: .en)
                try await tx.enqueueMail(to: email, subject: s("mail.partnership.\(key).subject"), body: s("mail.partnership.\(key).body", ["link": baseURL]), now: now)
            }
            return
        }
        let partnerName = try await tx.organisation(id: partnership.partnerID)?.name ?? ""
        let clientName = try await partnership.clientID.asyncMap { try await tx.organisation(id: $0)?.name } ?? nil
        for (email, language) in try await answerers(side, store: tx) {
            let s = Strings(language: language)
            let endsAt = partnership.endsAt.map { Layout.date($0) } ?? ""
            let values = ["partner": partnerName, "client": clientName ?? "", "link": "\(baseURL)/console/orgs/\(side.string)", "date": endsAt]
            try await tx.enqueueMail(to: email, subject: s("mail.partnership.\(key).subject", values), body: s("mail.partnership.\(key).body", values), now: now)
        }
    }
}
