import Foundation
import PartnerCore
import PartnerStore
import Vapor

struct GrantRequest: Content { var productId: String; var technical: Bool; var statistics: Bool }
struct PartnerAddRequest: Content { var partnerId: String; var access: String; var paymentMode: String?; var products: [GrantRequest]?; var endsAt: Date? }
struct ClientAddRequest: Content { var email: String; var access: String; var paymentMode: String? }
struct TermsRequest: Content { var access: String; var paymentMode: String?; var products: [GrantRequest]?; var endsAt: Date? }
struct EndRequest: Content { var password: String }
struct PartnershipAnswerRequest: Content {
    var token: String; var clientId: String?; var access: String?; var paymentMode: String?; var products: [GrantRequest]?; var endsAt: Date?
}
/// Answering an R-P2 request from the client's inbox: the same choices, no token.
struct PartnershipRequestAnswer: Content {
    var clientId: String?; var access: String?; var paymentMode: String?; var products: [GrantRequest]?; var endsAt: Date?
}

struct ProductResponse: Content {
    /// R-B8: the period, when the next renewal falls due and who it will bill under today's partnerships.
    struct Billing: Content { var period: String; var renewsAt: Date; var nextPayerId: String }
    var id: String; var organisationId: String; var category: String; var name: String; var status: String; var createdAt: Date; var allowedActions: [String]
    var billing: Billing?
    init(_ p: Product, allowed: Set<ProductAction>, nextPayer: OrganisationID? = nil) {
        id = p.id.string; organisationId = p.organisationID.string; category = p.category.rawValue; name = p.name; status = p.status
        createdAt = p.createdAt; allowedActions = ProductAction.allCases.filter(allowed.contains).map(\.rawValue)
        billing = p.billing.map { Billing(period: $0.period.rawValue, renewsAt: $0.renewsAt, nextPayerId: (nextPayer ?? $0.payer).string) }
    }
}

struct SupportGrantRequest: Content { var duration: String; var productId: String? }
struct SupportGrantResponse: Content {
    var id: String; var productId: String?; var expiresAt: Date; var revokedAt: Date?; var active: Bool; var createdAt: Date
    init(_ g: SupportGrant, now: Date) {
        id = g.id.string; productId = g.product?.string; expiresAt = g.expiresAt; revokedAt = g.revokedAt; active = g.isActive(at: now); createdAt = g.createdAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(productId, forKey: .productId); try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(revokedAt, forKey: .revokedAt); try c.encode(active, forKey: .active); try c.encode(createdAt, forKey: .createdAt)
    }
}

struct PartnerSearchResult: Content { var id: String; var name: String; var country: String }

struct PartnershipResponse: Content {
    struct Grant: Content { var productId: String; var technical: Bool; var statistics: Bool }
    var id: String; var clientId: String?; var partnerId: String; var counterpartName: String; var invitedEmail: String?
    var initiator: String; var state: String; var access: String; var paymentMode: String; var requestedAccess: String
    var requestedPaymentMode: String; var products: [Grant]; var endsAt: Date?; var assignedMemberships: [String]; var createdAt: Date

    init(_ listing: PartnershipListing) { self.init(listing.partnership, counterpart: listing.counterpartName, assigned: listing.assignedMemberships) }

    init(_ p: Partnership, counterpart: String, assigned: [MembershipID]) {
        id = p.id.string; clientId = p.clientID?.string; partnerId = p.partnerID.string; counterpartName = counterpart
        invitedEmail = p.invitedEmail?.value; initiator = p.initiator.rawValue; state = p.state.rawValue; access = p.access.rawValue
        paymentMode = p.paymentMode.rawValue; requestedAccess = p.requestedAccess.rawValue; requestedPaymentMode = p.requestedPaymentMode.rawValue
        products = p.grants.map { Grant(productId: $0.product.string, technical: $0.technical, statistics: $0.statistics) }
        endsAt = p.endsAt; assignedMemberships = assigned.map(\.string); createdAt = p.createdAt
    }

    // Nullable fields are always present, as the OpenAPI document says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(clientId, forKey: .clientId); try c.encode(partnerId, forKey: .partnerId)
        try c.encode(counterpartName, forKey: .counterpartName); try c.encode(invitedEmail, forKey: .invitedEmail)
        try c.encode(initiator, forKey: .initiator); try c.encode(state, forKey: .state); try c.encode(access, forKey: .access)
        try c.encode(paymentMode, forKey: .paymentMode); try c.encode(requestedAccess, forKey: .requestedAccess)
        try c.encode(requestedPaymentMode, forKey: .requestedPaymentMode); try c.encode(products, forKey: .products)
        try c.encode(endsAt, forKey: .endsAt); try c.encode(assignedMemberships, forKey: .assignedMemberships); try c.encode(createdAt, forKey: .createdAt)
    }
}

struct AccessDecisionResponse: Content {
    var allowed: Bool; var clause: String?; var membershipId: String?; var role: String?; var partnershipId: String?
    var access: String?; var grantId: String?; var assignmentId: String?; var supportGrantId: String?
    init(_ decision: AccessDecision) {
        allowed = decision.isAllowed
        guard case .allow(let basis) = decision else { return }
        clause = basis.clause
        switch basis {
        case .member(let m, let r): membershipId = m.string; role = r.rawValue
        case .partner(let p, let m, let a, let g, let s): partnershipId = p.string; membershipId = m.string; access = a.rawValue; grantId = g?.string; assignmentId = s?.string
        case .support(let s): supportGrantId = s.string
        }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(allowed, forKey: .allowed); try c.encode(clause, forKey: .clause); try c.encode(membershipId, forKey: .membershipId)
        try c.encode(role, forKey: .role); try c.encode(partnershipId, forKey: .partnershipId); try c.encode(access, forKey: .access)
        try c.encode(grantId, forKey: .grantId); try c.encode(assignmentId, forKey: .assignmentId); try c.encode(supportGrantId, forKey: .supportGrantId)
    }
}

/// Products, partners, clients and partnerships under /api/v1 (R-P1 … R-P10).
struct PartnershipAPIController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("partners", use: searchPartners).named(.manageOwnAccount)
        v1.post("partnership-invitations", "accept") { req in try await answer(req, accept: true) }.named(.followSecretLink)
        v1.post("partnership-invitations", "decline") { req in try await answer(req, accept: false) }.named(.followSecretLink)
        v1.get("partnership-requests", use: requests).named(.answerOwnRequests)
        v1.post("partnership-requests", ":partnership", "accept") { req in try await answerRequest(req, accept: true) }.named(.answerOwnRequests)
        v1.post("partnership-requests", ":partnership", "decline") { req in try await answerRequest(req, accept: false) }.named(.answerOwnRequests)
        let org = v1.grouped("organisations", ":org")
        org.get("products", use: products).named(.seeProducts)
        org.get("products", ":product", "access", use: explain).named(.managePartnerships)
        org.get("support-grants", use: supportGrants).named(.administerSupportAccess)
        org.post("support-grants", use: grantSupport).named(.grantSupportAccess)
        org.delete("support-grants", ":grant", use: revokeSupport).named(.administerSupportAccess)
        org.get("partners", use: partners).named(.seeOrganisation)
        org.post("partners", use: addPartner).named(.managePartnerships)
        org.get("clients", use: clients).named(.seeOrganisation)
        org.post("clients", use: addClient).named(.managePartnerships)
        org.get("partnerships", ":partnership", use: partnership).named(.seeOrganisation)
        org.patch("partnerships", ":partnership", use: changeTerms).named(.managePartnerships)
        org.delete("partnerships", ":partnership", use: withdraw).named(.managePartnerships)
        org.post("partnerships", ":partnership", "resend", use: resend).named(.managePartnerships)
        org.post("partnerships", ":partnership", "end", use: end).named(.endPartnership)
        org.put("partnerships", ":partnership", "assignments", ":member") { req in try await assign(req, true) }.named(.assignEmployees)
        org.delete("partnerships", ":partnership", "assignments", ":member") { req in try await assign(req, false) }.named(.assignEmployees)
    }

    func organisationID(_ req: Request) throws -> OrganisationID { try api.param(req, "org", OrganisationID.init(string:)) }

    func grants(_ list: [GrantRequest]?) throws -> [ProductGrant] {
        try (list ?? []).enumerated().map { index, g in
            guard let id = ProductID(string: g.productId) else { throw AppError.validation([FieldError("products.\(index).product_id", .invalidValue)]) }
            return ProductGrant(product: id, technical: g.technical, statistics: g.statistics)
        }
    }

    // MARK: products

    /// Members see their organisation's products; partner users those R-P10 lets them see; others 404.
    func products(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let organisation = try organisationID(req)
        let list = try await req.partnerships.visibleProducts(user: user, organisation: organisation, store: req.store)
        let payers = try await req.billing.nextPayers(list.map(\.0), client: organisation, store: req.store)
        return try api.list(req, list.map { ProductResponse($0.0, allowed: $0.1, nextPayer: payers[$0.0.id]) }) { [$0.name.lowercased(), $0.id] }
    }

    /// "Why can this user act on this product?" — for the client's legal representatives (R-P10).
    func explain(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.role == .legalRepresentative else { throw AppError.forbidden("error.not_allowed") }
        let productID = try api.param(req, "product", ProductID.init(string:))
        guard let product = try await req.store.product(productID), product.organisationID == context.organisationID else { throw AppError.notFound }
        guard let userID = (try? req.query.get(String.self, at: "user_id")).flatMap(UserID.init(string:)) else {
            throw AppError.validation([FieldError("user_id", .invalidValue)])
        }
        let actionText = (try? req.query.get(String.self, at: "action")) ?? ProductAction.manage.rawValue
        guard let action = ProductAction(rawValue: actionText) else { throw AppError.validation([FieldError("action", .invalidValue)]) }
        let access = try await req.store.clientAccess(user: userID, organisation: context.organisationID)
        let decision = AccessRules.decide(action, facts: access.facts(for: productID), now: req.partnerHub.configuration.clock.now())
        return try api.json(AccessDecisionResponse(decision))
    }

    // MARK: temporary support access (R-S3)

    func supportGrants(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let now = req.partnerHub.configuration.clock.now()
        return try api.list(req, try await req.store.supportGrants(organisation: context.organisationID).map { SupportGrantResponse($0, now: now) }, descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func grantSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, SupportGrantRequest.self)
        var product: ProductID? = nil
        if let raw = input.productId {
            guard let id = ProductID(string: raw) else { throw AppError.validation([FieldError("product_id", .invalidValue)]) }
            product = id
        }
        let grant = try await req.support.grant(context, duration: input.duration, product: product, store: req.store)
        return try api.json(SupportGrantResponse(grant, now: req.partnerHub.configuration.clock.now()), .created)
    }

    func revokeSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.support.revoke(context, id: try api.param(req, "grant", SupportGrantID.init(string:)), store: req.store)
        return Response(status: .noContent)
    }

    // MARK: partners and clients

    func searchPartners(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let query = (try? req.query.get(String.self, at: "q")) ?? ""
        return try api.list(req, try await req.store.searchPartners(query, limit: 1000).map { PartnerSearchResult(id: $0.id.string, name: $0.name, country: $0.country.rawValue) }) {
            [$0.name.lowercased(), $0.id]
        }
    }

    func partners(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try api.list(req, try await req.store.partnerships(client: context.organisationID).map(PartnershipResponse.init), descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func addPartner(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, PartnerAddRequest.self)
        guard let partnerID = OrganisationID(string: input.partnerId) else { throw AppError.validation([FieldError("partner_id", .invalidValue)]) }
        let products = try await req.store.products(of: context.organisationID)
        let terms = try req.partnerships.terms(access: input.access, paymentMode: input.paymentMode, grants: try grants(input.products),
                                               endsAt: input.endsAt, clientProducts: products)
        let p = try await req.partnerships.addPartner(context, inviter: try req.requireUser(), partner: partnerID, terms: terms, store: req.store)
        let name = try await req.store.organisation(id: partnerID)?.name ?? ""
        return try api.json(PartnershipResponse(p, counterpart: name, assigned: []), .created)
    }

    /// The hot path of issue #3's benchmark: written with `FastJSON`, not the Codable encoder.
    func clients(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let paging = try PageRequest(req)
        let list = try await req.partnerships.visibleClients(context, store: req.store).map(PartnershipResponse.init)
        return try paging.respond(req, paging.slice(list, descending: true) { [PageRequest.sortableTime($0.createdAt), $0.id] }) { rows in
            let response = Response(status: .ok, body: .init(string: PartnershipResponse.jsonArray(rows)))
            response.headers.contentType = .json
            return response
        }
    }

    func addClient(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, ClientAddRequest.self)
        let terms = try req.partnerships.terms(access: input.access, paymentMode: input.paymentMode, grants: [], endsAt: nil, clientProducts: nil)
        let p = try await req.partnerships.addClient(context, inviter: try req.requireUser(), email: input.email, terms: terms, language: req.language, store: req.store)
        return try api.json(PartnershipResponse(p, counterpart: p.invitedEmail?.value ?? "", assigned: []), .created)
    }

    // MARK: one partnership

    func partnershipID(_ req: Request) throws -> PartnershipID { try api.param(req, "partnership", PartnershipID.init(string:)) }

    /// A partner employee sees only assigned clients (R-P9): others are "not found".
    func visiblePartnership(_ req: Request, _ context: OrganisationContext) async throws -> PartnershipListing {
        let id = try partnershipID(req)
        let listing: PartnershipListing?
        if let p = try await req.store.partnership(id), p.clientID == context.organisationID {
            // The client side sees its own partnership; one more query names the partner.
            listing = PartnershipListing(partnership: p, counterpartName: try await req.store.organisation(id: p.partnerID)?.name ?? "", assignedMemberships: [])
        } else {
            listing = try await req.partnerships.visibleClients(context, store: req.store).first { $0.partnership.id == id }
        }
        guard let listing else { throw AppError.notFound }
        return listing
    }

    func partnership(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try api.json(PartnershipResponse(try await visiblePartnership(req, context)))
    }

    func changeTerms(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, TermsRequest.self)
        let products = try await req.store.products(of: context.organisationID)
        let terms = try req.partnerships.terms(access: input.access, paymentMode: input.paymentMode, grants: try grants(input.products),
                                               endsAt: input.endsAt, clientProducts: products)
        let p = try await req.partnerships.changeTerms(context, user: try req.requireUser(), id: try partnershipID(req), terms: terms, store: req.store)
        let name = try await req.store.organisation(id: p.partnerID)?.name ?? ""
        return try api.json(PartnershipResponse(p, counterpart: name, assigned: []))
    }

    func withdraw(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.partnerships.withdraw(context, user: try req.requireUser(), id: try partnershipID(req), store: req.store)
        return Response(status: .noContent)
    }

    func resend(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.partnerships.resend(context, user: try req.requireUser(), id: try partnershipID(req), language: req.language, store: req.store)
        return Response(status: .noContent)
    }

    func end(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, EndRequest.self)
        _ = try await visiblePartnership(req, context)
        try await req.partnerships.end(context, user: try req.requireUser(), id: try partnershipID(req), password: input.password, store: req.store)
        return Response(status: .noContent)
    }

    func assign(_ req: Request, _ assigned: Bool) async throws -> Response {
        let context = try await req.organisationContext()
        let member = try api.param(req, "member", MembershipID.init(string:))
        try await req.partnerships.setAssignment(context, user: try req.requireUser(), id: try partnershipID(req), membership: member, assigned: assigned, store: req.store)
        return Response(status: .noContent)
    }

    // MARK: invitations

    func answer(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let input = try api.body(req, PartnershipAnswerRequest.self)
        let (clientID, terms) = try await clientChoice(req, accept: accept, clientId: input.clientId, access: input.access,
                                                        paymentMode: input.paymentMode, products: input.products, endsAt: input.endsAt)
        let p = try await req.partnerships.answer(token: input.token, user: user, accept: accept, clientID: clientID, terms: terms, store: req.store)
        let counterpart = try await req.store.organisation(id: p.partnerID)?.name ?? ""
        return try api.json(PartnershipResponse(p, counterpart: counterpart, assigned: []))
    }

    /// The client's inbox (R-P2): open requests addressed to the caller's e-mail address.
    func requests(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try api.list(req, try await req.partnerships.openRequests(for: user, store: req.store).map(PartnershipResponse.init), descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func answerRequest(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let id = try api.param(req, "partnership", PartnershipID.init(string:))
        let input = try api.body(req, PartnershipRequestAnswer.self)
        let (clientID, terms) = try await clientChoice(req, accept: accept, clientId: input.clientId, access: input.access,
                                                        paymentMode: input.paymentMode, products: input.products, endsAt: input.endsAt)
        let p = try await req.partnerships.answerRequest(id, user: user, accept: accept, clientID: clientID, terms: terms, store: req.store)
        let counterpart = try await req.store.organisation(id: p.partnerID)?.name ?? ""
        return try api.json(PartnershipResponse(p, counterpart: counterpart, assigned: []))
    }

    /// The client organisation answering and, when accepting with explicit terms, what it grants.
    func clientChoice(_ req: Request, accept: Bool, clientId: String?, access: String?, paymentMode: String?, products: [GrantRequest]?,
                      endsAt: Date?) async throws -> (OrganisationID?, PartnershipService.Terms?) {
        var clientID: OrganisationID? = nil
        if let raw = clientId {
            guard let parsed = OrganisationID(string: raw) else { throw AppError.validation([FieldError("client_id", .invalidValue)]) }
            clientID = parsed
        }
        guard accept, let access else { return (clientID, nil) }
        let owned = try await clientID.asyncMap { try await req.store.products(of: $0) }
        return (clientID, try req.partnerships.terms(access: access, paymentMode: paymentMode, grants: try grants(products), endsAt: endsAt, clientProducts: owned))
    }
}
