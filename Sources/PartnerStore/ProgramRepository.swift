import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// An application as stored (R-E1, R-E2).
public struct PartnerApplication: Sendable, Hashable {
    public let id: ApplicationID
    public let organisationID: OrganisationID
    public let organisationName: String
    public let applicantID: UserID
    public let registerID: String
    public let registerKind: String
    public let registerStatus: RegisterStatus
    public let website: String
    public let termsVersion: String
    public let termsAcceptedAt: Date
    public let status: ApplicationStatus
    public let reason: String?
    public let decidedAt: Date?
    public let createdAt: Date
}

/// An approved partner as the program admins' list shows it (R-E3).
public struct PartnerStanding: Sendable, Hashable {
    public let organisation: Organisation
    public let approvedAt: Date
    /// Public price of the orders and renewals it managed in the window, per currency.
    public let volume: [Currency: Money]
}

extension Store {
    // MARK: applications (R-E1, R-E2)

    public func createApplication(organisation: OrganisationID, applicant: UserID, _ valid: ValidApplication, now: Date) async throws -> ApplicationID {
        let id = ApplicationID(UUID())
        do {
            try await sql.raw("""
                INSERT INTO partner_applications (id, organisation_id, applicant_id, register_id, register_kind, register_status, website, terms_version,
                  terms_accepted_at, minimum_volume_committed, status, created_at)
                VALUES (\(bind: id.rawValue), \(bind: organisation.rawValue), \(bind: applicant.rawValue), \(bind: valid.registerID), \(bind: valid.registerKind),
                  \(bind: valid.registerStatus.rawValue), \(bind: valid.website), \(bind: valid.termsVersion), \(bind: now), \(bind: true), 'pending', \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "application")
        }
        return id
    }

    static let applicationColumns: SQLQueryString = """
        SELECT a.id, a.organisation_id, o.name AS organisation_name, a.applicant_id, a.register_id, a.register_kind, a.register_status, a.website,
          a.terms_version, a.terms_accepted_at, a.status, a.reason, a.decided_at, a.created_at
        FROM partner_applications a JOIN organisations o ON o.id = a.organisation_id
        """

    func application(_ row: any SQLRow) throws -> PartnerApplication {
        PartnerApplication(id: ApplicationID(try row.decode(column: "id", as: UUID.self)), organisationID: OrganisationID(try row.decode(column: "organisation_id", as: UUID.self)),
                           organisationName: try row.decode(column: "organisation_name", as: String.self),
                           applicantID: UserID(try row.decode(column: "applicant_id", as: UUID.self)), registerID: try row.decode(column: "register_id", as: String.self),
                           registerKind: try row.decode(column: "register_kind", as: String.self),
                           registerStatus: RegisterStatus(rawValue: try row.decode(column: "register_status", as: String.self)) ?? .manualReview,
                           website: try row.decode(column: "website", as: String.self), termsVersion: try row.decode(column: "terms_version", as: String.self),
                           termsAcceptedAt: try row.decode(column: "terms_accepted_at", as: Date.self),
                           status: ApplicationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                           reason: try row.decode(column: "reason", as: String?.self), decidedAt: try row.decode(column: "decided_at", as: Date?.self),
                           createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    /// An organisation's applications, newest first.
    public func applications(of organisation: OrganisationID) async throws -> [PartnerApplication] {
        try await sql.raw("\(Self.applicationColumns) WHERE a.organisation_id = \(bind: organisation.rawValue) ORDER BY a.created_at DESC").all().map(application)
    }

    /// The program admins' queue (one status, oldest first) or every application (newest first),
    /// a page after `after` (time, id).
    public func applications(status: ApplicationStatus?, limit: Int = 200, after: TimeKey? = nil) async throws -> [PartnerApplication] {
        let count = String(max(1, limit))
        if let status {
            guard let after else {
                return try await sql.raw("\(Self.applicationColumns) WHERE a.status = \(bind: status.rawValue) ORDER BY a.created_at, a.id LIMIT \(unsafeRaw: count)").all().map(application)
            }
            return try await sql.raw("""
                \(Self.applicationColumns) WHERE a.status = \(bind: status.rawValue)
                  AND a.created_at >= \(bind: after.time) AND (a.created_at > \(bind: after.time) OR a.id > \(bind: after.id))
                ORDER BY a.created_at, a.id LIMIT \(unsafeRaw: count)
                """).all().map(application)
        }
        guard let after else {
            return try await sql.raw("\(Self.applicationColumns) ORDER BY a.created_at DESC, a.id DESC LIMIT \(unsafeRaw: count)").all().map(application)
        }
        return try await sql.raw("""
            \(Self.applicationColumns) WHERE a.created_at <= \(bind: after.time) AND (a.created_at < \(bind: after.time) OR a.id < \(bind: after.id))
            ORDER BY a.created_at DESC, a.id DESC LIMIT \(unsafeRaw: count)
            """).all().map(application)
    }

    public func application(_ id: ApplicationID) async throws -> PartnerApplication? {
        try await sql.raw("\(Self.applicationColumns) WHERE a.id = \(bind: id.rawValue)").first().map(application)
    }

    /// Decides a pending application once: a second decision (another tab, another admin) finds
    /// it decided and changes nothing.
    public func decideApplication(_ id: ApplicationID, status: ApplicationStatus, reason: String?, staff: StaffID, now: Date) async throws {
        let row = try await sql.raw("""
            UPDATE partner_applications SET status = \(bind: status.rawValue), reason = \(bind: reason), decided_by = \(bind: staff.rawValue), decided_at = \(bind: now)
            WHERE id = \(bind: id.rawValue) AND status = 'pending' RETURNING id
            """).first()
        if row == nil { throw StoreError.conflict(field: "status") }
    }

    /// R-D1: the register id passed its check and the application carrying it was approved.
    public func registerVerified(_ organisations: [OrganisationID]) async throws -> Set<OrganisationID> {
        guard !organisations.isEmpty else { return [] }
        let rows = try await sql.raw("""
            SELECT DISTINCT organisation_id FROM partner_applications
            WHERE organisation_id IN (\(binds: organisations.map(\.rawValue))) AND status = 'approved' AND register_status = 'verified'
            """).all()
        return Set(try rows.map { OrganisationID(try $0.decode(column: "organisation_id", as: UUID.self)) })
    }

    // MARK: R-E4 facts

    public func isAffiliate(_ user: UserID) async throws -> Bool {
        try await sql.raw("SELECT id FROM affiliates WHERE user_id = \(bind: user.rawValue)").first() != nil
    }

    /// Members of the organisation who are affiliates.
    public func affiliateMembers(of organisation: OrganisationID) async throws -> [UserID] {
        try await sql.raw("""
            SELECT m.user_id FROM memberships m JOIN affiliates a ON a.user_id = m.user_id WHERE m.organisation_id = \(bind: organisation.rawValue)
            """).all().map { UserID(try $0.decode(column: "user_id", as: UUID.self)) }
    }

    /// Whether the user belongs to an approved partner, or to an organisation applying to become one.
    public func isMemberOfPartnerOrApplicant(_ user: UserID) async throws -> Bool {
        try await sql.raw("""
            SELECT m.id FROM memberships m JOIN organisations o ON o.id = m.organisation_id
            WHERE m.user_id = \(bind: user.rawValue)
              AND (o.partner_approved_at IS NOT NULL OR EXISTS (SELECT 1 FROM partner_applications a WHERE a.organisation_id = o.id AND a.status = 'pending'))
            LIMIT 1
            """).first() != nil
    }

    // MARK: R-E3 managed volume

    /// Public price of the orders and renewals each partner managed since `since` (any payment
    /// mode), per currency; refunded orders do not count.
    public func managedVolumes(partners: [OrganisationID], since: Date) async throws -> [OrganisationID: [Currency: Money]] {
        guard !partners.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT o.partner_id, o.currency, CAST(SUM(l.public_price) AS BIGINT) AS volume FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE o.partner_id IN (\(binds: partners.map(\.rawValue))) AND o.created_at >= \(bind: since)
              AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.kind = 'credit_note')
            GROUP BY o.partner_id, o.currency
            """).all()
        var result: [OrganisationID: [Currency: Money]] = [:]
        for row in rows {
            guard let currency = Currency(rawValue: try row.decode(column: "currency", as: String.self)) else { continue }
            let partner = OrganisationID(try row.decode(column: "partner_id", as: UUID.self))
            result[partner, default: [:]][currency] = Money(minorUnits: try row.decode(column: "volume", as: Int64.self), currency: currency)
        }
        return result
    }

    /// Every approved partner with when it was approved and its managed volume (R-E3).
    public func partnerStandings(since: Date) async throws -> [PartnerStanding] {
        let rows = try await OrganisationRow.query(on: database).filter(\.$partnerApprovedAt != nil).sort(\.$name).all()
        let partners = try rows.map { OrganisationID(try $0.requireID()) }
        let volumes = try await managedVolumes(partners: partners, since: since)
        return try rows.compactMap { row -> PartnerStanding? in
            // The query asked for approved partners only.
            guard let approvedAt = row.partnerApprovedAt else { return nil }
            let organisation = try row.domain()
            return PartnerStanding(organisation: organisation, approvedAt: approvedAt, volume: volumes[organisation.id] ?? [:])
        }
    }
}
