import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// A partnership as one side sees it in a list: the partnership and the other side's name.
public struct PartnershipListing: Sendable, Hashable {
    public let partnership: Partnership
    public let counterpartName: String
    /// Partner side: memberships of the partner assigned to this client (R-P9).
    public let assignedMemberships: [MembershipID]
    public init(partnership: Partnership, counterpartName: String, assignedMemberships: [MembershipID]) {
        self.partnership = partnership
        self.counterpartName = counterpartName
        self.assignedMemberships = assignedMemberships
    }
}

extension Store {
    // MARK: products (R-B9: they live in the client's organisation)

    public func createProduct(_ context: OrganisationContext, category: ProductCategory, name: String, now: Date) async throws -> Product {
        let row = ProductRow()
        row.id = UUID()
        row.organisationID = context.organisationID.rawValue
        row.category = category.rawValue
        row.name = name
        row.status = "active"
        row.createdAt = now
        try await row.create(on: database)
        return try row.domain()
    }

    /// The products of an organisation; callers have checked the access decision or membership.
    public func products(of organisation: OrganisationID) async throws -> [Product] {
        try await ProductRow.query(on: database).filter(\.$organisationID == organisation.rawValue).sort(\.$name).all().map { try $0.domain() }
    }

    public func product(_ id: ProductID) async throws -> Product? {
        try await ProductRow.find(id.rawValue, on: database)?.domain()
    }

    // MARK: partner status

    public func approvePartner(_ organisation: OrganisationID, now: Date) async throws {
        guard let row = try await OrganisationRow.find(organisation.rawValue, on: database) else { throw StoreError.notFound }
        if row.partnerApprovedAt == nil {
            row.partnerApprovedAt = now
            try await row.update(on: database)
        }
    }

    public func organisation(id: OrganisationID) async throws -> Organisation? {
        try await OrganisationRow.find(id.rawValue, on: database)?.domain()
    }

    /// R-P3: approved partners whose name, or one of whose legal representatives' or admins'
    /// e-mail, contains the query (case-insensitive).
    public func searchPartners(_ query: String, limit: Int = 20) async throws -> [Organisation] {
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
        // A search of over 100 characters finds nobody (and SQLite refuses LIKE patterns that long).
        guard needle.count >= 2, needle.unicodeScalars.count <= 100 else { return [] }
        let pattern = "%" + needle + "%"
        // One query whatever the number of partners; lower() on both sides because LIKE is
        // case-insensitive on SQLite but not on PostgreSQL (e-mails are stored lower-cased).
        let rows = try await sql.raw("""
            SELECT DISTINCT o.id AS id FROM organisations o
            LEFT JOIN memberships m ON m.organisation_id = o.id AND m.role IN ('legal_representative', 'admin')
            LEFT JOIN users u ON u.id = m.user_id
            WHERE o.partner_approved_at IS NOT NULL AND (lower(o.name) LIKE \(bind: pattern) OR u.email LIKE \(bind: pattern))
            LIMIT \(unsafeRaw: String(limit))
            """).all()
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        return try await OrganisationRow.query(on: database).filter(\.$id ~~ ids).sort(\.$name).all().map { try $0.domain() }
    }
}
