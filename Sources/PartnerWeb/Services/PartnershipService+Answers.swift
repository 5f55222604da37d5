import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// Answering an invitation (R-P4) and the sender's actions on it: resend, withdraw.
extension PartnershipService {
    // MARK: answering an invitation (R-P4)

    enum Lookup: Sendable {
        case open(Partnership, partnerName: String, clientName: String?)
        case problem(String)
    }

    func lookUp(token: String, store: Store) async throws -> Lookup {
        guard let partnership = try await store.partnership(tokenHash: Store.sha256Hex(token)) else { return .problem("invite.unknown") }
        guard partnership.state == .invited else { return .problem("invite.used") }
        if let expires = partnership.tokenExpiresAt, clock.now() >= expires { return .problem("invite.expired") }
        let partnerName = try await store.organisation(id: partnership.partnerID)?.name ?? ""
        let clientName = try await partnership.clientID.asyncMap { try await store.organisation(id: $0)?.name } ?? nil
        return .open(partnership, partnerName: partnerName, clientName: clientName)
    }

    /// Accepts or declines. For an R-P3 invitation the partner's legal representative or admin
    /// answers; for R-P2 a legal representative of the client organisation `clientID`, who may
    /// grant different terms than requested.
    func answer(token: String, user: User, accept: Bool, clientID: OrganisationID?, terms proposed: Terms?, store: Store) async throws -> Partnership {
        let lookup = try await lookUp(token: token, store: store)
        // An unknown token is not found; a used or expired one is gone.
        if case .problem(let key) = lookup { throw key == "invite.unknown" ? AppError.notFound : AppError.gone(key) }
        guard case .open(let partnership, _, _) = lookup else { throw AppError.notFound }
        let now = clock.now()
        switch partnership.initiator {
        case .client:
            // R-O5: the link names the partnership; the policy answers for its partner side.
            guard let context = try await store.context(user: user.id, organisation: partnership.partnerID),
                  Policy.decide(.answerPartnershipInvitation, Actor(kind: .user, membership: context.role, onPartnerSide: true), now: now).isAllowed
            else { throw AppError.forbidden("invite.wrong_user_partner") }
            return try await partnerAnswers(partnership, user: user, accept: accept, now: now, store: store)
        case .partner:
            return try await clientAnswers(partnership, user: user, accept: accept, clientID: clientID, terms: proposed, now: now, store: store)
        }
    }

    /// The client's inbox (R-P2): open requests addressed to the user's own e-mail address, for
    /// any of the organisations they represent to answer. Expired ones are left out.
    func openRequests(for user: User, store: Store) async throws -> [PartnershipListing] {
        let now = clock.now()
        return try await store.openClientRequests(email: user.email).filter { listing in
            listing.partnership.tokenExpiresAt.map { now < $0 } ?? true
        }
    }

    /// Answers a request from the inbox instead of the e-mailed link. Only the addressee sees it;
    /// everyone else gets 404, as for any other tenant's object.
    func answerRequest(_ id: PartnershipID, user: User, accept: Bool, clientID: OrganisationID?, terms proposed: Terms?, store: Store) async throws -> Partnership {
        guard let p = try await store.partnership(id), p.initiator == .partner, p.invitedEmail == user.email, p.clientID == nil else { throw AppError.notFound }
        guard p.state == .invited else { throw AppError.refused("error.partnership_changed") }
        if let expires = p.tokenExpiresAt, clock.now() >= expires { throw AppError.gone("invite.expired") }
        return try await clientAnswers(p, user: user, accept: accept, clientID: clientID, terms: proposed, now: clock.now(), store: store)
    }

    /// R-P2: a legal representative of `clientID` accepts — granting the requested terms or
    /// different ones — or declines; by link or from the inbox.
    private func clientAnswers(_ partnership: Partnership, user: User, accept: Bool, clientID: OrganisationID?, terms proposed: Terms?,
                               now: Date, store: Store) async throws -> Partnership {
        // R-O5: accepting a request sets the client's terms — the policy's manage_partnerships for the client.
        guard let clientID, let context = try await store.context(user: user.id, organisation: clientID),
              Policy.decide(.managePartnerships, Actor(kind: .user, membership: context.role), now: now).isAllowed,
              clientID != partnership.partnerID else { throw AppError.forbidden("invite.wrong_user_client") }
        guard accept else {
            return try await store.write { tx in
                try await tx.transitionPartnership(partnership.id, from: .invited, to: .declined, now: now)
                try await audit(tx, actor: user, organisation: partnership.partnerID, action: "partnership.declined", partnership: partnership.id, details: "{}", now: now)
                try await notifyOther(tx, side: partnership.partnerID, key: "declined", partnership: partnership, now: now)
                guard let stored = try await tx.partnership(partnership.id) else { throw AppError.notFound }
            return stored
            }
        }
        let terms = try proposed ?? self.terms(access: partnership.requestedAccess.rawValue, paymentMode: partnership.requestedPaymentMode.rawValue,
                                               grants: [], endsAt: nil, clientProducts: nil)
        let products = try await store.products(of: clientID)
        let owned = Set(products.map(\.id))
        if terms.grants.contains(where: { !owned.contains($0.product) }) { throw AppError.validation([FieldError("products", .unknownReference)]) }
        let partner = try await store.organisation(id: partnership.partnerID)
        let existing = try await store.existingPartnerships(client: clientID, excluding: partnership.id)
        try await check(client: clientID, partner: partnership.partnerID, approved: partner?.isPartner ?? false, terms: terms, existing: existing, store: store)
        return try await store.write { tx in
            try await tx.transitionPartnership(partnership.id, from: .invited, to: .active, clientID: clientID, now: now)
            try await tx.setTerms(partnership.id, access: terms.access, paymentMode: terms.paymentMode, grants: terms.grants, endsAt: terms.endsAt)
            try await convertExternalUsers(tx, client: clientID, partner: partnership.partnerID)
            try await audit(tx, actor: user, organisation: clientID, action: "partnership.accepted", partnership: partnership.id,
                            details: "{\"requested\":\"\(partnership.requestedAccess.rawValue)\",\"granted\":\"\(terms.access.rawValue)\",\"products\":\(terms.grants.count)}", now: now)
            try await notifyOther(tx, side: partnership.partnerID, key: "accepted", partnership: partnership, now: now)
            guard let stored = try await tx.partnership(partnership.id) else { throw AppError.notFound }
            return stored
        }
    }

    /// The partner's invitation inbox (R-P3): its legal representatives and admins answer a
    /// client's invitation from the console, without the e-mailed link.
    func answerReceived(_ context: OrganisationContext, user: User, id: PartnershipID, accept: Bool, store: Store) async throws -> Partnership {
        guard let p = try await store.partnership(id), p.partnerID == context.organisationID, p.initiator == .client else { throw AppError.notFound }
        // Who may: the route's action (R-O5 answer_partnership_invitation, on the partner side).
        guard p.state == .invited else { throw AppError.refused("error.partnership_changed") }
        if let expires = p.tokenExpiresAt, clock.now() >= expires { throw AppError.gone("invite.expired") }
        return try await partnerAnswers(p, user: user, accept: accept, now: clock.now(), store: store)
    }

    /// The partner side accepts or declines a client's invitation (R-P3), by link or from its inbox.
    private func partnerAnswers(_ p: Partnership, user: User, accept: Bool, now: Date, store: Store) async throws -> Partnership {
        try await store.write { tx in
            try await tx.transitionPartnership(p.id, from: .invited, to: accept ? .active : .declined, now: now)
            if accept, let client = p.clientID { try await convertExternalUsers(tx, client: client, partner: p.partnerID) }
            try await audit(tx, actor: user, organisation: p.partnerID, action: accept ? "partnership.accepted" : "partnership.declined",
                            partnership: p.id, details: "{}", now: now)
            try await notifyOther(tx, side: p.clientID, key: accept ? "accepted" : "declined", partnership: p, now: now)
            guard let stored = try await tx.partnership(p.id) else { throw AppError.notFound }
            return stored
        }
    }

    /// R-P5: the partner's users who were external users of the client now act through the
    /// partnership instead — their external memberships go, so nobody holds access twice.
    func convertExternalUsers(_ tx: Store, client: OrganisationID, partner: OrganisationID) async throws {
        let partnerUsers = Set(try await tx.membersOf(partner).map(\.0.userID))
        for (member, _) in try await tx.membersOf(client) where member.role == .externalUser && partnerUsers.contains(member.userID) {
            try await tx.deleteMembership(member.membershipID)
        }
    }

    // MARK: the sender's invitation actions (R-P4)

    /// The side that sent the invitation, acting in `context`, or 404.
    func sentInvitation(_ context: OrganisationContext, _ id: PartnershipID, store: Store) async throws -> Partnership {
        guard let p = try await store.partnership(id), p.state == .invited else { throw AppError.notFound }
        let senderSide = p.initiator == .client ? p.clientID : p.partnerID
        guard senderSide == context.organisationID else { throw AppError.notFound }
        // Who may: the route's action (R-O5 manage_partnerships).
        return p
    }

    func withdraw(_ context: OrganisationContext, user: User, id: PartnershipID, store: Store) async throws {
        let p = try await sentInvitation(context, id, store: store)
        let now = clock.now()
        try await store.write { tx in
            try await tx.transitionPartnership(p.id, from: .invited, to: .withdrawn, now: now)
            try await audit(tx, actor: user, organisation: context.organisationID, action: "partnership.withdrawn", partnership: p.id, details: "{}", now: now)
        }
    }

    func resend(_ context: OrganisationContext, user: User, id: PartnershipID, language: Language, store: Store) async throws {
        let p = try await sentInvitation(context, id, store: store)
        let now = clock.now()
        try await store.reserveAttempts([("resend:\(p.id.string)", LoginThrottle(maximumFailures: Limits.resendsPerInvitationPerHour, window: Limits.hour))],
                                        now: now)
        let token = random.token()
        let recipients: [(EmailAddress, Language)] = p.initiator == .client ? try await answerers(p.partnerID, store: store) : (p.invitedEmail.map { [($0, language)] } ?? [])
        let sender = try await store.organisation(context)
        try await store.write { tx in
            try await tx.renewPartnershipToken(p.id, tokenHash: Store.sha256Hex(token), now: now)
            try await audit(tx, actor: user, organisation: context.organisationID, action: "partnership.invitation_resent", partnership: p.id, details: "{}", now: now)
            for (email, language) in recipients {
                let s = Strings(language: language)
                let key = p.initiator == .client ? "partner_invite" : "client_invite"
                try await tx.enqueueMail(to: email, subject: s("mail.\(key).subject", ["client": sender.name, "partner": sender.name]),
                                         body: s("mail.\(key).body", ["client": sender.name, "partner": sender.name, "access": s("access.\(p.requestedAccess.rawValue)"),
                                                                      "link": "\(baseURL)/partnerships/\(token)"]), now: now)
            }
        }
    }
}
