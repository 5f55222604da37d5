import FluentKit
import Foundation
import SQLKit

/// R-T1: the categories a tender names and partners subscribe to, editable by program admins.
/// The six the program starts with are seeded here.
struct M0030_CreateTenderCategories: AsyncMigration {
    static let seed: [(String, String, String, String)] = [
        ("website-creation", "Website-Erstellung", "Website creation", "Création de site web"),
        ("hosting-migration", "Hosting-Migration", "Hosting migration", "Migration d'hébergement"),
        ("e-mail", "E-Mail", "E-mail", "E-mail"),
        ("backup", "Backup", "Backup", "Sauvegarde"),
        ("development", "Entwicklung", "Development", "Développement"),
        ("consulting", "Beratung", "Consulting", "Conseil"),
    ]
    func prepare(on database: any Database) async throws {
        try await database.schema("tender_categories")
            .id()
            .field("key", .string, .required)
            .field("name_de", .string, .required)
            .field("name_en", .string, .required)
            .field("name_fr", .string, .required)
            .field("position", .int, .required)
            .field("active", .bool, .required)
            .unique(on: "key")
            .create()
        let sql = try database.requireSQL()
        for (position, (key, de, en, fr)) in Self.seed.enumerated() {
            try await sql.raw("""
                INSERT INTO tender_categories (id, key, name_de, name_en, name_fr, position, active)
                VALUES (\(bind: UUID()), \(bind: key), \(bind: de), \(bind: en), \(bind: fr), \(bind: position), \(bind: true))
                """).run()
        }
    }
    func revert(on database: any Database) async throws { try await database.schema("tender_categories").delete() }
}
