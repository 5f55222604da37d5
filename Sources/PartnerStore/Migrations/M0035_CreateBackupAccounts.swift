import FluentKit
import SQLKit

/// R-X1: a partner's Swiss Backup account (one of its own products) and a group per client.
/// One live group per client and account: a partial unique index.
struct M0035_CreateBackupAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("backup_accounts")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "organisation_id")
            .unique(on: "product_id")
            .create()
        try await database.schema("backup_groups")
            .id()
            .field("account_id", .uuid, .required, .references("backup_accounts", "id", onDelete: .cascade))
            .field("partner_id", .uuid, .required)
            .field("client_id", .uuid, .required, .references("organisations", "id"))
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("partnership_ended_at", .datetime)
            .field("deleted_at", .datetime)
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE UNIQUE INDEX backup_groups_one_per_client ON backup_groups (account_id, client_id) WHERE deleted_at IS NULL").run()
        try await sql.raw("CREATE INDEX backup_groups_client ON backup_groups (client_id)").run()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("backup_groups").delete()
        try await database.schema("backup_accounts").delete()
    }
}
