import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// R-O4: two-factor secrets and recovery codes, keyed by the owner ("user:<id>" / "staff:<id>").
public struct TwoFactorState: Sendable {
    /// Base32 (RFC 4648) of the shared secret.
    public let secret: String
    /// nil while being set up (no code has confirmed the secret yet).
    public let enabledAt: Date?
    public let lastCounter: Int64?
    public let unusedRecoveryCodes: Int
}

extension Principal {
    /// The owner key of two-factor rows.
    public var ownerKey: String {
        switch self {
        case .user(let id): return "user:\(id.string)"
        case .staff(let id): return "staff:\(id.string)"
        }
    }
}

extension Store {
    public func twoFactor(_ owner: Principal) async throws -> TwoFactorState? {
        struct Row: Decodable { let secret: String; let enabled_at: Date?; let last_counter: Int64? }
        guard let row = try await sql.raw("""
            SELECT secret, enabled_at, last_counter FROM two_factor_secrets WHERE owner = \(bind: owner.ownerKey)
            """).first(decoding: Row.self) else { return nil }
        struct Count: Decodable { let n: Int }
        let unused = try await sql.raw("""
            SELECT COUNT(*) AS n FROM recovery_codes WHERE owner = \(bind: owner.ownerKey) AND used_at IS NULL
            """).first(decoding: Count.self)?.n ?? 0
        return TwoFactorState(secret: row.secret, enabledAt: row.enabled_at, lastCounter: row.last_counter, unusedRecoveryCodes: unused)
    }

    /// A new secret being set up replaces one not yet confirmed; an enabled one is never replaced here.
    public func beginTwoFactor(_ owner: Principal, secret: String, now: Date) async throws {
        try await sql.raw("DELETE FROM two_factor_secrets WHERE owner = \(bind: owner.ownerKey) AND enabled_at IS NULL").run()
        try await sql.raw("""
            INSERT INTO two_factor_secrets (id, owner, secret, created_at) VALUES (\(bind: UUID()), \(bind: owner.ownerKey), \(bind: secret), \(bind: now))
            """).run()
    }

    /// Confirms the secret with the counter its first code used, and stores the recovery codes'
    /// hashes (replacing any earlier ones).
    public func enableTwoFactor(_ owner: Principal, counter: Int64, recoveryCodeHashes: [String], now: Date) async throws {
        try await sql.raw("""
            UPDATE two_factor_secrets SET enabled_at = \(bind: now), last_counter = \(bind: counter) WHERE owner = \(bind: owner.ownerKey)
            """).run()
        try await replaceRecoveryCodes(owner, hashes: recoveryCodeHashes)
    }

    public func replaceRecoveryCodes(_ owner: Principal, hashes: [String]) async throws {
        try await sql.raw("DELETE FROM recovery_codes WHERE owner = \(bind: owner.ownerKey)").run()
        for hash in hashes {
            try await sql.raw("""
                INSERT INTO recovery_codes (id, owner, code_hash) VALUES (\(bind: UUID()), \(bind: owner.ownerKey), \(bind: hash))
                """).run()
        }
    }

    public func disableTwoFactor(_ owner: Principal) async throws {
        try await sql.raw("DELETE FROM recovery_codes WHERE owner = \(bind: owner.ownerKey)").run()
        try await sql.raw("DELETE FROM two_factor_secrets WHERE owner = \(bind: owner.ownerKey)").run()
    }

    /// Records `counter` as used, only if it is newer than every counter used before: of two
    /// requests racing with the same code, one wins (R-O4: a used code is refused).
    public func useTwoFactorCounter(_ owner: Principal, counter: Int64) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE two_factor_secrets SET last_counter = \(bind: counter)
            WHERE owner = \(bind: owner.ownerKey) AND enabled_at IS NOT NULL AND (last_counter IS NULL OR last_counter < \(bind: counter))
            RETURNING id
            """).all()
        return rows.count == 1
    }

    /// Spends a recovery code once; false when unknown or already used.
    public func useRecoveryCode(_ owner: Principal, hash: String, now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE recovery_codes SET used_at = \(bind: now)
            WHERE owner = \(bind: owner.ownerKey) AND code_hash = \(bind: hash) AND used_at IS NULL
            RETURNING id
            """).all()
        return rows.count == 1
    }

    /// The roles a user holds in approved partner organisations (R-O4: legal representatives and
    /// admins of partners must use two-factor sign-in).
    public func partnerRoles(of user: UserID) async throws -> [OrganisationRole] {
        struct Row: Decodable { let role: String }
        return try await sql.raw("""
            SELECT m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id
            WHERE m.user_id = \(bind: user.rawValue) AND o.partner_approved_at IS NOT NULL
            """).all(decoding: Row.self).compactMap { OrganisationRole(rawValue: $0.role) }
    }

    // MARK: console sessions through the second factor

    /// Counts a wrong code on a session awaiting one; the count after this attempt.
    public func countCodeAttempt(_ session: SessionID) async throws -> Int {
        guard let row = try await SessionRow.find(session.rawValue, on: database) else { return Int.max }
        row.codeAttempts = (row.codeAttempts ?? 0) + 1
        try await row.save(on: database)
        return row.codeAttempts ?? Int.max
    }

    public func deleteSession(_ id: SessionID) async throws {
        try await SessionRow.query(on: database).filter(\.$id == id.rawValue).delete()
    }

    /// Once two-factor sign-in is on, only the session that confirmed it stays (an ordinary
    /// session now): every other one of the person's sessions ended, whatever its stage — one
    /// opened with the password alone must not ride along.
    public func finishEnrolment(_ owner: Principal, keeping: SessionID?) async throws {
        var others = SessionRow.query(on: database)
        switch owner {
        case .user(let id): others = others.filter(\.$userID == id.rawValue)
        case .staff(let id): others = others.filter(\.$staffID == id.rawValue)
        }
        if let keeping { others = others.filter(\.$id != keeping.rawValue) }
        try await others.delete()
        if let keeping { try await SessionRow.query(on: database).filter(\.$id == keeping.rawValue).set(\.$stage, to: nil).update() }
    }
}
