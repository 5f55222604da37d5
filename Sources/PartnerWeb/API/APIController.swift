import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// JSON API under /api/v1: the same use cases as the console, authenticated by personal access
/// tokens (`Authorization: Bearer`). Errors are RFC 9457 problem JSON (ProblemMiddleware).
struct APIController: RouteCollection {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        // RFC 3339 as the contract's `date-time` format allows it: offsets and fractions too.
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = DateTimeFormat.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time")
            }
            return date
        }
        return decoder
    }()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("openapi.json") { _ in try jsonData(OpenAPIDocument.json) }.named(.visitPublic)
        api.post("signup", use: signUp).named(.openAccount)
        // R-O6: anyone may ask for a reset link; the token decides.
        api.post("password-resets") { req async throws -> Response in
            struct Input: Content { var email: String }
            let input = try APIController().body(req, Input.self)
            try await req.accounts.requestPasswordReset(email: input.email, ip: req.clientIP, language: req.language, store: req.store)
            return try APIController().json(["status": "accepted"], .accepted)
        }.named(.openAccount)
        api.post("password-resets", "confirm") { req async throws -> Response in
            struct Input: Content { var token: String; var newPassword: String }
            let input = try APIController().body(req, Input.self)
            try await req.accounts.resetPassword(token: input.token, newPassword: input.newPassword, language: req.language, store: req.store)
            return Response(status: .noContent)
        }.named(.followSecretLink)
        api.post("email-changes", "confirm") { req async throws -> Response in
            struct Input: Content { var token: String; var password: String }
            let input = try APIController().body(req, Input.self)
            _ = try await req.accounts.confirmEmailChange(token: input.token, password: input.password, language: req.language, store: req.store)
            return Response(status: .noContent)
        }.named(.followSecretLink)
        api.post("auth", "tokens", use: logIn).named(.openAccount)
        api.get("quote", use: quote).named(.visitPublic)

        let me = api.grouped("me")
        me.get(use: profile).named(.manageOwnAccount)
        me.patch(use: updateProfile).named(.manageOwnAccount)
        me.post("password", use: changePassword).named(.manageOwnAccount)
        me.post("support-code", use: regenerateSupportCode).named(.manageOwnAccount)
        me.get("tokens", use: tokens).named(.manageOwnAccount)
        me.post("tokens", use: createToken).named(.manageOwnAccount)
        me.delete("tokens", ":token", use: revokeToken).named(.manageOwnAccount)
        me.get("sessions", use: sessions).named(.manageOwnAccount)
        // R-O6: a new sign-in address, confirmed from there.
        me.post("email") { req async throws -> Response in
            struct Input: Content { var email: String; var password: String }
            let input = try APIController().body(req, Input.self)
            try await req.accounts.requestEmailChange(user: try req.requireUser(), newEmail: input.email, password: input.password, language: req.language, store: req.store)
            return try APIController().json(["status": "accepted"], .accepted)
        }.named(.manageOwnAccount)
        me.delete("sessions", ":session", use: endSession).named(.manageOwnAccount)

        api.get("organisations", use: organisations).named(.manageOwnAccount)
        api.post("organisations", use: createOrganisation).named(.manageOwnAccount)
        let org = api.grouped("organisations", ":org")
        org.get(use: organisation).named(.seeOrganisation)
        org.patch(use: updateOrganisation).named(.editOrganisation)
        org.get("members", use: members).named(.seeOrganisation)
        org.patch("members", ":member", use: changeRole).named(.manageMembers)
        org.delete("members", ":member", use: removeMember).named(.manageMembers)
        org.get("invitations", use: invitations).named(.manageMembers)
        org.post("invitations", use: invite).named(.manageMembers)
        org.post("invitations", ":invitation", "resend", use: resendInvitation).named(.manageMembers)
        org.delete("invitations", ":invitation", use: withdrawInvitation).named(.manageMembers)
        org.get("audit-events", use: auditEvents).named(.seeActivity)
        api.post("invitations", "accept") { req in try await answer(req, accept: true) }.named(.followSecretLink)
        api.post("invitations", "decline") { req in try await answer(req, accept: false) }.named(.followSecretLink)
    }

    func body<T: Decodable>(_ req: Request, _ type: T.Type) throws -> T {
        guard let buffer = req.body.data else {
            throw AppError.badRequest("A JSON body is required.", field: "body")
        }
        // Streamed bodies are cut at 1 MB by the router; this holds for bodies that arrived whole.
        guard buffer.readableBytes <= 1_048_576 else { throw Abort(.payloadTooLarge) }
        if let contentType = req.headers.contentType, contentType != .json, !(contentType.type == "application" && contentType.subType.hasSuffix("+json")) {
            throw AppError.badRequest("The body must be application/json.", field: "body")
        }
        return try Self.decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }

    func json<T: Encodable>(_ value: T, _ status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status, body: .init(data: try Self.encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }

    func param<T>(_ req: Request, _ name: String, _ make: (String) -> T?) throws -> T {
        guard let raw = req.parameters.get(name), let value = make(raw) else { throw AppError.notFound }
        return value
    }

    // MARK: accounts

    func signUp(req: Request) async throws -> Response {
        let input = try body(req, SignUpRequest.self)
        _ = try await req.accounts.signUp(
            SignUpInput(name: input.name, email: input.email, password: input.password, organisationName: input.organisationName,
                        country: input.country, currency: input.currency), language: req.language, referral: req.cookies[Cookies.referral]?.string, ip: req.clientIP, store: req.store)
        return try Self.signUpAccepted(input.email)
    }

    /// R-H1: one answer whether the address was new or registered (its owner was mailed).
    static func signUpAccepted(_ rawEmail: String) throws -> Response {
        try APIController().json(SignUpAcceptedResponse(email: EmailAddress(rawEmail)?.value ?? rawEmail, status: "accepted",
                                                        next: "An e-mail is on its way. Sign in with POST /api/v1/auth/tokens."), .accepted)
    }

    /// Exchanges e-mail and password for a personal access token (same throttle as the console).
    func logIn(req: Request) async throws -> Response {
        let input = try body(req, TokenLoginRequest.self)
        guard case .user(let user) = try await req.accounts.logIn(email: input.email, password: input.password, ip: req.clientIP, staff: false, store: req.store)
        else { throw AppError.unauthorised }
        try await req.partnerHub.twoFactor.requireForToken(.user(user.id), otp: input.otp, store: req.store)
        let (info, secret) = try await req.accounts.createAccessToken(user: user, name: input.name ?? "API", store: req.store)
        return try json(NewAccessTokenResponse(token: secret, accessToken: AccessTokenResponse(info)), .created)
    }

    func profile(req: Request) async throws -> Response { try json(UserResponse(try req.requireUser())) }

    func updateProfile(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try body(req, ProfileUpdateRequest.self)
        var language = user.language
        if let raw = input.language {
            guard let parsed = Language(rawValue: raw) else { throw AppError.validation([FieldError("language", .invalidValue)]) }
            language = parsed
        }
        try await req.accounts.updateProfile(user: user, name: input.name ?? user.name, language: language, store: req.store)
        guard let updated = try await req.store.user(user.id) else { throw AppError.notFound }
        return try json(UserResponse(updated))
    }

    func changePassword(req: Request) async throws -> Response {
        let input = try body(req, PasswordChangeRequest.self)
        try await req.accounts.changePassword(user: try req.requireUser(), current: input.currentPassword, new: input.newPassword,
                                              keeping: nil, language: req.language, store: req.store)
        return Response(status: .noContent)
    }

    func regenerateSupportCode(req: Request) async throws -> Response {
        let user = try req.requireUser()
        _ = try await req.accounts.regenerateSupportCode(user: user, store: req.store)
        guard let updated = try await req.store.user(user.id) else { throw AppError.notFound }
        return try json(UserResponse(updated))
    }

    func tokens(req: Request) async throws -> Response {
        try list(req, try await req.store.accessTokens(of: try req.requireUser().id).map(AccessTokenResponse.init), descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func createToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try body(req, AccessTokenCreateRequest.self)
        let (info, secret) = try await req.accounts.createAccessToken(user: user, name: input.name, expiresInDays: input.expiresInDays, store: req.store)
        return try json(NewAccessTokenResponse(token: secret, accessToken: AccessTokenResponse(info)), .created)
    }

    func revokeToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        try await req.accounts.revokeAccessToken(user: user, id: try param(req, "token", AccessTokenID.init(string:)), store: req.store)
        return Response(status: .noContent)
    }

    func sessions(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let list = try await req.store.sessions(of: user.id, now: req.partnerHub.configuration.clock.now(), idle: req.partnerHub.configuration.sessionIdleTimeout)
        // Paged by when each session began (a last-seen time moves while a caller pages).
        return try self.list(req, list.map { SessionResponse(id: $0.id.string, userAgent: $0.userAgent, createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, current: false) },
                             descending: true) { [PageRequest.sortableTime($0.createdAt), $0.id] }
    }

    func endSession(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let id = try param(req, "session", SessionID.init(string:))
        try await req.store.write { tx in try await tx.deleteSession(id, of: user.id) }
        return Response(status: .noContent)
    }

    // MARK: organisations

    func organisations(req: Request) async throws -> Response {
        let list = try await req.store.organisations(of: try req.requireUser().id)
        return try self.list(req, list.map { OrganisationMembershipResponse(organisation: OrganisationResponse($0.0), role: $0.1.rawValue) }) {
            [$0.organisation.name.lowercased(), $0.organisation.id]
        }
    }

    func createOrganisation(req: Request) async throws -> Response {
        let input = try body(req, OrganisationCreateRequest.self)
        let organisation = try await req.accounts.createOrganisation(user: try req.requireUser(), name: input.name, country: input.country,
                                                                     currency: input.currency, store: req.store)
        return try json(OrganisationResponse(organisation), .created)
    }

    func organisation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try json(OrganisationResponse(try await req.store.organisation(context)))
    }

    func updateOrganisation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try body(req, OrganisationUpdateRequest.self)
        let current = try await req.store.organisation(context)
        let updated = try await req.accounts.updateOrganisation(context, name: input.name ?? current.name, country: input.country ?? current.country.rawValue,
                                                                currency: input.currency ?? current.currency.rawValue, store: req.store)
        return try json(OrganisationResponse(updated))
    }

    func members(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try list(req, try await req.store.members(context).map(MemberResponse.init)) { [$0.name.lowercased(), $0.id] }
    }

    func changeRole(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try param(req, "member", MembershipID.init(string:))
        let input = try body(req, MemberRoleRequest.self)
        try await req.accounts.changeRole(context, membership: id, role: input.role, store: req.store)
        return try json(MemberResponse(try await req.store.member(context, id)))
    }

    func removeMember(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.accounts.removeMember(context, membership: try param(req, "member", MembershipID.init(string:)), store: req.store)
        return Response(status: .noContent)
    }

    func invitations(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try list(req, try await req.store.pendingInvitations(context).map(InvitationResponse.init), descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func invite(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try body(req, InvitationCreateRequest.self)
        let invitation = try await req.accounts.invite(context, inviter: try req.requireUser(), email: input.email, role: input.role,
                                                       language: req.language, store: req.store)
        return try json(InvitationResponse(invitation), .created)
    }

    func resendInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.accounts.resendInvitation(context, inviter: try req.requireUser(), id: try param(req, "invitation", InvitationID.init(string:)),
                                                language: req.language, store: req.store)
        return Response(status: .noContent)
    }

    func withdrawInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.accounts.withdrawInvitation(context, id: try param(req, "invitation", InvitationID.init(string:)), store: req.store)
        return Response(status: .noContent)
    }

    func answer(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let input = try body(req, InvitationTokenRequest.self)
        let invitation = try await req.accounts.answerInvitation(token: input.token, user: user, accept: accept, store: req.store)
        if !accept { return Response(status: .noContent) }
        return try json(InvitationAcceptedResponse(organisationId: invitation.organisationID.string, role: invitation.role.rawValue))
    }

    func auditEvents(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let paging = try PageRequest(req)
        var before: Int64? = nil
        if let after = paging.after {
            guard after.count == 1, let sequence = Int64(after[0]) else { throw AppError.validation([FieldError("cursor", .unknownReference)]) }
            before = sequence
        }
        let events = try await req.store.auditEvents(organisation: context.organisationID, limit: paging.limit + 1, before: before)
        return try paging.respond(req, paging.page(events) { [String($0.sequence)] }) { try json($0.map(AuditEventResponse.init)) }
    }

    // MARK: pricing (R-B2)

    func quote(req: Request) async throws -> Response {
        let product = (try? req.query.get(String.self, at: "product")) ?? ""
        guard let quantity = (try? req.query.get(String.self, at: "quantity")).flatMap(Int64.init), quantity > 0, quantity <= 1_000_000 else {
            throw AppError.validation([FieldError("quantity", .invalidValue)])
        }
        guard let currency = (try? req.query.get(String.self, at: "currency")).flatMap({ Currency(rawValue: $0.uppercased()) }) else {
            throw AppError.validation([FieldError("currency", .invalidCurrency)])
        }
        let discountText = (try? req.query.get(String.self, at: "partner_discount")) ?? "0"
        guard let percent = Int(discountText), (0...35).contains(percent) else {
            throw AppError.validation([FieldError("partner_discount", .invalidValue)])
        }
        // The price list program admins edit, as orders use it (one price everywhere, R-B2/R-B4).
        let list = try await req.store.priceList()
        let price: LinePrice
        do {
            guard let category = ProductCategory(rawValue: product) else { throw PricingError.unknownProduct(product) }
            price = try list.quote(category, quantity: quantity, currency: currency, partnerDiscount: BasisPoints(percent: percent))
        } catch {
            throw AppError.validation([FieldError("product", .invalidValue)])
        }
        let language = req.language
        return try json(QuoteResponse(
            product: product, quantity: quantity, currency: currency.rawValue, unitPrice: price.unitPrice.minorUnits,
            steps: price.steps.map { .init(step: $0.step.rawValue, rate: $0.rate.value, amount: $0.amount.minorUnits, display: MoneyFormat.display($0.amount, language: language)) },
            final: price.final.minorUnits, finalDisplay: MoneyFormat.display(price.final, language: language)))
    }
}

func jsonData(_ data: Data) throws -> Response {
    let response = Response(status: .ok, body: .init(data: data))
    response.headers.contentType = .json
    return response
}
