import FluentKit

/// An organisation is a partner once a program admin approved it (the application flow comes later).
struct M0012_AddPartnerApproval: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organisations").field("partner_approved_at", .datetime).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("organisations").deleteField("partner_approved_at").update()
    }
}
