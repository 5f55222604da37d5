import FluentKit
import Foundation
import PartnerCore

/// R-B4: the editable catalogue (list prices per currency and period, the tier table, domain
/// extensions with preferential prices) and the partners' rates per category. Starts with
/// `PriceList.standard`; its version lives in `settings` and grows with every edit.
struct M0020_CreateCatalogue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("catalogue_entries")
            .id()
            .field("category", .string, .required)
            .field("period", .string, .required)
            .field("price_chf", .int64, .required)
            .field("price_eur", .int64, .required)
            .field("tiered", .bool, .required)
            .unique(on: "category")
            .create()
        try await database.schema("catalogue_tiers")
            .id()
            .field("minimum_count", .int64, .required)
            .field("rate_bp", .int, .required)
            .create()
        try await database.schema("domain_prices")
            .id()
            .field("extension", .string, .required)
            .field("list_chf", .int64, .required)
            .field("list_eur", .int64, .required)
            .field("preferential_chf", .int64, .required)
            .field("preferential_eur", .int64, .required)
            .unique(on: "extension")
            .create()
        try await database.schema("partner_rates")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("category", .string, .required)
            .field("rate_bp", .int, .required)
            .unique(on: "organisation_id", "category")
            .create()

        let standard = PriceList.standard
        for entry in standard.entries.values.sorted(by: { $0.category.rawValue < $1.category.rawValue }) {
            let row = CatalogueEntryRow()
            row.category = entry.category.rawValue
            row.period = entry.period.rawValue
            row.priceCHF = try entry.price(in: .chf).minorUnits
            row.priceEUR = try entry.price(in: .eur).minorUnits
            row.tiered = entry.tiered
            try await row.create(on: database)
        }
        for tier in standard.tiers {
            let row = CatalogueTierRow()
            row.minimumCount = tier.minimumCount
            row.rateBP = tier.rate.value
            try await row.create(on: database)
        }
        for domain in standard.domains.values.sorted(by: { $0.extensionName < $1.extensionName }) + [standard.otherDomain] {
            let row = DomainPriceRow()
            row.extensionName = domain.extensionName
            row.listCHF = try domain.listPrice(in: .chf).minorUnits
            row.listEUR = try domain.listPrice(in: .eur).minorUnits
            row.preferentialCHF = try domain.preferentialPrice(in: .chf).minorUnits
            row.preferentialEUR = try domain.preferentialPrice(in: .eur).minorUnits
            try await row.create(on: database)
        }
        let version = SettingRow()
        version.id = "catalogue_version"
        version.value = String(standard.version)
        try await version.create(on: database)
    }

    func revert(on database: any Database) async throws {
        for table in ["partner_rates", "domain_prices", "catalogue_tiers", "catalogue_entries"] { try await database.schema(table).delete() }
    }
}
