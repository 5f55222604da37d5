import Crypto
import Foundation
import PartnerCore
import PartnerStore

/// R-O4 two-factor sign-in for users and provider staff: set-up (a secret confirmed by a first
/// code, ten recovery codes shown once), the check at sign-in (a TOTP code within ±1 step, never
/// the same step twice, or an unused recovery code), and who must use it. The RFC 6238 arithmetic
/// is PartnerCore's (`TOTP`); HMAC-SHA1 comes from swift-crypto.
struct TwoFactorService: Sendable {
    let clock: any Clock
    let random: any SecretSource
    /// AppConfiguration.twoFactorRequired: off, nobody must; everybody may.
    let enforced: Bool

    static let issuer = "PartnerHub"
    /// Wrong codes a session awaiting the second factor may send before it ends (R-H1).
    static let attemptsPerSignIn = 5
    /// Codes checked per person in any 15 minutes, across sessions and the API.
    static let attemptsPerPerson = LoginThrottle(maximumFailures: 10, window: 15 * 60)
    /// How long the password step stays good while the code is awaited.
    static let codeStepLifetime: TimeInterval = 10 * 60

    static let hmac: TOTP.HMAC = { key, message in
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hash(recoveryCode: String) -> String { Store.sha256Hex("recovery:" + recoveryCode) }

    /// R-O4: provider staff always; users who are legal representative or admin of an approved partner.
    func isRequired(_ owner: Principal, store: Store) async throws -> Bool {
        guard enforced else { return false }
        switch owner {
        case .staff: return TwoFactorRules.required(isStaff: true, partnerRoles: [])
        case .user(let id): return TwoFactorRules.required(isStaff: false, partnerRoles: try await store.partnerRoles(of: id))
        }
    }

    func isEnabled(_ owner: Principal, store: Store) async throws -> Bool {
        try await store.twoFactor(owner)?.enabledAt != nil
    }

    /// A fresh secret to scan or type; it works once a code confirms it (`confirm`).
    func begin(_ owner: Principal, store: Store) async throws -> String {
        if try await isEnabled(owner, store: store) { throw AppError.refused("twofactor.already_enabled") }
        let secret = Base32.encode(random.bytes(TOTP.secretLength))
        let now = clock.now()
        try await store.write { tx in try await tx.beginTwoFactor(owner, secret: secret, now: now) }
        return secret
    }

    /// The first code confirms the secret: two-factor sign-in is on, and the ten recovery codes
    /// are returned to be shown once (only their hashes are kept).
    /// `keeping`: the console session that confirmed it; every other session of the person ends.
    func confirm(_ owner: Principal, code: String, keeping: SessionID?, store: Store) async throws -> [String] {
        guard let state = try await store.twoFactor(owner), state.enabledAt == nil, let secret = Base32.decode(state.secret) else {
            throw AppError.refused("twofactor.no_setup")
        }
        let now = clock.now()
        guard case .accepted(let counter) = TOTP.verify(code, secret: secret, now: now, lastUsedCounter: nil, hmac: Self.hmac) else {
            throw AppError.validation([FieldError("code", .invalidValue)])
        }
        let codes = newRecoveryCodes()
        try await store.write { tx in
            try await tx.enableTwoFactor(owner, counter: counter, recoveryCodeHashes: codes.map { Self.hash(recoveryCode: RecoveryCodes.normalise($0) ?? $0) }, now: now)
            try await tx.finishEnrolment(owner, keeping: keeping)
            try await tx.appendAudit(AuditEntry(actor: owner.ownerKey, action: "two_factor.enabled", target: owner.ownerKey), now: now)
            try await Self.tellOwner(owner, enabled: true, tx: tx, now: now)
        }
        return codes
    }

    /// New recovery codes replace the old ones; asked with a current code.
    func regenerateRecoveryCodes(_ owner: Principal, code: String, store: Store) async throws -> [String] {
        guard try await check(owner, code, allowRecoveryCode: false, store: store) else { throw AppError.validation([FieldError("code", .invalidValue)]) }
        let codes = newRecoveryCodes()
        let now = clock.now()
        try await store.write { tx in
            try await tx.replaceRecoveryCodes(owner, hashes: codes.map { Self.hash(recoveryCode: RecoveryCodes.normalise($0) ?? $0) })
            try await tx.appendAudit(AuditEntry(actor: owner.ownerKey, action: "two_factor.recovery_codes_replaced", target: owner.ownerKey), now: now)
        }
        return codes
    }

    /// Off again, with a current code — never for someone who must use it.
    func disable(_ owner: Principal, code: String, store: Store) async throws {
        if try await isRequired(owner, store: store) { throw AppError.refused("twofactor.required") }
        guard try await check(owner, code, allowRecoveryCode: true, store: store) else { throw AppError.validation([FieldError("code", .invalidValue)]) }
        let now = clock.now()
        try await store.write { tx in
            try await tx.disableTwoFactor(owner)
            try await tx.appendAudit(AuditEntry(actor: owner.ownerKey, action: "two_factor.disabled", target: owner.ownerKey), now: now)
            try await Self.tellOwner(owner, enabled: false, tx: tx, now: now)
        }
    }

    /// The owner hears of every switch, so one made by someone who had only the password shows.
    static func tellOwner(_ owner: Principal, enabled: Bool, tx: Store, now: Date) async throws {
        let recipient: (EmailAddress, Language?)?
        switch owner {
        case .user(let id): recipient = try await tx.user(id).map { ($0.email, $0.language) }
        case .staff(let id): recipient = try await tx.staff(id).map { ($0.email, nil) }
        }
        guard let (email, language) = recipient else { return }
        let s = Strings(language: language ?? .en)
        let key = enabled ? "mail.two_factor_on" : "mail.two_factor_off"
        try await tx.enqueueMail(to: email, subject: s(key + ".subject"), body: s(key + ".body"), now: now)
    }

    /// The second factor: a TOTP code (±1 step; a step already used, or older, is refused) or an
    /// unused recovery code. A success is recorded atomically, so a code raced twice works once.
    func check(_ owner: Principal, _ input: String, allowRecoveryCode: Bool = true, store: Store) async throws -> Bool {
        guard let state = try await store.twoFactor(owner), state.enabledAt != nil, let secret = Base32.decode(state.secret) else { return false }
        let now = clock.now()
        // R-H1: codes are guessed per person, whatever the door (console or API) or session:
        // ten tries in fifteen minutes, then 429.
        try await store.reserveAttempts([("second-factor:\(owner.ownerKey)", Self.attemptsPerPerson)], now: now)
        switch TOTP.verify(input, secret: secret, now: now, lastUsedCounter: state.lastCounter, hmac: Self.hmac) {
        case .accepted(let counter):
            return try await store.write { tx in try await tx.useTwoFactorCounter(owner, counter: counter) }
        case .replayed:
            return false
        case .wrong:
            guard allowRecoveryCode, let normalised = RecoveryCodes.normalise(input) else { return false }
            let used = try await store.write { tx in try await tx.useRecoveryCode(owner, hash: Self.hash(recoveryCode: normalised), now: now) }
            if used {
                try await store.write { tx in
                    try await tx.appendAudit(AuditEntry(actor: owner.ownerKey, action: "two_factor.recovery_code_used", target: owner.ownerKey), now: now)
                }
            }
            return used
        }
    }

    /// R-O4 for API tokens, after a correct password: with two-factor sign-in on, `otp` must be a
    /// valid code (401 naming the field otherwise, the same answer for a missing and a wrong one);
    /// someone who must use it and has not set it up sets it up in the console first (403).
    func requireForToken(_ owner: Principal, otp: String?, store: Store) async throws {
        if try await isEnabled(owner, store: store) {
            guard let otp, try await check(owner, otp, store: store) else { throw AppError.secondFactor }
            return
        }
        if try await isRequired(owner, store: store) { throw AppError.forbidden("twofactor.setup_required") }
    }

    func newRecoveryCodes() -> [String] {
        (0..<RecoveryCodes.count).map { _ in RecoveryCodes.format(random.bytes(RecoveryCodes.length)) }
    }
}
