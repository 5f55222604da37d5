import FluentKit
import SQLKit

/// R-A1: affiliates (private persons) with their referral code and the organisation that holds
/// their prepaid account; clicks, attributions, commissions and monthly payouts.
struct M0033_CreateAffiliates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("affiliates")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("code", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id")
            .unique(on: "code")
            .create()
        try await database.schema("affiliate_clicks")
            .id()
            .field("affiliate_id", .uuid, .required, .references("affiliates", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("clicked_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema("affiliate_attributions")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("affiliate_id", .uuid, .required, .references("affiliates", "id", onDelete: .cascade))
            .field("clicked_at", .datetime, .required)
            .field("attributed_at", .datetime, .required)
            .unique(on: "organisation_id")
            .create()
        try await database.schema("affiliate_commissions")
            .id()
            .field("affiliate_id", .uuid, .required, .references("affiliates", "id", onDelete: .cascade))
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("organisation_id", .uuid, .required)
            .field("currency", .string, .required)
            .field("base", .int64, .required)
            .field("rate_bp", .int, .required)
            .field("amount", .int64, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("payout_id", .uuid)
            .field("reversed_at", .datetime)
            .unique(on: "order_id")
            .create()
        try await database.schema("affiliate_payouts")
            .id()
            .field("affiliate_id", .uuid, .required, .references("affiliates", "id", onDelete: .cascade))
            .field("currency", .string, .required)
            .field("month", .string, .required)
            .field("amount", .int64, .required)
            .field("ledger_entry_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "affiliate_id", "currency", "month")
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX affiliate_commissions_affiliate ON affiliate_commissions (affiliate_id, created_at)").run()
        try await sql.raw("CREATE INDEX affiliate_clicks_affiliate ON affiliate_clicks (affiliate_id)").run()
    }
    func revert(on database: any Database) async throws {
        for table in ["affiliate_payouts", "affiliate_commissions", "affiliate_attributions", "affiliate_clicks", "affiliates"] {
            try await database.schema(table).delete()
        }
    }
}
