import FluentKit

/// R-O2: employees and external users see and manage the products assigned to them.
struct M0026_CreateProductAssignments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("product_assignments")
            .id()
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .field("product_id", .uuid, .required, .references("products", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "membership_id", "product_id")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("product_assignments").delete() }
}
