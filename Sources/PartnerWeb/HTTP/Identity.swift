import PartnerCore
import PartnerStore
import Vapor

/// Who is making the request, resolved once by `IdentityMiddleware`.
struct Identity: Sendable {
    enum Subject: Sendable {
        case user(User)
        case staff(StaffMember)
    }
    let subject: Subject
    /// Console requests carry a session; API requests a personal access token instead.
    let session: StoredSession?

    var user: User? { if case .user(let u) = subject { return u } else { return nil } }
    var staff: StaffMember? { if case .staff(let s) = subject { return s } else { return nil } }
}

struct IdentityKey: StorageKey { typealias Value = Identity }
struct AnonymousCSRFKey: StorageKey { typealias Value = String }

enum Cookies {
    static let session = "ph_session"
    static let csrf = "ph_csrf"
    static let language = "ph_lang"
    static let flash = "ph_flash"
    /// R-A1: the last affiliate link clicked (a random token; the click is stored by its hash).
    static let referral = "ph_ref"
}

extension Request {
    var identity: Identity? {
        get { storage[IdentityKey.self] }
        set { storage[IdentityKey.self] = newValue }
    }

    var isAPI: Bool { url.path.hasPrefix("/api/") }

    /// The signed-in customer user, or 401 (API) / a redirect to sign-in (console, via the error page).
    func requireUser() throws -> User {
        guard let user = identity?.user else { throw AppError.unauthorised }
        return user
    }

    /// R-O3: program admins edit the catalogue, rates and program; support agents get 403.
    func requireProgramAdmin() throws -> StaffMember {
        let staff = try requireStaff()
        try ProviderService.requireProgramAdmin(staff)
        return staff
    }

    func requireStaff() throws -> StaffMember {
        guard let staff = identity?.staff else { throw AppError.unauthorised }
        return staff
    }

    /// The token a console form must echo: the session's, or for anonymous forms a double-submit cookie.
    var csrfToken: String {
        identity?.session?.csrfToken ?? storage[AnonymousCSRFKey.self] ?? cookies[Cookies.csrf]?.string ?? ""
    }

    /// The tenant wall: the acting context in organisation `:org`, or 404 when the user is no member.
    func organisationContext() async throws -> OrganisationContext {
        let user = try requireUser()
        guard let raw = parameters.get("org"), let id = OrganisationID(string: raw) else { throw AppError.notFound }
        // The authority middleware loaded the user's standing in this organisation already (R-O5).
        if let access = storage[ClientAccessKey.self], access.organisation == id {
            guard let membership = access.clientMembership else { throw AppError.notFound }
            return OrganisationContext(organisationID: id, userID: user.id, role: membership.role, membershipID: membership.id)
        }
        guard let context = try await store.context(user: user.id, organisation: id) else { throw AppError.notFound }
        return context
    }

    /// The client's address: the connection's, or — when that is a trusted proxy — the last
    /// address in `X-Forwarded-For` that is not one of ours (earlier ones the client may have written).
    var clientIP: String {
        let remote = remoteAddress?.ipAddress ?? "unknown"
        let trusted = partnerHub.configuration.trustedProxies
        guard trusted.contains(remote) else { return remote }
        let forwarded = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return forwarded.last { !trusted.contains($0) && !$0.isEmpty && $0.utf8.count <= 45 } ?? remote
    }
}

/// Resolves the session cookie (console) or bearer token (API) into an `Identity`.
struct IdentityMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let now = req.partnerHub.configuration.clock.now()
        let store = req.store
        if req.isAPI {
            // The prefix says whose token it is: one look-up a request (R-O3 staff tokens: `phs_`).
            if let bearer = req.headers.bearerAuthorization?.token {
                if bearer.hasPrefix(AccountService.staffTokenPrefix) {
                    if let staff = try await store.staffByAccessToken(tokenHash: Store.sha256Hex(bearer), now: now) {
                        req.identity = Identity(subject: .staff(staff), session: nil)
                    }
                } else if let user = try await store.userByAccessToken(tokenHash: Store.sha256Hex(bearer), now: now) {
                    req.identity = Identity(subject: .user(user), session: nil)
                }
            }
        } else if let cookie = req.cookies[Cookies.session]?.string,
                  let session = try await store.session(tokenHash: Store.sha256Hex(cookie), now: now,
                                                        idle: req.partnerHub.configuration.sessionIdleTimeout) {
            // R-O4: a session still waiting for its second factor is nobody yet; only the code
            // step reads it.
            if session.stage == .awaitingCode {
                req.storage[PendingSignInKey.self] = session
            } else {
            switch session.principal {
            case .user(let id):
                if let user = try await store.user(id) { req.identity = Identity(subject: .user(user), session: session) }
            case .staff(let id):
                if let staff = try await store.staff(id) { req.identity = Identity(subject: .staff(staff), session: session) }
            }
            if req.identity != nil { try await store.touchSession(session.id, now: now) }
            }
        }
        var newAnonymousToken: String? = nil
        if !req.isAPI, req.identity == nil, req.cookies[Cookies.csrf] == nil {
            let token = req.partnerHub.configuration.random.token()
            req.storage[AnonymousCSRFKey.self] = token
            newAnonymousToken = token
        }
        let response = try await next.respond(to: req)
        if let token = newAnonymousToken {
            response.cookies[Cookies.csrf] = HTTPCookies.Value(string: token, path: "/", isSecure: req.partnerHub.configuration.secureCookies,
                                                               isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}

/// Every state-changing console form carries `_csrf`; SameSite cookies alone are not enough.
/// Signed-in users echo their session's token; anonymous forms (sign-in, sign-up) a double-submit cookie.
struct CSRFMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // No route: the method is not the path's (405 answers it), nothing is changed.
        guard !req.isAPI, req.method == .POST, req.route != nil else { return try await next.respond(to: req) }
        let expected: String?
        if let session = req.identity?.session { expected = session.csrfToken } else { expected = req.cookies[Cookies.csrf]?.string }
        let sent = req.formFields["_csrf"]
        guard let expected, !expected.isEmpty, let sent, constantTimeEquals(sent, expected) else { throw AppError.csrf }
        return try await next.respond(to: req)
    }
}

func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in x.indices { difference |= x[i] ^ y[i] }
    return difference == 0
}

struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if response.headers.contentType == .html {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
        }
        return response
    }
}
