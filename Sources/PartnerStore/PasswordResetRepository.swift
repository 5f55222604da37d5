import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// R-O6: reset links by the hash of their token.
extension Store {
    public struct PasswordReset: Sendable {
        public let id: UUID
        public let user: UserID
        public let expiresAt: Date
        public let usedAt: Date?
    }

    public func createPasswordReset(user: UserID, tokenHash: String, expiresAt: Date, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO password_resets (id, user_id, token_hash, expires_at, created_at)
            VALUES (\(bind: UUID()), \(bind: user.rawValue), \(bind: tokenHash), \(bind: expiresAt), \(bind: now))
            """).run()
    }

    public func passwordReset(tokenHash: String) async throws -> PasswordReset? {
        guard let row = try await sql.raw("SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = \(bind: tokenHash)").first() else {
            return nil
        }
        return PasswordReset(id: try row.decode(column: "id", as: UUID.self), user: UserID(try row.decode(column: "user_id", as: UUID.self)),
                             expiresAt: try row.decode(column: "expires_at", as: Date.self), usedAt: try row.decode(column: "used_at", as: Date?.self))
    }

    /// Uses every open link of the user at once (the one followed and any other still valid);
    /// false when the followed one was used meanwhile (a second click, a race).
    public func usePasswordResets(_ followed: UUID, user: UserID, now: Date) async throws -> Bool {
        let claimed = try await sql.raw("""
            UPDATE password_resets SET used_at = \(bind: now) WHERE id = \(bind: followed) AND used_at IS NULL RETURNING id
            """).all()
        guard !claimed.isEmpty else { return false }
        try await sql.raw("UPDATE password_resets SET used_at = \(bind: now) WHERE user_id = \(bind: user.rawValue) AND used_at IS NULL").run()
        return true
    }
}

/// R-O6: e-mail changes by the hash of their token.
extension Store {
    public struct EmailChange: Sendable {
        public let id: UUID
        public let user: UserID
        public let newEmail: EmailAddress
        public let expiresAt: Date
        public let usedAt: Date?
    }

    public func createEmailChange(user: UserID, newEmail: EmailAddress, tokenHash: String, expiresAt: Date, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO email_changes (id, user_id, new_email, token_hash, expires_at, created_at)
            VALUES (\(bind: UUID()), \(bind: user.rawValue), \(bind: newEmail.value), \(bind: tokenHash), \(bind: expiresAt), \(bind: now))
            """).run()
    }

    public func emailChange(tokenHash: String) async throws -> EmailChange? {
        guard let row = try await sql.raw("SELECT id, user_id, new_email, expires_at, used_at FROM email_changes WHERE token_hash = \(bind: tokenHash)").first(),
              let email = EmailAddress(try row.decode(column: "new_email", as: String.self)) else { return nil }
        return EmailChange(id: try row.decode(column: "id", as: UUID.self), user: UserID(try row.decode(column: "user_id", as: UUID.self)), newEmail: email,
                           expiresAt: try row.decode(column: "expires_at", as: Date.self), usedAt: try row.decode(column: "used_at", as: Date?.self))
    }

    /// Uses the change once (false when used meanwhile), and every other open one of the user.
    public func useEmailChange(_ id: UUID, user: UserID, now: Date) async throws -> Bool {
        let claimed = try await sql.raw("UPDATE email_changes SET used_at = \(bind: now) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id").all()
        guard !claimed.isEmpty else { return false }
        try await sql.raw("UPDATE email_changes SET used_at = \(bind: now) WHERE user_id = \(bind: user.rawValue) AND used_at IS NULL").run()
        return true
    }

    /// The address a user signs in with; a taken one is a conflict on `email` (also when a
    /// sign-up took it between the check and the update).
    public func setEmail(_ email: EmailAddress, for user: UserID) async throws {
        if let owner = try await self.user(email: email), owner.id != user { throw StoreError.conflict(field: "email") }
        do {
            try await sql.raw("UPDATE users SET email = \(bind: email.value) WHERE id = \(bind: user.rawValue)").run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "email")
        }
    }

    /// Ends every open e-mail change and reset link of a user: a new password, or a new address,
    /// leaves no link from before working (R-O6).
    public func cancelOpenLinks(of user: UserID, now: Date) async throws {
        try await sql.raw("UPDATE email_changes SET used_at = \(bind: now) WHERE user_id = \(bind: user.rawValue) AND used_at IS NULL").run()
        try await sql.raw("UPDATE password_resets SET used_at = \(bind: now) WHERE user_id = \(bind: user.rawValue) AND used_at IS NULL").run()
    }

    /// Ends the open e-mail changes of a user (a new request replaces an earlier one).
    public func cancelEmailChanges(of user: UserID, now: Date) async throws {
        try await sql.raw("UPDATE email_changes SET used_at = \(bind: now) WHERE user_id = \(bind: user.rawValue) AND used_at IS NULL").run()
    }
}
