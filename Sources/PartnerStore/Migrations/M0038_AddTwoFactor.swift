import FluentKit

/// R-O4 two-factor sign-in: one TOTP secret per user or staff member (`owner` is "user:<id>" or
/// "staff:<id>"), enabled once a first code confirmed it; the last accepted time step, so a code
/// is never accepted twice; ten single-use recovery codes stored as hashes. A console session
/// carries its stage: waiting for the second factor ("code"), or allowed only to enrol ("enrol").
struct M0038_AddTwoFactor: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("two_factor_secrets")
            .id()
            .field("owner", .string, .required)
            .field("secret", .string, .required)
            .field("enabled_at", .datetime)
            .field("last_counter", .int64)
            .field("created_at", .datetime, .required)
            .unique(on: "owner")
            .create()
        try await database.schema("recovery_codes")
            .id()
            .field("owner", .string, .required)
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .unique(on: "owner", "code_hash")
            .create()
        // SQLite adds one column per ALTER TABLE.
        try await database.schema("sessions").field("stage", .string).update()
        try await database.schema("sessions").field("code_attempts", .int).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("sessions").deleteField("code_attempts").update()
        try await database.schema("sessions").deleteField("stage").update()
        try await database.schema("recovery_codes").delete()
        try await database.schema("two_factor_secrets").delete()
    }
}
