import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// R-N1: an e-mail waiting in the outbox; written in the same transaction as the change that causes it.
public struct OutboxMessage: Sendable, Hashable, Codable {
    public let id: UUID
    public let recipient: String
    public let subject: String
    public let body: String
    public let createdAt: Date
    public let sentAt: Date?
}

extension Store {
    public func enqueueMail(to recipient: EmailAddress, subject: String, body: String, now: Date) async throws {
        let row = OutboxMessageRow()
        row.id = UUID()
        row.recipient = recipient.value
        row.subject = subject
        row.body = body
        row.createdAt = now
        row.attempts = 0
        try await row.create(on: database)
    }

    /// The development mailbox (demo mode) and tests read this.
    public func outbox(limit: Int = 200, recipient: EmailAddress? = nil) async throws -> [OutboxMessage] {
        var query = OutboxMessageRow.query(on: database)
        if let recipient { query = query.filter(\.$recipient == recipient.value) }
        return try await query.sort(\.$createdAt, .descending).limit(limit).all().map { try $0.message() }
    }

    public func outboxMessage(_ id: UUID) async throws -> OutboxMessage? {
        try await OutboxMessageRow.find(id, on: database)?.message()
    }

    /// Claims up to `limit` messages that are due, for `lease` seconds, and returns them. Any
    /// instance may run the worker: on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps two from taking
    /// the same message, on SQLite the write gate does; a crashed worker's lease simply runs out.
    public func claimDueMail(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxMessage] {
        struct Row: Decodable { let id: UUID, recipient: String, subject: String, body: String, created_at: Date }
        let until = now.addingTimeInterval(lease)
        let lock: SQLQueryString = kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await write { tx in
            try await tx.sql.raw("""
                UPDATE outbox_messages SET claimed_until = \(bind: until)
                WHERE id IN (SELECT id FROM outbox_messages
                             WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                               AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now))
                             ORDER BY created_at LIMIT \(unsafeRaw: String(limit))\(lock))
                RETURNING id, recipient, subject, body, created_at
                """).all(decoding: Row.self)
                .map { OutboxMessage(id: $0.id, recipient: $0.recipient, subject: $0.subject, body: $0.body, createdAt: $0.created_at, sentAt: nil) }
        }
    }

    /// Only after the SMTP server accepted the message does it leave the queue.
    public func markMailSent(_ id: UUID, now: Date) async throws {
        try await OutboxMessageRow.query(on: database).filter(\.$id == id).set(\.$sentAt, to: now).set(\.$claimedUntil, to: nil).update()
    }

    /// A failed attempt: counted, the error kept, the next try after `retryAt`.
    public func markMailFailed(_ id: UUID, error: String, retryAt: Date) async throws {
        try await write { tx in
            guard let row = try await OutboxMessageRow.find(id, on: tx.database) else { return }
            row.attempts += 1
            row.lastError = String(error.prefix(500))
            row.nextAttemptAt = retryAt
            row.claimedUntil = nil
            try await row.update(on: tx.database)
        }
    }

    public func mailAttempts(_ id: UUID) async throws -> (attempts: Int, lastError: String?, nextAttemptAt: Date?) {
        guard let row = try await OutboxMessageRow.find(id, on: database) else { throw StoreError.notFound }
        return (row.attempts, row.lastError, row.nextAttemptAt)
    }
}

extension OutboxMessageRow {
    func message() throws -> OutboxMessage {
        OutboxMessage(id: try requireID(), recipient: recipient, subject: subject, body: body, createdAt: createdAt, sentAt: sentAt)
    }
}
