import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// Signing up and signing in: the two doors a stranger knocks on (R-H1: neither tells whether an
/// address is registered; sign-in attempts are reserved before a password is checked).
extension AccountService {
    // MARK: sign-up

    struct SignUpResult: Sendable {
        let user: User
        let organisation: Organisation
    }

    /// R-H1: signing up never tells whether an address is registered. Both answers look the same
    /// to the person signing up ("check your inbox, then sign in"); a new address has its
    /// account, a registered one gets a mail telling its owner (and costs the same bcrypt hash).
    enum SignUpOutcome: Sendable {
        case created(SignUpResult)
        case alreadyRegistered
    }

    /// `referral`: the token of an affiliate link's click (R-A1), attributed in the same
    /// transaction; `then` runs in it too (an affiliate's sign-up enrols there).
    /// `ip`: every sign-up sends a mail, so they are limited per address and per recipient (R-H1),
    /// alike for new and registered addresses.
    func signUp(_ input: SignUpInput, language: Language, referral: String? = nil, ip: String, store: Store,
                then: (@Sendable (Store, SignUpResult) async throws -> Void)? = nil) async throws -> SignUpOutcome {
        let valid: ValidSignUp
        do { valid = try SignUpRules.validate(input) } catch { throw AppError.validation(error.errors) }
        try await store.reserveAttempts([("signup-ip:\(ip)", LoginThrottle(maximumFailures: Limits.signUpsPerAddressPerHour, window: Limits.hour)),
                                         ("signup-mail:\(valid.email.value)", LoginThrottle(maximumFailures: Limits.signUpMailsPerRecipientPerHour, window: Limits.hour))],
                                        now: clock.now())
        let hash = try await hasher.hash(valid.password)
        let now = clock.now()
        return try await withFreshSupportCode { code in
            try await store.write { tx -> SignUpOutcome in
                if let owner = try await tx.user(email: valid.email) {
                    let s = Strings(language: owner.language ?? language)
                    try await tx.enqueueMail(to: owner.email, subject: s("mail.signup_existing.subject"),
                                             body: s("mail.signup_existing.body", ["link": "\(baseURL)/login"]), now: now)
                    try await tx.appendAudit(AuditEntry(actor: "anonymous", action: "user.signup_existing_address", target: "user:\(owner.id.string)"), now: now)
                    return .alreadyRegistered
                }
                let user = try await tx.createUser(email: valid.email, name: valid.name, passwordHash: hash, supportCode: code, language: language, now: now)
                let organisation = try await tx.createOrganisation(name: valid.organisationName, country: valid.country, currency: valid.currency, now: now)
                _ = try await tx.addMembership(organisation: organisation.id, user: user.id, role: .legalRepresentative, now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: organisation.id.string, action: "user.signed_up",
                                                    target: "user:\(user.id.string)", details: "{\"email\":\"\(user.email.value)\"}"), now: now)
                let s = Strings(language: language)
                try await tx.enqueueMail(to: user.email, subject: s("mail.welcome.subject"),
                                         body: s("mail.welcome.body", ["org": organisation.name, "code": code.grouped, "link": "\(baseURL)/login"]), now: now)
                let result = SignUpResult(user: user, organisation: organisation)
                if let referral { try await AffiliateService.attribute(tx, organisation: organisation.id, referral: referral, now: now) }
                try await then?(tx, result)
                return .created(result)
            }
        }
    }

    /// Support codes are random; on the rare collision with an existing one, draw again.
    func withFreshSupportCode<T: Sendable>(_ body: (SupportCode) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do { return try await body(random.supportCode()) } catch StoreError.conflict(field: "support_code") where attempt < 5 {
                attempt += 1
            }
        }
    }

    // MARK: log-in

    enum LoginOutcome: Sendable {
        case user(User)
        case staff(StaffMember)
    }

    /// Reserves an attempt per account and per address first (R-H1: atomically, so concurrent
    /// guesses cannot all pass the count), then checks the password; a success takes its
    /// reservation back. The answer is the same for an unknown e-mail and a wrong password.
    func logIn(email rawEmail: String, password: String, ip: String, staff: Bool, store: Store) async throws -> LoginOutcome {
        // R-H1: both are single lines; a control character is refused naming the field, before
        // any attempt is counted (no address or password holds one).
        var errors = ValidationErrors()
        if !TextInput.hasOnlyAllowedScalars(rawEmail, .singleLine) { errors.add("email", .invalidCharacters) }
        if !TextInput.hasOnlyAllowedScalars(password, .singleLine) { errors.add("password", .invalidCharacters) }
        if TextInput.length(rawEmail) > 254 { errors.add("email", .tooLong) }
        if TextInput.length(password) > PasswordRules.maximumLength { errors.add("password", .tooLong) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let now = clock.now()
        let email = EmailAddress(rawEmail)
        // An address that is no address has no account; its attempts still count per IP.
        let account = "\(staff ? "staff" : "account"):\(email?.value ?? "-")"
        let since = now.addingTimeInterval(-throttle.window)
        // Per account and address: `throttle` (5 in 15 minutes) — a guesser is stopped, but nobody
        // elsewhere can lock a named person out. Per account from everywhere 10 times that (a
        // guesser with many addresses), per address 20 times (many accounts from one address;
        // an office behind one address is not locked out by a colleague's typos).
        let rules = [("\(account)@ip:\(ip)", throttle),
                     (account, LoginThrottle(maximumFailures: throttle.maximumFailures * 10, window: throttle.window)),
                     ("ip:\(ip)", LoginThrottle(maximumFailures: throttle.maximumFailures * 20, window: throttle.window))]
        let reservation = try await store.write { tx -> [UUID] in
            try await tx.lockAttemptKeys(rules.map(\.0))
            for (key, rule) in rules {
                if case .retryAfter(let seconds) = rule.decide(failures: try await tx.loginFailures(key: key, since: since), now: now) {
                    throw AppError.tooManyRequests(retryAfter: seconds)
                }
            }
            return try await tx.recordAttempts(keys: rules.map(\.0), now: now)
        }
        var outcome: LoginOutcome? = nil
        var actor = "anonymous"
        if let email {
            if staff, let (member, hash) = try await store.staffCredentials(email: email) {
                if try await hasher.verify(password, against: hash) { outcome = .staff(member) }
                actor = "staff:\(member.id.string)"
            } else if !staff, let (user, hash) = try await store.credentials(email: email) {
                if try await hasher.verify(password, against: hash) { outcome = .user(user) }
                actor = "user:\(user.id.string)"
            } else {
                _ = try await hasher.verify(password, against: try await hasher.decoy())
            }
        }
        let succeeded = outcome
        let actorName = actor
        try await store.write { tx in
            if succeeded == nil {
                try await tx.pruneLoginFailures(before: now.addingTimeInterval(-24 * 3600))
            } else {
                try await tx.withdrawAttempts(reservation)
            }
            try await tx.appendAudit(AuditEntry(actor: actorName, action: succeeded == nil ? "login.failed" : "login.succeeded",
                                                target: staff ? "provider-console" : "console", details: "{\"ip\":\"\(ip)\"}"), now: now)
        }
        guard let outcome else { throw AppError.unauthorised }
        return outcome
    }
}
