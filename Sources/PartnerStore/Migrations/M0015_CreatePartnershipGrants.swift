import FluentKit

struct M0015_CreatePartnershipGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("partnership_grants")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id", onDelete: .cascade))
            .field("product_id", .uuid, .required, .references("products", "id", onDelete: .cascade))
            .field("technical", .bool, .required)
            .field("statistics", .bool, .required)
            // R-P1: each product is granted to at most one partner (grants leave with the partnership).
            .unique(on: "product_id")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("partnership_grants").delete() }
}
