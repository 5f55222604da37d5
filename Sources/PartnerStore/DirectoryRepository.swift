import FluentKit
import Foundation
import PartnerCore
import SQLKit

extension Store {
    // MARK: directory (R-D1)

    static func set<T>(_ text: String, _ make: (String) -> T?) -> Set<T> { Set(text.split(separator: ",").compactMap { make(String($0)) }) }

    /// The profile of an approved partner, published or not (its own settings page).
    public func directoryProfile(_ organisation: OrganisationID) async throws -> DirectoryProfile? {
        try await directoryProfiles(where: "p.organisation_id = \(bind: organisation.rawValue)", publishedOnly: false).first
    }

    func directoryProfiles(where condition: SQLQueryString, publishedOnly: Bool) async throws -> [DirectoryProfile] {
        let published: SQLQueryString = publishedOnly ? " AND p.published = \(bind: true)" : ""
        let rows = try await sql.raw("""
            SELECT p.organisation_id, o.name, p.description, p.website, p.languages, p.regions, p.specialties, p.published
            FROM directory_profiles p JOIN organisations o ON o.id = p.organisation_id
            WHERE o.partner_approved_at IS NOT NULL AND \(condition)\(published) ORDER BY o.name
            """).all()
        let ids = try rows.map { OrganisationID(try $0.decode(column: "organisation_id", as: UUID.self)) }
        let verified = try await registerVerified(ids)
        return try zip(rows, ids).map { row, id in
            DirectoryProfile(organisationID: id, name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String.self),
                             website: try row.decode(column: "website", as: String.self),
                             languages: Self.set(try row.decode(column: "languages", as: String.self), TenderLanguage.init(rawValue:)),
                             regions: Self.set(try row.decode(column: "regions", as: String.self), TenderRegion.init(rawValue:)),
                             specialties: Self.set(try row.decode(column: "specialties", as: String.self)) { $0 },
                             published: try row.decode(column: "published", as: Bool.self), registerVerified: verified.contains(id))
        }
    }

    /// Every published profile of an approved partner, by name; the directory filters them with
    /// `DirectoryRules.matches` (a few hundred partners: one query, filtered in memory).
    public func publishedDirectoryProfiles() async throws -> [DirectoryProfile] {
        try await directoryProfiles(where: "1 = 1", publishedOnly: true)
    }

    public func saveDirectoryProfile(_ organisation: OrganisationID, _ profile: ValidDirectoryProfile, now: Date) async throws {
        try await sql.raw("DELETE FROM directory_profiles WHERE organisation_id = \(bind: organisation.rawValue)").run()
        try await sql.raw("""
            INSERT INTO directory_profiles (id, organisation_id, description, website, languages, regions, specialties, published, updated_at)
            VALUES (\(bind: UUID()), \(bind: organisation.rawValue), \(bind: profile.description), \(bind: profile.website),
              \(bind: profile.languages.map(\.rawValue).sorted().joined(separator: ",")), \(bind: profile.regions.map(\.rawValue).sorted().joined(separator: ",")),
              \(bind: profile.specialties.sorted().joined(separator: ",")), \(bind: profile.published), \(bind: now))
            """).run()
    }
}
