import FluentKit
import SQLKit

/// R-B6: invoices (and credit notes) issued to the payer, numbered without gaps per year through
/// a counter row that the issuing transaction increments; idempotency keys for the API (R-B5).
struct M0024_CreateInvoices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("invoice_counters")
            .id()
            .field("year", .int, .required)
            .field("last", .int, .required)
            .unique(on: "year")
            .create()
        try await database.schema("invoices")
            .id()
            .field("number", .string, .required)
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("order_id", .uuid)
            .field("kind", .string, .required)
            .field("refers_to", .uuid)
            .field("currency", .string, .required)
            .field("net", .int64, .required)
            .field("vat_rate_bp", .int, .required)
            .field("vat", .int64, .required)
            .field("total", .int64, .required)
            .field("reverse_charge", .bool, .required)
            .field("recipient_name", .string, .required)
            .field("recipient_country", .string, .required)
            .field("issued_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema("invoice_lines")
            .id()
            .field("invoice_id", .uuid, .required, .references("invoices", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("description", .string, .required)
            .field("quantity", .int64, .required)
            .field("unit_price", .int64, .required)
            .field("explanation", .string, .required)
            .field("net", .int64, .required)
            .create()
        try await database.schema("idempotency_keys")
            .id()
            .field("organisation_id", .uuid, .required)
            .field("key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("status", .int, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organisation_id", "key")
            .create()
        let sql = try database.requireSQL()
        try await sql.raw("CREATE INDEX invoices_organisation ON invoices (organisation_id, issued_at)").run()
        try await sql.raw("CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id)").run()
    }
    func revert(on database: any Database) async throws {
        for table in ["idempotency_keys", "invoice_lines", "invoices", "invoice_counters"] { try await database.schema(table).delete() }
    }
}
