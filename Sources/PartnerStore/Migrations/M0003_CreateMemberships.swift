import FluentKit
import SQLKit

struct M0003_CreateMemberships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("memberships")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organisation_id", "user_id")
            .create()
        try await database.requireSQL().raw("CREATE INDEX memberships_user ON memberships (user_id)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema("memberships").delete() }
}
