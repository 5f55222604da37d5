import FluentKit

/// Personal and staff access tokens may end on a date of the owner's choosing (issue #11:
/// accounts that hold); NULL is "until revoked".
struct M0037_AddTokenExpiry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("access_tokens").field("expires_at", .datetime).update()
        try await database.schema("staff_access_tokens").field("expires_at", .datetime).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("access_tokens").deleteField("expires_at").update()
        try await database.schema("staff_access_tokens").deleteField("expires_at").update()
    }
}
