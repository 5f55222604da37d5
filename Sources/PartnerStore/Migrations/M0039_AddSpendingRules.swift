import FluentKit

/// R-B11: per managed client, how its own orders on the partner's money are handled (NULL is
/// "direct"); per employee, the monthly limit a legal representative granted (NULL: none); and the
/// orders that wait for the partner's approval.
struct M0039_AddSpendingRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column per ALTER TABLE.
        try await database.schema("partnerships").field("client_spending", .string).update()
        try await database.schema("partnerships").field("client_limit_minor", .int64).update()
        try await database.schema("partnerships").field("client_limit_currency", .string).update()
        try await database.schema("memberships").field("spend_limit_minor", .int64).update()
        try await database.schema("memberships").field("spend_limit_currency", .string).update()
        try await database.schema("order_requests")
            .id()
            .field("client_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("partner_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("partnership_id", .uuid, .required)
            .field("requested_by", .uuid, .required)
            .field("input", .string, .required)
            .field("summary", .string, .required)
            .field("list_total_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("state", .string, .required)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("order_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("order_requests").delete()
        for field in ["spend_limit_currency", "spend_limit_minor"] { try await database.schema("memberships").deleteField(.string(field)).update() }
        for field in ["client_limit_currency", "client_limit_minor", "client_spending"] {
            try await database.schema("partnerships").deleteField(.string(field)).update()
        }
    }
}
