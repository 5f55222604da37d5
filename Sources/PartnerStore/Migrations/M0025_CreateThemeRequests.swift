import FluentKit

/// R-X2: a partner's request for the free premium theme licence, fulfilled by a program admin.
struct M0025_CreateThemeRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("theme_requests")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("requested_by", .uuid, .required)
            .field("requested_at", .datetime, .required)
            .field("fulfilled_at", .datetime)
            .field("fulfilled_by", .uuid)
            .field("licence_key", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("theme_requests").delete() }
}
