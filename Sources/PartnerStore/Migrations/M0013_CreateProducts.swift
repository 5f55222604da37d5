import FluentKit
import SQLKit

struct M0013_CreateProducts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("products")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("category", .string, .required)
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.requireSQL().raw("CREATE INDEX products_organisation ON products (organisation_id)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema("products").delete() }
}
