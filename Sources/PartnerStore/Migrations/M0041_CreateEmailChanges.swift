import FluentKit

/// R-O6: e-mail changes waiting for confirmation from the new address (token stored as SHA-256).
struct M0041_CreateEmailChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("email_changes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("new_email", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("email_changes").delete() }
}
