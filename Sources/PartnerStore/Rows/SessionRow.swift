import FluentKit
import Foundation

/// Console sessions live in the database so a second app instance sees them.
final class SessionRow: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    /// Exactly one of user_id / staff_id is set: customer users and provider staff sign in apart (R-O3).
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "user_agent") var userAgent: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    /// R-O4: nil for a signed-in session; "code" while the second factor is awaited; "enrol"
    /// while someone who must use two-factor sign-in has not set it up.
    @OptionalField(key: "stage") var stage: String?
    @OptionalField(key: "code_attempts") var codeAttempts: Int?
    init() {}
}

final class AccessTokenRow: Model, @unchecked Sendable {
    static let schema = "access_tokens"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters of the token, so the owner can tell tokens apart without the secret.
    @Field(key: "prefix") var prefix: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "expires_at") var expiresAt: Date?
    init() {}
}

final class StaffRow: Model, @unchecked Sendable {
    static let schema = "staff"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class LoginFailureRow: Model, @unchecked Sendable {
    static let schema = "login_failures"
    @ID(key: .id) var id: UUID?
    /// `account:<email>` or `ip:<address>`.
    @Field(key: "key") var key: String
    @Field(key: "occurred_at") var occurredAt: Date
    init() {}
}

final class AuditEventRow: Model, @unchecked Sendable {
    static let schema = "audit_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "sequence") var sequence: Int64
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "actor") var actor: String
    @Field(key: "organisation") var organisation: String
    @Field(key: "action") var action: String
    @Field(key: "target") var target: String
    @Field(key: "details") var details: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String
    init() {}
}

final class OutboxMessageRow: Model, @unchecked Sendable {
    static let schema = "outbox_messages"
    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    init() {}
}

final class SettingRow: Model, @unchecked Sendable {
    static let schema = "settings"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    init() {}
}
