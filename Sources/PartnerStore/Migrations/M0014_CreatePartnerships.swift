import FluentKit
import SQLKit

struct M0014_CreatePartnerships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("partnerships")
            .id()
            .field("client_id", .uuid, .references("organisations", "id", onDelete: .cascade))
            .field("partner_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("invited_email", .string)
            .field("initiator", .string, .required)
            .field("state", .string, .required)
            .field("access", .string, .required)
            .field("payment_mode", .string, .required)
            .field("requested_access", .string, .required)
            .field("requested_payment_mode", .string, .required)
            .field("ends_at", .datetime)
            .field("token_hash", .string)
            .field("token_expires_at", .datetime)
            .field("invited_by", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("ended_at", .datetime)
            .unique(on: "token_hash")
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX partnerships_client ON partnerships (client_id, state)").run()
        try await sql.raw("CREATE INDEX partnerships_partner ON partnerships (partner_id, state)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema("partnerships").delete() }
}
