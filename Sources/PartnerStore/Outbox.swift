import FluentKit
import Foundation
import PartnerCore

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
        return try await query.sort(\.$createdAt, .descending).limit(limit).all().map(\.message)
    }

    public func outboxMessage(_ id: UUID) async throws -> OutboxMessage? {
        try await OutboxMessageRow.find(id, on: database)?.message
    }

    /// Messages a delivery worker should send next (the SMTP worker comes with R-N1's delivery half).
    public func unsentMail(limit: Int) async throws -> [OutboxMessage] {
        try await OutboxMessageRow.query(on: database).filter(\.$sentAt == nil).sort(\.$createdAt).limit(limit).all().map(\.message)
    }

    public func markMailSent(_ id: UUID, now: Date) async throws {
        try await OutboxMessageRow.query(on: database).filter(\.$id == id).set(\.$sentAt, to: now).update()
    }
}

extension OutboxMessageRow {
    var message: OutboxMessage {
        OutboxMessage(id: id!, recipient: recipient, subject: subject, body: body, createdAt: createdAt, sentAt: sentAt)
    }
}
