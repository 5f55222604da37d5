import FluentKit
import SQLKit

/// R-B2/R-B3: quotes (what was shown before confirming, with an expiry) and orders with lines
/// that keep their whole explanation and the catalogue version they were priced with.
struct M0023_CreateOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("quotes")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required)
            .field("payload", .string, .required)
            .field("catalogue_version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
        try await database.schema("orders")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("payer_id", .uuid, .required)
            .field("partner_id", .uuid)
            .field("partnership_id", .uuid)
            .field("kind", .string, .required)
            .field("party", .string, .required)
            .field("rule_row", .int, .required)
            .field("benefit", .string, .required)
            .field("currency", .string, .required)
            .field("net", .int64, .required)
            .field("cashback", .int64, .required)
            .field("payment_method", .string, .required)
            .field("catalogue_version", .int, .required)
            .field("placed_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("order_lines")
            .id()
            .field("order_id", .uuid, .required, .references("orders", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("category", .string, .required)
            .field("name", .string, .required)
            .field("quantity", .int64, .required)
            .field("period", .string, .required)
            .field("unit_price", .int64, .required)
            .field("tier_count", .int64, .required)
            .field("steps", .string, .required)
            .field("charged", .int64, .required)
            .field("public_price", .int64, .required)
            .field("preferential_price", .int64, .required)
            .field("cashback", .int64, .required)
            .field("product_ids", .string, .required)
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX orders_organisation ON orders (organisation_id, created_at)").run()
        try await sql.raw("CREATE INDEX orders_partner ON orders (partner_id, created_at)").run()
        try await sql.raw("CREATE INDEX order_lines_order ON order_lines (order_id)").run()
    }
    func revert(on database: any Database) async throws {
        for table in ["order_lines", "orders", "quotes"] { try await database.schema(table).delete() }
    }
}
