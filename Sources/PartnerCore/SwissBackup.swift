import Foundation

public enum BackupAccountTag {}
public enum BackupGroupTag {}
public typealias BackupAccountID = Tagged<BackupAccountTag, UUID>
public typealias BackupGroupID = Tagged<BackupGroupTag, UUID>

/// R-X1: a partner's Swiss Backup account (a product in the partner's own organisation, the
/// exception to R-B9) and a group in it per client.
public struct BackupGroup: Sendable, Hashable {
    public let id: BackupGroupID
    public let accountID: BackupAccountID
    public let partnerID: OrganisationID
    public let clientID: OrganisationID
    public let name: String
    public let createdAt: Date
    /// Set when the partnership ended: the group stays in the partner's account until the
    /// partner deletes it.
    public let partnershipEndedAt: Date?
    public init(id: BackupGroupID, accountID: BackupAccountID, partnerID: OrganisationID, clientID: OrganisationID, name: String, createdAt: Date,
                partnershipEndedAt: Date?) {
        self.id = id
        self.accountID = accountID
        self.partnerID = partnerID
        self.clientID = clientID
        self.name = name
        self.createdAt = createdAt
        self.partnershipEndedAt = partnershipEndedAt
    }
}

public enum BackupProblem: String, Error, Sendable, Hashable {
    /// The seed: end customers and their backups cannot be migrated between two Swiss Backup accounts.
    case moveRefused = "backup_move_refused"
    case accountExists = "backup_account_exists"
    case notASwissBackupProduct = "backup_not_swiss_backup"
    case groupExists = "backup_group_exists"
    case noActivePartnership = "backup_no_partnership"
    case noAccount = "backup_no_account"
}

public enum SwissBackupRules {
    /// A partner holds one backup account, made of one of its own Swiss Backup products.
    public static func mayDesignate(product category: ProductCategory, productOwnedByPartner: Bool, hasAccount: Bool) -> BackupProblem? {
        if hasAccount { return .accountExists }
        return category == .swissBackup && productOwnedByPartner ? nil : .notASwissBackupProduct
    }

    /// One group per client, for a client the partner actively manages.
    public static func mayCreateGroup(hasAccount: Bool, partnershipActive: Bool, clientHasGroup: Bool) -> BackupProblem? {
        if !hasAccount { return .noAccount }
        if !partnershipActive { return .noActivePartnership }
        return clientHasGroup ? .groupExists : nil
    }

    /// Moving a group, or any of its backups, to another backup account is never possible.
    public static func move(_ group: BackupGroup, to account: BackupAccountID) -> BackupProblem {
        .moveRefused
    }
}
