import Foundation
import PartnerCore
import PartnerStore

/// R-D1: approved partners opt in to a public directory profile; anyone searches it by region,
/// language and specialty (the tender categories), page by page.
struct DirectoryService: Sendable {
    let clock: any Clock

    /// The partner's legal representatives and admins edit the profile (as with tenders).
    func save(_ context: OrganisationContext, user: User, input: DirectoryProfileInput, store: Store) async throws {
        let organisation = try await store.organisation(context)
        guard organisation.isPartner else { throw AppError.notFound }
        guard context.role == .legalRepresentative || context.role == .admin else { throw AppError.forbidden("tender.only_representatives") }
        let known = Set(try await store.tenderCategories().map(\.key))
        let valid: ValidDirectoryProfile
        do { valid = try DirectoryRules.validate(input, knownSpecialties: known) } catch { throw AppError.validation(error.errors) }
        let now = clock.now()
        try await store.write { tx in
            try await tx.saveDirectoryProfile(organisation.id, valid, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: organisation.id.string, action: "directory.profile_saved",
                                                target: "organisation:\(organisation.id.string)", details: "{\"published\":\(valid.published)}"), now: now)
        }
    }

    struct Page: Sendable {
        let profiles: [DirectoryProfile]
        /// 1-based; clamped to the pages there are.
        let page: Int
        let pages: Int
        let total: Int
    }

    func search(_ filter: DirectoryFilter, page requested: Int, store: Store) async throws -> Page {
        let matching = try await store.publishedDirectoryProfiles().filter { DirectoryRules.matches($0, filter) }
        let size = DirectoryRules.pageSize
        let pages = max(1, (matching.count + size - 1) / size)
        let page = min(max(1, requested), pages)
        return Page(profiles: Array(matching.dropFirst((page - 1) * size).prefix(size)), page: page, pages: pages, total: matching.count)
    }

    /// A published profile; anything else (unknown, unpublished, not a partner) is not found.
    func profile(_ id: OrganisationID, store: Store) async throws -> DirectoryProfile {
        guard let profile = try await store.directoryProfile(id), profile.published else { throw AppError.notFound }
        return profile
    }
}
