import FluentKit

/// R-O3: provider staff use the API too (catalogue, rates, refunds, the program): their tokens
/// live apart from customers' (`phs_…`), so a staff token can never act inside an organisation.
struct M0028_CreateStaffAccessTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff_access_tokens")
            .id()
            .field("staff_id", .uuid, .required, .references("staff", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("staff_access_tokens").delete() }
}
