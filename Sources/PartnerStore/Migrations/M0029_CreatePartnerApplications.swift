import FluentKit
import SQLKit

/// R-E1/R-E2: an organisation's application to become a partner, decided by a program admin.
/// At most one pending application per organisation: a partial unique index answers the race
/// the check before it cannot (applying twice).
struct M0029_CreatePartnerApplications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("partner_applications")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("applicant_id", .uuid, .required, .references("users", "id"))
            .field("register_id", .string, .required)
            .field("register_kind", .string, .required)
            .field("register_status", .string, .required)
            .field("website", .string, .required)
            .field("terms_version", .string, .required)
            .field("terms_accepted_at", .datetime, .required)
            .field("minimum_volume_committed", .bool, .required)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX partner_applications_organisation ON partner_applications (organisation_id, created_at)").run()
        try await sql.raw("CREATE UNIQUE INDEX partner_applications_one_pending ON partner_applications (organisation_id) WHERE status = 'pending'").run()
    }
    func revert(on database: any Database) async throws { try await database.schema("partner_applications").delete() }
}
