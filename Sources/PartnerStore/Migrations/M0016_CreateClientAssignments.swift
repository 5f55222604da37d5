import FluentKit

/// R-P9: which partner employees look after which client.
struct M0016_CreateClientAssignments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("client_assignments")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id", onDelete: .cascade))
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "partnership_id", "membership_id")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("client_assignments").delete() }
}
