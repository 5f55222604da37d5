import Foundation
import PartnerCore
import PartnerStore

/// R-O6: changing the e-mail address — confirmed from the new address, announced to the old one.
extension AccountService {
    /// Checks the password, then mails a confirmation link to the new address and a notice to the
    /// current one. An address registered to someone else gets no link, and the answer is the same
    /// (R-H1: no way to learn who is registered); its confirmation would be refused anyway.
    func requestEmailChange(user: User, newEmail rawEmail: String, password: String, language: Language, store: Store) async throws {
        var errors = ValidationErrors()
        let email = EmailAddress(rawEmail)
        if email == nil { errors.add("email", rawEmail.isEmpty ? .required : .invalidEmail) }
        if let email, email == user.email { errors.add("email", .invalidValue) }
        let now = clock.now()
        // Counted before the password is checked: the form is no way to guess passwords.
        try await store.reserveAttempts([("email-change:\(user.id.string)", LoginThrottle(maximumFailures: EmailChangeRules.requestsPerUserPerHour, window: Limits.hour))],
                                        now: now)
        guard let hash = try await store.passwordHash(of: user.id) else { throw AppError.notFound }
        if !(try await hasher.verify(password, against: hash)) { errors.add("password", .wrongPassword) }
        guard errors.isEmpty, let email else { throw AppError.validation(errors.errors) }
        let taken = try await store.user(email: email) != nil
        let token = random.token()
        let s = Strings(language: user.language ?? language)
        try await store.write { tx in
            // The newest request replaces any earlier one (a mistyped address keeps no link).
            try await tx.cancelEmailChanges(of: user.id, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "email.change_requested", target: "user:\(user.id.string)"), now: now)
            try await tx.enqueueMail(to: user.email, subject: s("mail.email_change_old.subject"), body: s("mail.email_change_old.body", ["email": email.value]), now: now)
            guard !taken else { return }
            try await tx.createEmailChange(user: user.id, newEmail: email, tokenHash: Store.sha256Hex(token), expiresAt: now.addingTimeInterval(EmailChangeRules.lifetime), now: now)
            try await tx.enqueueMail(to: email, subject: s("mail.email_change_new.subject"), body: s("mail.email_change_new.body", ["link": "\(baseURL)/confirm-email/\(token)"]), now: now)
        }
    }

    func emailChangeRefusal(token: String, store: Store) async throws -> PasswordResetRules.Refusal? {
        guard let change = try await store.emailChange(tokenHash: Store.sha256Hex(token)) else { return .unknown }
        return EmailChangeRules.check(expiresAt: change.expiresAt, usedAt: change.usedAt, now: clock.now())
    }

    /// The link from the new address, with the account's password (whoever holds the mailbox of a
    /// mistyped address cannot take the account): from now on the user signs in with it; the old
    /// address is told, and every reset link sent there ends.
    func confirmEmailChange(token: String, password: String, language: Language, store: Store) async throws -> EmailAddress {
        guard let change = try await store.emailChange(tokenHash: Store.sha256Hex(token)) else { throw AppError.gone("reset.unknown") }
        let now = clock.now()
        if let refusal = EmailChangeRules.check(expiresAt: change.expiresAt, usedAt: change.usedAt, now: now) { throw AppError.gone("reset.\(refusal.rawValue)") }
        try await store.reserveAttempts([("email-confirm:\(change.user.string)", LoginThrottle(maximumFailures: EmailChangeRules.requestsPerUserPerHour * 2, window: Limits.hour))],
                                        now: now)
        guard let hash = try await store.passwordHash(of: change.user), try await hasher.verify(password, against: hash) else {
            throw AppError.validation([FieldError("password", .wrongPassword)])
        }
        try await store.write { tx in
            guard try await tx.useEmailChange(change.id, user: change.user, now: now) else { throw AppError.gone("reset.used") }
            guard let user = try await tx.user(change.user) else { throw AppError.gone("reset.unknown") }
            do { try await tx.setEmail(change.newEmail, for: change.user) } catch StoreError.conflict { throw AppError.conflict(field: "email", code: .taken) }
            try await tx.cancelOpenLinks(of: change.user, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", action: "email.changed", target: "user:\(user.id.string)"), now: now)
            let s = Strings(language: user.language ?? language)
            try await tx.enqueueMail(to: user.email, subject: s("mail.email_changed.subject"), body: s("mail.email_changed.body", ["email": change.newEmail.value]), now: now)
        }
        return change.newEmail
    }
}
