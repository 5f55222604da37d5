import FluentKit

/// Time-bound partnerships: when each reminder before `ends_at` went out, so each goes out once.
struct M0018_AddEndReminders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("partnerships").field("reminded_14_at", .datetime).update()
        try await database.schema("partnerships").field("reminded_1_at", .datetime).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("partnerships").deleteField("reminded_14_at").update()
        try await database.schema("partnerships").deleteField("reminded_1_at").update()
    }
}
