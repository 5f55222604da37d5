import FluentKit
import SQLKit

/// R-B4 counts a payer's hostings per category and status: with the status in the index the
/// count reads the index alone (a payer with 100,000 products made every renewal batch read
/// 100,000 table rows).
struct M0036_AddCoveringPayerIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX products_payer_category_status ON products (payer_id, category, status)").run()
        try await sql.raw("DROP INDEX products_payer").run()
    }
    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX products_payer ON products (payer_id, category)").run()
        try await sql.raw("DROP INDEX products_payer_category_status").run()
    }
}
