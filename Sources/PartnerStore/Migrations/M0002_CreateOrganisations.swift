import FluentKit

struct M0002_CreateOrganisations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("country", .string, .required)
            .field("currency", .string, .required)
            .field("first_invoice_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("organisations").delete() }
}
