import FluentKit
import SQLKit

/// R-B5: one prepaid account per organisation and currency — its balance row (updated with a
/// guarded UPDATE so it never goes below zero, even across instances) and its append-only ledger.
struct M0022_CreateWallets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("wallets")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("currency", .string, .required)
            .field("balance", .int64, .required)
            .unique(on: "organisation_id", "currency")
            .create()
        try await database.schema("wallet_entries")
            .id()
            .field("wallet_id", .uuid, .required, .references("wallets", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("currency", .string, .required)
            .field("kind", .string, .required)
            .field("amount", .int64, .required)
            .field("balance_after", .int64, .required)
            .field("idempotency_key", .string, .required)
            .field("reference", .string)
            .field("description", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "wallet_id", "idempotency_key")
            .create()
        try await database.requireSQL().raw("CREATE INDEX wallet_entries_organisation ON wallet_entries (organisation_id, created_at)").run()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("wallet_entries").delete()
        try await database.schema("wallets").delete()
    }
}
