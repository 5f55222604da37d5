import FluentKit

/// R-S2: an organisation with the Premium Support product has a VIP code (the support code's
/// form: 8 digits, unique, regenerable).
struct M0034_CreateVIPCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("vip_codes")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organisation_id")
            .unique(on: "code")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("vip_codes").delete() }
}
