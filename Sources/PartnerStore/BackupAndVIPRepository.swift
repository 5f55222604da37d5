import FluentKit
import Foundation
import PartnerCore
import SQLKit

public struct BackupAccount: Sendable, Hashable {
    public let id: BackupAccountID
    public let organisationID: OrganisationID
    public let productID: ProductID
    public let productName: String
    public let createdAt: Date
}

extension Store {
    // MARK: VIP codes (R-S2)

    public func vipCode(_ organisation: OrganisationID) async throws -> SupportCode? {
        try await sql.raw("SELECT code FROM vip_codes WHERE organisation_id = \(bind: organisation.rawValue)").first()
            .flatMap { SupportCode(try $0.decode(column: "code", as: String.self)) }
    }

    /// Sets (or replaces) the organisation's VIP code; a code taken by another is a conflict.
    public func setVIPCode(_ organisation: OrganisationID, _ code: SupportCode, now: Date) async throws {
        do {
            try await sql.raw("DELETE FROM vip_codes WHERE organisation_id = \(bind: organisation.rawValue)").run()
            try await sql.raw("""
                INSERT INTO vip_codes (id, organisation_id, code, created_at) VALUES (\(bind: UUID()), \(bind: organisation.rawValue), \(bind: code.value), \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "vip_code")
        }
    }

    /// Support staff verify a caller (R-S2): the organisation holding the code, and whether its
    /// Premium Support is still active.
    public func organisation(vipCode code: SupportCode) async throws -> (Organisation, premiumActive: Bool)? {
        guard let row = try await sql.raw("SELECT organisation_id FROM vip_codes WHERE code = \(bind: code.value)").first(),
              let organisation = try await organisation(id: OrganisationID(try row.decode(column: "organisation_id", as: UUID.self))) else { return nil }
        return (organisation, try await hasActivePremiumSupport(organisation.id))
    }

    public func hasActivePremiumSupport(_ organisation: OrganisationID) async throws -> Bool {
        try await sql.raw("""
            SELECT id FROM products WHERE organisation_id = \(bind: organisation.rawValue) AND category = 'premium-support' AND status IN ('active', 'grace') LIMIT 1
            """).first() != nil
    }

    // MARK: Swiss Backup (R-X1)

    public func backupAccount(of organisation: OrganisationID) async throws -> BackupAccount? {
        try await sql.raw("""
            SELECT a.id, a.organisation_id, a.product_id, p.name, a.created_at FROM backup_accounts a JOIN products p ON p.id = a.product_id
            WHERE a.organisation_id = \(bind: organisation.rawValue)
            """).first().map { row in
            BackupAccount(id: BackupAccountID(try row.decode(column: "id", as: UUID.self)), organisationID: organisation,
                          productID: ProductID(try row.decode(column: "product_id", as: UUID.self)), productName: try row.decode(column: "name", as: String.self),
                          createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    public func createBackupAccount(organisation: OrganisationID, product: ProductID, now: Date) async throws -> BackupAccountID {
        let id = BackupAccountID(UUID())
        do {
            try await sql.raw("""
                INSERT INTO backup_accounts (id, organisation_id, product_id, created_at) VALUES (\(bind: id.rawValue), \(bind: organisation.rawValue), \(bind: product.rawValue), \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "product_id")
        }
        return id
    }

    static let groupColumns: SQLQueryString = "SELECT id, account_id, partner_id, client_id, name, created_at, partnership_ended_at FROM backup_groups"

    func backupGroup(_ row: any SQLRow) throws -> BackupGroup {
        BackupGroup(id: BackupGroupID(try row.decode(column: "id", as: UUID.self)), accountID: BackupAccountID(try row.decode(column: "account_id", as: UUID.self)),
                    partnerID: OrganisationID(try row.decode(column: "partner_id", as: UUID.self)), clientID: OrganisationID(try row.decode(column: "client_id", as: UUID.self)),
                    name: try row.decode(column: "name", as: String.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                    partnershipEndedAt: try row.decode(column: "partnership_ended_at", as: Date?.self))
    }

    /// The live groups in a partner's account, by name.
    public func backupGroups(partner: OrganisationID) async throws -> [BackupGroup] {
        try await sql.raw("\(Self.groupColumns) WHERE partner_id = \(bind: partner.rawValue) AND deleted_at IS NULL ORDER BY name").all().map(backupGroup)
    }

    /// The live groups holding a client's backups, in any partner's account (the client's view).
    public func backupGroups(client: OrganisationID) async throws -> [BackupGroup] {
        try await sql.raw("\(Self.groupColumns) WHERE client_id = \(bind: client.rawValue) AND deleted_at IS NULL ORDER BY created_at").all().map(backupGroup)
    }

    public func backupGroup(_ id: BackupGroupID, partner: OrganisationID) async throws -> BackupGroup? {
        try await sql.raw("\(Self.groupColumns) WHERE id = \(bind: id.rawValue) AND partner_id = \(bind: partner.rawValue) AND deleted_at IS NULL").first().map(backupGroup)
    }

    public func createBackupGroup(account: BackupAccountID, partner: OrganisationID, client: OrganisationID, partnership: PartnershipID, name: String,
                                  now: Date) async throws -> BackupGroupID {
        let id = BackupGroupID(UUID())
        do {
            try await sql.raw("""
                INSERT INTO backup_groups (id, account_id, partner_id, client_id, partnership_id, name, created_at)
                VALUES (\(bind: id.rawValue), \(bind: account.rawValue), \(bind: partner.rawValue), \(bind: client.rawValue), \(bind: partnership.rawValue),
                        \(bind: name), \(bind: now))
                """).run()
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "client_id")
        }
        return id
    }

    public func deleteBackupGroup(_ id: BackupGroupID, now: Date) async throws -> Bool {
        try await sql.raw("UPDATE backup_groups SET deleted_at = \(bind: now) WHERE id = \(bind: id.rawValue) AND deleted_at IS NULL RETURNING id").first() != nil
    }

    /// R-X1: the partnership ended — its groups stay, marked, until the partner deletes them.
    /// Returns the groups concerned.
    public func markBackupGroupsOrphaned(partnership: PartnershipID, now: Date) async throws -> [BackupGroup] {
        try await sql.raw("""
            UPDATE backup_groups SET partnership_ended_at = \(bind: now) WHERE partnership_id = \(bind: partnership.rawValue) AND deleted_at IS NULL
              AND partnership_ended_at IS NULL
            RETURNING id, account_id, partner_id, client_id, name, created_at, partnership_ended_at
            """).all().map(backupGroup)
    }
}
