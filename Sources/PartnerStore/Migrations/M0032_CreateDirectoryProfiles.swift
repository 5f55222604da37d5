import FluentKit

/// R-D1: approved partners' public profiles (opt-in).
struct M0032_CreateDirectoryProfiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("directory_profiles")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("description", .string, .required)
            .field("website", .string, .required)
            .field("languages", .string, .required)
            .field("regions", .string, .required)
            .field("specialties", .string, .required)
            .field("published", .bool, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organisation_id")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("directory_profiles").delete() }
}
