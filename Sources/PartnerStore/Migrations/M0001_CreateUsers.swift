import FluentKit

struct M0001_CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("support_code", .string, .required)
            .field("language", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .unique(on: "support_code")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("users").delete() }
}
