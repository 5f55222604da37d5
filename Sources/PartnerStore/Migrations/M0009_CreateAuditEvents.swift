import FluentKit

struct M0009_CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("sequence", .int64, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("organisation", .string, .required)
            .field("action", .string, .required)
            .field("target", .string, .required)
            .field("details", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            // R-L1: two events can never claim the same place in the chain.
            .unique(on: "sequence")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("audit_events").delete() }
}
