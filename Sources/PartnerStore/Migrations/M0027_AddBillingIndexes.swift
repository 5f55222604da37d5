import FluentKit
import SQLKit

/// Indexes the money paths look up by (found by the renewal benchmark: counting a payer's
/// hostings scanned every product, about 50 ms a renewal at 100k products).
struct M0027_AddBillingIndexes: AsyncMigration {
    static let indexes = [
        ("products_payer", "products (payer_id, category)"),
        ("products_renews", "products (renews_at)"),
        ("invoices_order", "invoices (order_id)"),
        ("invoices_refers_to", "invoices (refers_to)"),
        ("wallet_entries_wallet", "wallet_entries (wallet_id)"),
        ("partnership_grants_partnership", "partnership_grants (partnership_id)"),
        ("support_grants_organisation", "support_grants (organisation_id)"),
        ("theme_requests_organisation", "theme_requests (organisation_id)"),
    ]
    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for (name, target) in Self.indexes { try await sql.raw("CREATE INDEX \(unsafeRaw: name) ON \(unsafeRaw: target)").run() }
    }
    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for (name, _) in Self.indexes { try await sql.raw("DROP INDEX \(unsafeRaw: name)").run() }
    }
}
