import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// The account and organisation use cases. Controllers decode and authorise; flows live here;
/// rules come from PartnerCore; every write runs in one transaction with its audit event and mail.
struct AccountService: Sendable {
    let clock: any Clock
    let random: any SecretSource
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let baseURL: String

    // MARK: sessions and tokens

    static let sessionLifetime: TimeInterval = 30 * 24 * 3600

    /// Returns the cookie value; only its hash is stored.
    /// `stage`: R-O4's steps — waiting for the second factor, or allowed only to enrol.
    func startSession(_ principal: Principal, userAgent: String, stage: SessionStage = .signedIn, lifetime: TimeInterval = AccountService.sessionLifetime,
                      store: Store) async throws -> (cookie: String, csrf: String) {
        let cookie = random.token()
        let csrf = random.token()
        let now = clock.now()
        _ = try await store.write { tx in
            try await tx.createSession(tokenHash: Store.sha256Hex(cookie), principal: principal, csrfToken: csrf,
                                       userAgent: userAgent, now: now, lifetime: lifetime, stage: stage)
        }
        return (cookie, csrf)
    }

    /// `ph_` + 256 random bits; shown once, stored as a hash (issue #2: ≥128 bits).
    /// `expiresInDays`: 1 … 365, or nil for a token that works until revoked (AccessTokenRules).
    func createAccessToken(user: User, name rawName: String, expiresInDays: Int? = nil, store: Store) async throws -> (AccessTokenInfo, String) {
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 100, into: &errors)
        let now = clock.now()
        var expiry: Date? = nil
        do { expiry = try AccessTokenRules.expiry(days: expiresInDays, now: now) } catch { errors.errors += error.errors }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let expiresAt = expiry
        let secret = "ph_" + random.token()
        let info = try await store.write { tx in
            let info = try await tx.createAccessToken(user: user.id, name: name, tokenHash: Store.sha256Hex(secret), prefix: String(secret.prefix(9)),
                                                      expiresAt: expiresAt, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "token.created", target: "token:\(info.id.string)",
                                                details: "{\"name\":\"\(jsonEscape(name))\"}"), now: now)
            return info
        }
        return (info, secret)
    }

    static let staffTokenPrefix = "phs_"

    /// R-O3: a provider staff member's API token, `phs_` + 256 random bits, stored as a hash.
    /// R-O4: a staff token may end after 1 … 365 days, like a customer's.
    func createStaffAccessToken(staff: StaffMember, name rawName: String, expiresInDays: Int? = nil, store: Store) async throws -> (AccessTokenInfo, String) {
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 100, into: &errors)
        let now = clock.now()
        var expiry: Date? = nil
        do { expiry = try AccessTokenRules.expiry(days: expiresInDays, now: now) } catch { errors.errors += error.errors }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let expiresAt = expiry
        let secret = Self.staffTokenPrefix + random.token()
        let info = try await store.write { tx in
            let info = try await tx.createStaffAccessToken(staff: staff.id, name: name, tokenHash: Store.sha256Hex(secret), prefix: String(secret.prefix(10)),
                                                           expiresAt: expiresAt, now: now)
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", action: "staff_token.created", target: "token:\(info.id.string)",
                                                details: "{\"name\":\"\(jsonEscape(name))\"}"), now: now)
            return info
        }
        return (info, secret)
    }

    func revokeAccessToken(user: User, id: AccessTokenID, store: Store) async throws {
        let now = clock.now()
        try await store.write { tx in
            try await tx.revokeAccessToken(id, of: user.id, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "token.revoked", target: "token:\(id.string)"), now: now)
        }
    }

    // MARK: profile

    func changePassword(user: User, current: String, new: String, keeping session: SessionID?, language: Language, store: Store) async throws {
        var errors = ValidationErrors()
        if let problem = PasswordRules.check(new, field: "new_password") { errors.errors.append(problem) }
        guard let hash = try await store.passwordHash(of: user.id) else { throw AppError.notFound }
        if !(try await hasher.verify(current, against: hash)) { errors.add("current_password", .wrongPassword) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let newHash = try await hasher.hash(new)
        let now = clock.now()
        try await store.write { tx in
            try await tx.setPasswordHash(newHash, for: user.id)
            // Changing the password ends every other session (issue #2) and every API token
            // (R-O4): whoever learned the old password keeps no way in.
            try await tx.deleteSessions(of: user.id, except: session)
            _ = try await tx.revokeAccessTokens(of: user.id, now: now)
            // R-O6: no e-mail change or reset link from before the new password keeps working.
            try await tx.cancelOpenLinks(of: user.id, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "password.changed", target: "user:\(user.id.string)"), now: now)
            let s = Strings(language: language)
            try await tx.enqueueMail(to: user.email, subject: s("mail.password.subject"), body: s("mail.password.body"), now: now)
        }
    }

    func regenerateSupportCode(user: User, store: Store) async throws -> SupportCode {
        let now = clock.now()
        return try await withFreshSupportCode { code in
            try await store.write { tx in
                try await tx.setSupportCode(code, for: user.id)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "support_code.regenerated", target: "user:\(user.id.string)"), now: now)
                return code
            }
        }
    }

    func updateProfile(user: User, name rawName: String, language: Language?, store: Store) async throws {
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 120, into: &errors)
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        try await store.write { tx in try await tx.setProfile(name: name, language: language, for: user.id) }
    }

    // MARK: organisations

    func createOrganisation(user: User, name rawName: String, country rawCountry: String, currency rawCurrency: String?, store: Store) async throws -> Organisation {
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 160, into: &errors)
        let country = CountryCode(rawCountry)
        if country == nil { errors.add("country", rawCountry.isEmpty ? .required : .invalidCountry) }
        var chosen = country.map(Currency.default(forCountry:))
        if let raw = rawCurrency, !raw.isEmpty {
            if let c = Currency(rawValue: raw.uppercased()) { chosen = c } else { errors.add("currency", .invalidCurrency) }
        }
        guard errors.isEmpty, let country, let currency = chosen else { throw AppError.validation(errors.errors) }
        let now = clock.now()
        return try await store.write { tx in
            let organisation = try await tx.createOrganisation(name: name, country: country, currency: currency, now: now)
            _ = try await tx.addMembership(organisation: organisation.id, user: user.id, role: .legalRepresentative, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: organisation.id.string,
                                                action: "organisation.created", target: "organisation:\(organisation.id.string)"), now: now)
            return organisation
        }
    }

    /// R-O1: name and country always; the currency only until the first invoice.
    func updateOrganisation(_ context: OrganisationContext, name rawName: String, country rawCountry: String, currency rawCurrency: String, store: Store) async throws -> Organisation {
        // Who may: the route's action (R-O5 edit_organisation).
        let current = try await store.organisation(context)
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 160, into: &errors)
        let country = CountryCode(rawCountry)
        if country == nil { errors.add("country", rawCountry.isEmpty ? .required : .invalidCountry) }
        let currency = Currency(rawValue: rawCurrency.uppercased())
        if currency == nil { errors.add("currency", rawCurrency.isEmpty ? .required : .invalidCurrency) }
        if let currency, currency != current.currency, current.currencyFixed { errors.add("currency", .currencyFixed) }
        guard errors.isEmpty, let country, let currency else { throw AppError.validation(errors.errors) }
        let now = clock.now()
        return try await store.write { tx in
            let updated = try await tx.updateOrganisation(context, name: name, country: country, currency: currency)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "organisation.updated", target: "organisation:\(context.organisationID.string)",
                                                details: "{\"currency\":\"\(current.currency.rawValue)→\(updated.currency.rawValue)\"}"), now: now)
            return updated
        }
    }

    // MARK: members (R-O1, R-O2)

    func invite(_ context: OrganisationContext, inviter: User, email rawEmail: String, role rawRole: String, language: Language, store: Store) async throws -> MemberInvitation {
        var errors = ValidationErrors()
        let email = EmailAddress(rawEmail)
        if rawEmail.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("email", .required) } else if email == nil { errors.add("email", .invalidEmail) }
        let role = OrganisationRole(rawValue: rawRole)
        if role == nil { errors.add("role", rawRole.isEmpty ? .required : .invalidValue) }
        guard errors.isEmpty, let email, let role else { throw AppError.validation(errors.errors) }
        try membershipCheck { try MembershipRules.checkInvite(actor: context.role, role: role) }
        if try await store.members(context).contains(where: { $0.email == email }) {
            throw AppError.validation([FieldError("email", .taken)])
        }
        let now = clock.now()
        let token = random.token()
        let organisation = try await store.organisation(context)
        return try await store.write { tx in
            let invitation = try await tx.createInvitation(context, email: email, role: role, tokenHash: Store.sha256Hex(token), now: now)
            // Each invitation is a mail to someone else's address: bounded per organisation (R-H1),
            // counted in the same transaction, so a refused invitation counts for nothing.
            try await tx.reserveAttempts([("invite:\(context.organisationID.string)",
                                           LoginThrottle(maximumFailures: Limits.invitationsPerOrganisationPerHour, window: Limits.hour))], now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "membership.invited", target: "invitation:\(invitation.id.string)",
                                                details: "{\"email\":\"\(email.value)\",\"role\":\"\(role.rawValue)\"}"), now: now)
            try await enqueueInvitationMail(tx, to: email, token: token, organisation: organisation, role: role, inviter: inviter, language: language, now: now)
            return invitation
        }
    }

    private func enqueueInvitationMail(_ tx: Store, to email: EmailAddress, token: String, organisation: Organisation, role: OrganisationRole,
                                       inviter: User, language: Language, now: Date) async throws {
        let s = Strings(language: language)
        try await tx.enqueueMail(to: email, subject: s("mail.invite.subject", ["org": organisation.name]),
                                 body: s("mail.invite.body", ["inviter": inviter.name, "org": organisation.name, "role": s.role(role),
                                                              "link": "\(baseURL)/invitations/\(token)"]), now: now)
    }

    /// R-P4 for memberships: a new token, the old one stops working.
    func resendInvitation(_ context: OrganisationContext, inviter: User, id: InvitationID, language: Language, store: Store) async throws {
        // Who may: the route's action (R-O5 manage_members).
        let now = clock.now()
        let token = random.token()
        let organisation = try await store.organisation(context)
        try await store.write { tx in
            // Found in this organisation first (another's id is 404 and counts nothing), then counted.
            let invitation = try await tx.renewInvitationToken(context, id, tokenHash: Store.sha256Hex(token), now: now)
            try await tx.reserveAttempts([("resend:\(id.string)", LoginThrottle(maximumFailures: Limits.resendsPerInvitationPerHour, window: Limits.hour))],
                                         now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "membership.invitation_resent", target: "invitation:\(id.string)"), now: now)
            try await enqueueInvitationMail(tx, to: invitation.email, token: token, organisation: organisation, role: invitation.role,
                                            inviter: inviter, language: language, now: now)
        }
    }

    func withdrawInvitation(_ context: OrganisationContext, id: InvitationID, store: Store) async throws {
        // Who may: the route's action (R-O5 manage_members).
        let now = clock.now()
        try await store.write { tx in
            _ = try await tx.invitation(context, id)
            try await tx.answerInvitation(id, status: .withdrawn, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "membership.invitation_withdrawn", target: "invitation:\(id.string)"), now: now)
        }
    }

    enum InvitationLookup: Sendable {
        case open(MemberInvitation, organisationName: String)
        case problem(String)
    }

    func lookUpInvitation(token: String, store: Store) async throws -> InvitationLookup {
        guard let invitation = try await store.invitation(tokenHash: Store.sha256Hex(token)) else { return .problem("invite.unknown") }
        if let problem = InvitationRules.check(status: invitation.status, expiresAt: invitation.expiresAt, now: clock.now()) {
            return .problem("invite.\(problem.rawValue == "declined" ? "used" : problem.rawValue)")
        }
        return .open(invitation, organisationName: try await store.organisationName(invitation.organisationID) ?? "")
    }

    /// Accepting needs the invited address: the token alone does not hand membership to whoever holds it.
    func answerInvitation(token: String, user: User, accept: Bool, store: Store) async throws -> MemberInvitation {
        let lookup = try await lookUpInvitation(token: token, store: store)
        // An unknown token is not found; a used or expired one is gone.
        if case .problem(let key) = lookup { throw key == "invite.unknown" ? AppError.notFound : AppError.gone(key) }
        guard case .open(let invitation, _) = lookup else { throw AppError.notFound }
        guard invitation.email == user.email else { throw AppError.forbidden("invite.wrong_user") }
        let now = clock.now()
        try await store.write { tx in
            // Single use: the status moves away from pending inside the transaction.
            try await tx.answerInvitation(invitation.id, status: accept ? .accepted : .declined, now: now)
            if accept {
                if let context = try await tx.context(user: user.id, organisation: invitation.organisationID) {
                    _ = context  // already a member: nothing to add, no duplicate membership
                } else {
                    _ = try await tx.addMembership(organisation: invitation.organisationID, user: user.id, role: invitation.role, now: now)
                }
            }
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: invitation.organisationID.string,
                                                action: accept ? "membership.joined" : "membership.invitation_declined",
                                                target: "invitation:\(invitation.id.string)", details: "{\"role\":\"\(invitation.role.rawValue)\"}"), now: now)
        }
        return invitation
    }

    func changeRole(_ context: OrganisationContext, membership: MembershipID, role rawRole: String, store: Store) async throws {
        guard let role = OrganisationRole(rawValue: rawRole) else { throw AppError.validation([FieldError("role", rawRole.isEmpty ? .required : .invalidValue)]) }
        let now = clock.now()
        try await store.write { tx in
            // R-O1 under concurrency: two legal representatives demoting each other at once must not
            // both see "two left"; the organisation row lock orders them (PostgreSQL).
            try await tx.lockOrganisation(context)
            let target = try await tx.member(context, membership)
            let count = try await tx.legalRepresentativeCount(context)
            try membershipCheck { try MembershipRules.checkRoleChange(actor: context.role, target: target.role, newRole: role, legalRepresentativeCount: count) }
            try await tx.setRole(context, membership: membership, role: role)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "membership.role_changed", target: "membership:\(membership.string)",
                                                details: "{\"from\":\"\(target.role.rawValue)\",\"to\":\"\(role.rawValue)\"}"), now: now)
        }
    }

    func removeMember(_ context: OrganisationContext, membership: MembershipID, store: Store) async throws {
        let now = clock.now()
        try await store.write { tx in
            try await tx.lockOrganisation(context)
            let target = try await tx.member(context, membership)
            let count = try await tx.legalRepresentativeCount(context)
            try membershipCheck { try MembershipRules.checkRemoval(actor: context.role, target: target.role, legalRepresentativeCount: count) }
            try await tx.removeMembership(context, membership: membership)
            // R-O4: whoever leaves an organisation keeps no token that worked in it. Tokens act
            // for the person everywhere, so all of theirs end; they make new ones for what remains.
            let ended = try await tx.revokeAccessTokens(of: target.userID, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string,
                                                action: "membership.removed", target: "membership:\(membership.string)",
                                                details: "{\"user\":\"\(target.userID.string)\",\"role\":\"\(target.role.rawValue)\",\"tokens_ended\":\(ended)}"), now: now)
        }
    }

    private func membershipCheck(_ body: () throws -> Void) throws {
        do { try body() } catch let error as MembershipError {
            switch error {
            case .notAllowed: throw AppError.forbidden("error.not_allowed")
            case .onlyLegalRepresentativeMayTouchLegalRepresentative: throw AppError.forbidden("error.only_legal_representative")
            case .lastLegalRepresentative: throw AppError.refused("error.last_legal_representative")
            }
        }
    }

    // MARK: provider staff (R-O3)

    func addStaff(email rawEmail: String, name: String, role: StaffRole, password: String, store: Store) async throws -> StaffMember {
        guard let email = EmailAddress(rawEmail) else { throw AppError.validation([FieldError("email", .invalidEmail)]) }
        if let problem = PasswordRules.check(password) { throw AppError.validation([problem]) }
        let hash = try await hasher.hash(password)
        let now = clock.now()
        return try await store.write { tx in
            let member = try await tx.createStaff(email: email, name: name, role: role, passwordHash: hash, now: now)
            try await tx.appendAudit(AuditEntry(actor: "cli", action: "staff.added", target: "staff:\(member.id.string)",
                                                details: "{\"email\":\"\(email.value)\",\"role\":\"\(role.rawValue)\"}"), now: now)
            return member
        }
    }
}

func jsonEscape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out
}
