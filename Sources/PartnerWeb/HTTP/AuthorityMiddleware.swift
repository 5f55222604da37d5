import Foundation
import PartnerCore
import PartnerStore
import Vapor

struct ClientAccessKey: StorageKey { typealias Value = ClientAccess }

/// R-O5: the one place a route's authority is decided. The route names its action; the facts about
/// the acting person and the organisation the path names are loaded here, once; `Policy.decide`
/// answers. It runs before the body is read, the form's CSRF token is checked or the contract is
/// applied, so a stranger learns nothing (404) and a refused member is told why (403) without
/// anything being parsed or changed. Finer answers follow in the services from the same Core
/// rules: R-P10 per product, R-B3/R-B11 per order, R-O1/R-O2 per member being changed.
struct AuthorityMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // No route: 404/405 answer it, nothing is reached.
        guard let route = req.route else { return try await next.respond(to: req) }
        guard let action = route.action else {
            // A route without a name is a programming error the route-table test catches; refuse
            // rather than guess.
            throw AppError.forbidden("policy.refused.role")
        }
        // R-O4: someone who must use two-factor sign-in and has not set it up does that first.
        if let session = req.identity?.session, session.stage == .mustEnrol, ![.openAccount, .visitPublic].contains(action) {
            let settings = session.principal.isStaff ? "/provider/two-factor" : "/console/profile/two-factor"
            if !req.url.path.hasPrefix(settings) { return .redirect(settings, flash: "twofactor.must_enrol") }
        }
        let actor = try await Self.actor(for: action, req)
        switch Policy.decide(action, actor, now: req.partnerHub.configuration.clock.now()) {
        case .allowed:
            return try await next.respond(to: req)
        case .refused(let reason):
            throw Self.error(for: reason)
        }
    }

    static func error(for reason: Refusal) -> AppError {
        if reason.asksToSignIn { return .unauthorised }
        if reason.hidesExistence { return .notFound }
        return .forbidden("policy.refused.\(reason.rawValue)")
    }

    /// The facts `Policy.decide` needs: who signs in, and for organisation routes their standing
    /// in the organisation the path names (member role; partner standings through active
    /// partnerships, R-P9), plus which side of the partnership the organisation is on.
    static func actor(for action: Action, _ req: Request) async throws -> Actor {
        let kind: Actor.Kind
        switch req.identity?.subject {
        case .none: kind = .anonymous
        case .user: kind = .user
        case .staff(let staff): kind = .staff(staff.role)
        }
        guard action.scope == .organisation, case .user(let user) = req.identity?.subject else { return Actor(kind: kind) }
        guard let organisation = req.parameters.get("org").flatMap(OrganisationID.init(string:)) else { return Actor(kind: kind) }
        let access: ClientAccess
        if let loaded = req.storage[ClientAccessKey.self], loaded.organisation == organisation {
            access = loaded
        } else {
            access = try await req.store.clientAccess(user: user.id, organisation: organisation)
            req.storage[ClientAccessKey.self] = access
        }
        var sides: [Actor.PartnerStanding] = []
        for side in access.partnerSides {
            // R-B11: an employee orders for a client only on a legal representative's grant.
            let grant = action == .order && side.role == .employee ? try await req.store.employeeSpendingLimit(side.membership) != nil : false
            sides.append(Actor.PartnerStanding(side, mayOrderOnPartnerMoney: grant))
        }
        var onPartnerSide = false
        if [.answerPartnershipInvitation, .endPartnership].contains(action),
           let id = req.parameters.get("partnership").flatMap(PartnershipID.init(string:)),
           let partnership = try await req.store.partnership(id) {
            onPartnerSide = partnership.partnerID == organisation
        }
        // R-E2: only asked where it matters (the partner's business), so other routes pay no query.
        let isPartner = action == .runPartnerBusiness && access.clientMembership != nil ? try await req.store.organisation(id: organisation)?.isPartner ?? false : false
        return Actor(kind: kind, membership: access.clientMembership?.role, partnerSides: sides, onPartnerSide: onPartnerSide,
                     organisationIsPartner: isPartner)
    }
}

extension Request {
    /// R-O5 for a page that shows more to whoever may do another action (the backup page shows
    /// the partner's groups to those who run its business): the same policy, the same facts.
    func may(_ action: Action) async throws -> Bool {
        let actor = try await AuthorityMiddleware.actor(for: action, self)
        return Policy.decide(action, actor, now: partnerHub.configuration.clock.now()).isAllowed
    }
}

extension Principal {
    var isStaff: Bool { if case .staff = self { return true } else { return false } }
}
