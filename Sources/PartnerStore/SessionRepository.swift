import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// Who a console session or API token belongs to.
public enum Principal: Sendable, Hashable {
    case user(UserID)
    case staff(StaffID)
}

public struct StoredSession: Sendable {
    public let id: SessionID
    public let principal: Principal
    public let csrfToken: String
    public let expiresAt: Date
    public var stage: SessionStage = .signedIn
    public var codeAttempts: Int = 0
}

/// R-O4: how far a console session got through signing in.
public enum SessionStage: String, Sendable {
    case signedIn = "signed_in"
    /// The password was right; the second factor is awaited. The session is nobody yet.
    case awaitingCode = "code"
    /// Signed in, but only to set up two-factor sign-in, which this person must use.
    case mustEnrol = "enrol"
}

extension Store {
    // MARK: console sessions (stored as a hash of the cookie value)

    public func createSession(tokenHash: String, principal: Principal, csrfToken: String, userAgent: String,
                              now: Date, lifetime: TimeInterval, stage: SessionStage = .signedIn) async throws -> SessionID {
        let row = SessionRow()
        let sessionID = UUID()
        row.id = sessionID
        row.tokenHash = tokenHash
        switch principal {
        case .user(let id): row.userID = id.rawValue
        case .staff(let id): row.staffID = id.rawValue
        }
        row.csrfToken = csrfToken
        row.userAgent = String(userAgent.prefix(200))
        row.createdAt = now
        row.lastSeenAt = now
        row.expiresAt = now.addingTimeInterval(lifetime)
        row.stage = stage == .signedIn ? nil : stage.rawValue
        try await row.create(on: database)
        return SessionID(sessionID)
    }

    /// The session, unless it expired or lay idle longer than `idle` (activity is recorded at most
    /// once a minute, so `idle` is exact to that minute).
    public func session(tokenHash: String, now: Date, idle: TimeInterval = .infinity) async throws -> StoredSession? {
        guard let row = try await SessionRow.query(on: database).filter(\.$tokenHash == tokenHash).first(),
              row.expiresAt > now, now.timeIntervalSince(row.lastSeenAt) < idle, let id = row.id else { return nil }
        let principal: Principal
        if let user = row.userID { principal = .user(UserID(user)) } else if let staff = row.staffID { principal = .staff(StaffID(staff)) } else { return nil }
        return StoredSession(id: SessionID(id), principal: principal, csrfToken: row.csrfToken, expiresAt: row.expiresAt,
                             stage: row.stage.flatMap(SessionStage.init(rawValue:)) ?? .signedIn, codeAttempts: row.codeAttempts ?? 0)
    }

    /// Records activity at most once a minute, so reads do not turn into writes on every request.
    public func touchSession(_ id: SessionID, now: Date) async throws {
        try await SessionRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$lastSeenAt < now.addingTimeInterval(-60))
            .set(\.$lastSeenAt, to: now).update()
    }

    public func deleteSession(tokenHash: String) async throws {
        try await SessionRow.query(on: database).filter(\.$tokenHash == tokenHash).delete()
    }

    /// The user's sessions still in force: not expired, not idle longer than `idle` (R-O4).
    public func sessions(of user: UserID, now: Date, idle: TimeInterval = .infinity) async throws -> [SessionInfo] {
        var query = SessionRow.query(on: database).filter(\.$userID == user.rawValue).filter(\.$expiresAt > now)
        if idle.isFinite { query = query.filter(\.$lastSeenAt > now.addingTimeInterval(-idle)) }
        return try await query
            .sort(\.$lastSeenAt, .descending).all()
            .map { SessionInfo(id: SessionID(try $0.requireID()), userAgent: $0.userAgent, createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt) }
    }

    /// Ends one of the user's own sessions; another user's session is "not found".
    public func deleteSession(_ id: SessionID, of user: UserID) async throws {
        let count = try await SessionRow.query(on: database).filter(\.$id == id.rawValue).filter(\.$userID == user.rawValue).count()
        guard count == 1 else { throw StoreError.notFound }
        try await SessionRow.query(on: database).filter(\.$id == id.rawValue).delete()
    }

    /// Ends every session of the user except `keeping` (after a password change).
    public func deleteSessions(of user: UserID, except keeping: SessionID?) async throws {
        var query = SessionRow.query(on: database).filter(\.$userID == user.rawValue)
        if let keeping { query = query.filter(\.$id != keeping.rawValue) }
        try await query.delete()
    }

    // MARK: personal access tokens

    public func createAccessToken(user: UserID, name: String, tokenHash: String, prefix: String, expiresAt: Date? = nil, now: Date) async throws -> AccessTokenInfo {
        let row = AccessTokenRow()
        let id = UUID()
        row.id = id
        row.userID = user.rawValue
        row.name = name
        row.tokenHash = tokenHash
        row.prefix = prefix
        row.createdAt = now
        row.expiresAt = expiresAt
        try await row.create(on: database)
        return AccessTokenInfo(id: AccessTokenID(id), name: name, prefix: prefix, createdAt: now, lastUsedAt: nil, expiresAt: expiresAt)
    }

    public func accessTokens(of user: UserID) async throws -> [AccessTokenInfo] {
        try await AccessTokenRow.query(on: database).filter(\.$userID == user.rawValue).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all()
            .map { AccessTokenInfo(id: AccessTokenID(try $0.requireID()), name: $0.name, prefix: $0.prefix, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt,
                                   expiresAt: $0.expiresAt) }
    }

    public func accessToken(_ id: AccessTokenID, of user: UserID) async throws -> AccessTokenInfo {
        guard let row = try await AccessTokenRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$userID == user.rawValue).filter(\.$revokedAt == nil).first() else { throw StoreError.notFound }
        return AccessTokenInfo(id: id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, expiresAt: row.expiresAt)
    }

    /// Revokes one of the user's own tokens; another user's token is "not found".
    public func revokeAccessToken(_ id: AccessTokenID, of user: UserID, now: Date) async throws {
        guard let row = try await AccessTokenRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$userID == user.rawValue).filter(\.$revokedAt == nil).first() else { throw StoreError.notFound }
        row.revokedAt = now
        try await row.update(on: database)
    }

    /// Ends every token of the user (a changed password: whoever had the old one keeps no API access).
    public func revokeAccessTokens(of user: UserID, now: Date) async throws -> Int {
        let open = try await AccessTokenRow.query(on: database).filter(\.$userID == user.rawValue).filter(\.$revokedAt == nil).count()
        try await AccessTokenRow.query(on: database).filter(\.$userID == user.rawValue).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
        return open
    }

    /// The token's user in one statement (the API's identity on every request); `last_used_at`
    /// is written at most once a minute.
    public func userByAccessToken(tokenHash: String, now: Date) async throws -> User? {
        struct Row: Decodable {
            let token_id: UUID, last_used_at: Date?, id: UUID, email: String, name: String, support_code: String, language: String?, created_at: Date
        }
        guard let row = try await sql.raw("""
            SELECT t.id AS token_id, t.last_used_at, u.id, u.email, u.name, u.support_code, u.language, u.created_at
            FROM access_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = \(bind: tokenHash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > \(bind: now))
            """).first(decoding: Row.self) else { return nil }
        if row.last_used_at.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await AccessTokenRow.query(on: database).filter(\.$id == row.token_id).set(\.$lastUsedAt, to: now).update()
        }
        guard let email = EmailAddress(row.email), let code = SupportCode(row.support_code) else { return nil }
        return User(id: UserID(row.id), email: email, name: row.name, supportCode: code, language: row.language.flatMap(Language.init(rawValue:)), createdAt: row.created_at)
    }

    // MARK: staff access tokens (R-O3)

    public func createStaffAccessToken(staff: StaffID, name: String, tokenHash: String, prefix: String, expiresAt: Date? = nil,
                                       now: Date) async throws -> AccessTokenInfo {
        let id = UUID()
        try await sql.raw("""
            INSERT INTO staff_access_tokens (id, staff_id, name, token_hash, prefix, created_at, expires_at)
            VALUES (\(bind: id), \(bind: staff.rawValue), \(bind: name), \(bind: tokenHash), \(bind: prefix), \(bind: now), \(bind: expiresAt))
            """).run()
        return AccessTokenInfo(id: AccessTokenID(id), name: name, prefix: prefix, createdAt: now, lastUsedAt: nil, expiresAt: expiresAt)
    }

    /// The token's staff member in one statement; `last_used_at` written at most once a minute.
    public func staffByAccessToken(tokenHash: String, now: Date) async throws -> StaffMember? {
        guard let row = try await sql.raw("""
            SELECT t.id AS token_id, t.last_used_at, s.id, s.email, s.name, s.role
            FROM staff_access_tokens t JOIN staff s ON s.id = t.staff_id
            WHERE t.token_hash = \(bind: tokenHash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > \(bind: now))
            """).first() else { return nil }
        let lastUsed = try row.decode(column: "last_used_at", as: Date?.self)
        if lastUsed.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await sql.raw("UPDATE staff_access_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: try row.decode(column: "token_id", as: UUID.self))").run()
        }
        guard let email = EmailAddress(try row.decode(column: "email", as: String.self)),
              let role = StaffRole(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        return StaffMember(id: StaffID(try row.decode(column: "id", as: UUID.self)), email: email, name: try row.decode(column: "name", as: String.self), role: role)
    }

    // MARK: failed logins (R: 5 in 15 minutes per account and per address)

    public func recordLoginFailure(keys: [String], now: Date) async throws {
        for key in keys {
            let row = LoginFailureRow()
            row.id = UUID()
            row.key = key
            row.occurredAt = now
            try await row.create(on: database)
        }
    }

    public func loginFailures(key: String, since: Date) async throws -> [Date] {
        try await LoginFailureRow.query(on: database).filter(\.$key == key).filter(\.$occurredAt >= since).all().map(\.occurredAt)
    }

    public func pruneLoginFailures(before: Date) async throws {
        try await LoginFailureRow.query(on: database).filter(\.$occurredAt < before).delete()
    }

    // MARK: provider staff (R-O3)

    public func createStaff(email: EmailAddress, name: String, role: StaffRole, passwordHash: String, now: Date) async throws -> StaffMember {
        let row = StaffRow()
        let id = UUID()
        row.id = id
        row.email = email.value
        row.name = name
        row.role = role.rawValue
        row.passwordHash = passwordHash
        row.createdAt = now
        do { try await row.create(on: database) } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "email")
        }
        return StaffMember(id: StaffID(id), email: email, name: name, role: role)
    }

    public func staffCredentials(email: EmailAddress) async throws -> (StaffMember, String)? {
        guard let row = try await StaffRow.query(on: database).filter(\.$email == email.value).first(),
              let member = row.domain() else { return nil }
        return (member, row.passwordHash)
    }

    public func staff(_ id: StaffID) async throws -> StaffMember? {
        try await StaffRow.find(id.rawValue, on: database)?.domain()
    }

    /// Program admins hear of new applications (R-E2).
    public func programAdmins() async throws -> [StaffMember] {
        try await StaffRow.query(on: database).filter(\.$role == StaffRole.programAdmin.rawValue).all().compactMap { $0.domain() }
    }
}

extension StaffRow {
    func domain() -> StaffMember? {
        guard let id, let email = EmailAddress(email), let role = StaffRole(rawValue: role) else { return nil }
        return StaffMember(id: StaffID(id), email: email, name: name, role: role)
    }
}
