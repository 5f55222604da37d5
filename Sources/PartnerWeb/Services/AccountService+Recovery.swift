import Foundation
import PartnerCore
import PartnerStore

/// R-O6: "forgot password" — a single-use link for one hour, answered alike for every address.
extension AccountService {
    /// Sends a reset link when `rawEmail` has an account; otherwise nothing. Limited per
    /// recipient and per sending address (each request may send a mail).
    func requestPasswordReset(email rawEmail: String, ip: String, language: Language, store: Store) async throws {
        guard let email = EmailAddress(rawEmail) else { throw AppError.validation([FieldError("email", rawEmail.isEmpty ? .required : .invalidEmail)]) }
        let now = clock.now()
        try await store.reserveAttempts([("reset-ip:\(ip)", LoginThrottle(maximumFailures: PasswordResetRules.requestsPerAddressPerHour, window: Limits.hour))],
                                        now: now)
        // Over a recipient's limit the answer stays the same and nothing is sent: a stranger
        // cannot lock anyone out of recovering their account, nor learn anything from a 429.
        do {
            try await store.reserveAttempts([("reset-mail:\(email.value)", LoginThrottle(maximumFailures: PasswordResetRules.requestsPerRecipientPerHour, window: Limits.hour))],
                                            now: now)
        } catch is AttemptLimitReached {
            return
        }
        guard let user = try await store.user(email: email) else { return }
        let token = random.token()
        try await store.write { tx in
            try await tx.createPasswordReset(user: user.id, tokenHash: Store.sha256Hex(token), expiresAt: now.addingTimeInterval(PasswordResetRules.lifetime), now: now)
            try await tx.appendAudit(AuditEntry(actor: "anonymous", action: "password.reset_requested", target: "user:\(user.id.string)"), now: now)
            let s = Strings(language: user.language ?? language)
            try await tx.enqueueMail(to: user.email, subject: s("mail.reset.subject"), body: s("mail.reset.body", ["link": "\(baseURL)/reset-password/\(token)"]), now: now)
        }
    }

    /// Whether a link can still be used (the form is shown only then).
    func passwordResetRefusal(token: String, store: Store) async throws -> PasswordResetRules.Refusal? {
        guard let reset = try await store.passwordReset(tokenHash: Store.sha256Hex(token)) else { return .unknown }
        return PasswordResetRules.check(expiresAt: reset.expiresAt, usedAt: reset.usedAt, now: clock.now())
    }

    /// Sets the new password and ends every session and API token of the user: whoever knew the
    /// old password keeps no way in. Every other open link of the user is used up too.
    func resetPassword(token: String, newPassword: String, language: Language, store: Store) async throws {
        guard let reset = try await store.passwordReset(tokenHash: Store.sha256Hex(token)) else { throw AppError.gone("reset.unknown") }
        let now = clock.now()
        if let refusal = PasswordResetRules.check(expiresAt: reset.expiresAt, usedAt: reset.usedAt, now: now) { throw AppError.gone("reset.\(refusal.rawValue)") }
        if let problem = PasswordRules.check(newPassword, field: "new_password") { throw AppError.validation([problem]) }
        let hash = try await hasher.hash(newPassword)
        try await store.write { tx in
            guard try await tx.usePasswordResets(reset.id, user: reset.user, now: now) else { throw AppError.gone("reset.used") }
            // An e-mail change asked before (perhaps by whoever knew the old password) ends too.
            try await tx.cancelOpenLinks(of: reset.user, now: now)
            try await tx.setPasswordHash(hash, for: reset.user)
            try await tx.deleteSessions(of: reset.user, except: nil)
            _ = try await tx.revokeAccessTokens(of: reset.user, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(reset.user.string)", action: "password.reset", target: "user:\(reset.user.string)"), now: now)
            if let user = try await tx.user(reset.user) {
                let s = Strings(language: user.language ?? language)
                try await tx.enqueueMail(to: user.email, subject: s("mail.password.subject"), body: s("mail.reset_done.body"), now: now)
            }
        }
    }
}
