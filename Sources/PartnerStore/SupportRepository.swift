import FluentKit
import Foundation
import PartnerCore

final class SupportGrantRow: Model, @unchecked Sendable {
    static let schema = "support_grants"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalField(key: "product_id") var productID: UUID?
    @Field(key: "granted_by") var grantedBy: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// R-S3: a temporary support access grant as the organisation sees it.
public struct SupportGrant: Sendable, Hashable {
    public let id: SupportGrantID
    public let organisationID: OrganisationID
    /// nil: the whole organisation.
    public let product: ProductID?
    public let grantedBy: UserID
    public let expiresAt: Date
    public let revokedAt: Date?
    public let createdAt: Date

    public func isActive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}

extension Store {
    public func createSupportGrant(_ context: OrganisationContext, product: ProductID?, duration: TimeInterval, now: Date) async throws -> SupportGrant {
        let row = SupportGrantRow()
        row.id = UUID()
        row.organisationID = context.organisationID.rawValue
        row.productID = product?.rawValue
        row.grantedBy = context.userID.rawValue
        row.expiresAt = now.addingTimeInterval(duration)
        row.createdAt = now
        try await row.create(on: database)
        return try row.domain()
    }

    /// The organisation's grants, newest first (active and past).
    public func supportGrants(organisation: OrganisationID) async throws -> [SupportGrant] {
        try await SupportGrantRow.query(on: database).filter(\.$organisationID == organisation.rawValue).sort(\.$createdAt, .descending).all().map { try $0.domain() }
    }

    public func revokeSupportGrant(_ context: OrganisationContext, _ id: SupportGrantID, now: Date) async throws {
        guard let row = try await SupportGrantRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$organisationID == context.organisationID.rawValue).filter(\.$revokedAt == nil).first() else { throw StoreError.notFound }
        row.revokedAt = now
        try await row.update(on: database)
    }

    /// For support staff: the organisation's grants as facts for R-P10 (c).
    public func supportFacts(organisation: OrganisationID) async throws -> [AccessFacts.SupportGrant] {
        try await supportGrants(organisation: organisation).map {
            AccessFacts.SupportGrant(id: $0.id, products: $0.product.map { [$0] }, expiresAt: $0.expiresAt, revoked: $0.revokedAt != nil)
        }
    }

    /// Organisations with at least one active grant, for the provider console.
    public func organisationsWithActiveSupportGrants(now: Date) async throws -> [OrganisationID] {
        let rows = try await SupportGrantRow.query(on: database).filter(\.$revokedAt == nil).filter(\.$expiresAt > now).all()
        return Array(Set(rows.map { OrganisationID($0.organisationID) }))
    }
}

extension SupportGrantRow {
    func domain() throws -> SupportGrant {
        SupportGrant(id: SupportGrantID(try requireID()), organisationID: OrganisationID(organisationID), product: productID.map(ProductID.init),
                     grantedBy: UserID(grantedBy), expiresAt: expiresAt, revokedAt: revokedAt, createdAt: createdAt)
    }
}
