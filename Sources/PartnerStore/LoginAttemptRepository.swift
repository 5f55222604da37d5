import FluentKit
import PartnerCore
import Foundation
import SQLKit

/// R-H1: a limited attempt (a sign-in, a tender submission) is reserved before the work it limits
/// is done: inside one write, the keys are locked, the recent attempts counted and, if below the
/// limit, one more recorded. Thirty simultaneous sign-ins for one account then check at most five
/// passwords, on one instance or several. PostgreSQL serialises per key with a transaction-scoped
/// advisory lock; SQLite's writers are serialised already (the write gate, and the database lock
/// between processes).
extension Store {
    public func lockAttemptKeys(_ keys: [String]) async throws {
        guard kind == .postgres else { return }
        // Sorted, so two requests locking the same keys never wait on each other in a circle.
        for key in Set(keys).sorted() {
            try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
        }
    }

    /// Records one attempt per key and returns their ids, so a success can take them back.
    public func recordAttempts(keys: [String], now: Date) async throws -> [UUID] {
        var ids: [UUID] = []
        for key in keys {
            let row = LoginFailureRow()
            let id = UUID()
            row.id = id
            row.key = key
            row.occurredAt = now
            try await row.create(on: database)
            ids.append(id)
        }
        return ids
    }

    /// A successful sign-in does not count against the limit.
    public func withdrawAttempts(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await LoginFailureRow.query(on: database).filter(\.$id ~~ ids).delete()
    }
}

/// An hourly (or other) limit reached: try again in `retryAfter` seconds (answered 429).
public struct AttemptLimitReached: Error, Sendable {
    public let retryAfter: Int
}

extension Store {
    /// One more attempt under each key's limit, or `AttemptLimitReached` and nothing recorded:
    /// locked, counted and recorded in one write (R-H1).
    public func reserveAttempts(_ rules: [(key: String, limit: LoginThrottle)], now: Date) async throws {
        try await write { tx in
            try await tx.lockAttemptKeys(rules.map(\.key))
            for rule in rules {
                let recent = try await tx.loginFailures(key: rule.key, since: now.addingTimeInterval(-rule.limit.window))
                if case .retryAfter(let seconds) = rule.limit.decide(failures: recent, now: now) { throw AttemptLimitReached(retryAfter: seconds) }
            }
            _ = try await tx.recordAttempts(keys: rules.map(\.key), now: now)
        }
    }
}
