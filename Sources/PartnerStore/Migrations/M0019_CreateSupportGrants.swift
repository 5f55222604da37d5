import FluentKit

/// R-S3: temporary support access granted by an organisation to the provider's support staff.
struct M0019_CreateSupportGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("support_grants")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("product_id", .uuid, .references("products", "id", onDelete: .cascade))
            .field("granted_by", .uuid, .required, .references("users", "id"))
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("support_grants").delete() }
}
