import FluentKit
import SQLKit

struct M0008_CreateLoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("login_failures")
            .id()
            .field("key", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.requireSQL().raw("CREATE INDEX login_failures_key ON login_failures (key, occurred_at)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema("login_failures").delete() }
}
