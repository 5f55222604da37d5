import FluentKit

/// R-B8: ordered products renew per period, billed to whoever R-B3 names at renewal time; an
/// unpaid renewal leaves them in a 14-day grace period. (One column per statement: SQLite adds
/// one at a time.)
struct M0021_AddBillingToProducts: AsyncMigration {
    static let columns: [(String, DatabaseSchema.DataType)] = [
        ("period", .string), ("renews_at", .datetime), ("payer_id", .uuid), ("grace_until", .datetime), ("reminded_renewal_at", .datetime),
    ]
    func prepare(on database: any Database) async throws {
        for (name, type) in Self.columns { try await database.schema("products").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update() }
    }
    func revert(on database: any Database) async throws {
        for (name, _) in Self.columns { try await database.schema("products").deleteField(.init(stringLiteral: name)).update() }
    }
}
