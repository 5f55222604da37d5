import FluentKit

struct M0004_CreateInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("token_hash", .string, .required)
            .field("status", .string, .required)
            .field("invited_by", .uuid, .required, .references("users", "id"))
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("answered_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("invitations").delete() }
}
