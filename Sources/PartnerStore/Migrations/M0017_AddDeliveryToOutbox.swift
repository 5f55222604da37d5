import FluentKit

/// R-N1 delivery: a message is claimed for a while (a lease, so a crashed worker's claim runs out)
/// and retried with backoff until the SMTP server accepted it.
struct M0017_AddDeliveryToOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages").field("claimed_until", .datetime).update()
        try await database.schema("outbox_messages").field("next_attempt_at", .datetime).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("claimed_until").update()
        try await database.schema("outbox_messages").deleteField("next_attempt_at").update()
    }
}
