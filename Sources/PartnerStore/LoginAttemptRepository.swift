import FluentKit
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
