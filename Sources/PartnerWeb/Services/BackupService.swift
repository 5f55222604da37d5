import Foundation
import PartnerCore
import PartnerStore

/// R-X1 Swiss Backup: a partner keeps its clients' backups in one backup account of its own (a
/// Swiss Backup product in the partner's organisation, the exception to R-B9) with one group per
/// client. Groups and backups never move to another account (the seed: they cannot be migrated
/// between two Swiss Backup accounts), so every move is refused with that reason. When a
/// partnership ends, the client's group stays until the partner deletes it, and both are told.
struct BackupService: Sendable {
    let clock: any Clock
    let baseURL: String

    /// The partner's legal representatives and admins manage the account.
    func requireManager(_ context: OrganisationContext, store: Store) async throws -> Organisation {
        let organisation = try await store.organisation(context)
        guard organisation.isPartner else { throw AppError.notFound }
        guard context.role == .legalRepresentative || context.role == .admin else { throw AppError.forbidden("error.not_allowed") }
        return organisation
    }

    func designate(_ context: OrganisationContext, user: User, product id: ProductID, store: Store) async throws -> BackupAccountID {
        let partner = try await requireManager(context, store: store)
        guard let product = try await store.product(id), product.organisationID == partner.id else { throw AppError.validation([FieldError("product_id", .invalidValue)]) }
        if let problem = SwissBackupRules.mayDesignate(product: product.category, productOwnedByPartner: true,
                                                       hasAccount: try await store.backupAccount(of: partner.id) != nil) {
            throw problem == .notASwissBackupProduct ? AppError.validation([FieldError("product_id", .invalidValue)]) : AppError.refused("backup.\(problem.rawValue)")
        }
        let now = clock.now()
        do {
            return try await store.write { tx in
                let account = try await tx.createBackupAccount(organisation: partner.id, product: product.id, now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.id.string, action: "backup.account_designated",
                                                    target: "product:\(product.id.string)"), now: now)
                return account
            }
        } catch StoreError.conflict {
            throw AppError.refused("backup.backup_account_exists")
        }
    }

    /// One group per client the partner actively manages.
    func createGroup(_ context: OrganisationContext, user: User, client: OrganisationID, name rawName: String, store: Store) async throws -> BackupGroupID {
        let partner = try await requireManager(context, store: store)
        var errors = ValidationErrors()
        let name = TextInput.field(rawName, "name", max: 120, into: &errors)
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let account = try await store.backupAccount(of: partner.id)
        let partnership = try await store.activePartnerships(clients: [client])[client]?.first { $0.partnerID == partner.id }
        let hasGroup = try await store.backupGroups(partner: partner.id).contains { $0.clientID == client }
        if let problem = SwissBackupRules.mayCreateGroup(hasAccount: account != nil, partnershipActive: partnership != nil, clientHasGroup: hasGroup) {
            if problem == .noActivePartnership { throw AppError.validation([FieldError("client_id", .invalidValue)]) }
            throw AppError.refused("backup.\(problem.rawValue)")
        }
        guard let account, let partnership else { throw AppError.refused("backup.\(BackupProblem.noAccount.rawValue)") }
        let now = clock.now()
        do {
            return try await store.write { tx in
                let id = try await tx.createBackupGroup(account: account.id, partner: partner.id, client: client, partnership: partnership.id, name: name, now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.id.string, action: "backup.group_created",
                                                    target: "backup-group:\(id.string)", details: "{\"client\":\"\(client.string)\"}"), now: now)
                return id
            }
        } catch StoreError.conflict {
            throw AppError.refused("backup.backup_group_exists")
        }
    }

    func group(_ context: OrganisationContext, _ id: BackupGroupID, store: Store) async throws -> BackupGroup {
        let partner = try await store.organisation(context)
        guard let group = try await store.backupGroup(id, partner: partner.id) else { throw AppError.notFound }
        return group
    }

    func deleteGroup(_ context: OrganisationContext, user: User, group id: BackupGroupID, store: Store) async throws {
        let partner = try await requireManager(context, store: store)
        let group = try await group(context, id, store: store)
        let now = clock.now()
        try await store.write { tx in
            guard try await tx.deleteBackupGroup(group.id, now: now) else { throw AppError.notFound }
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.id.string, action: "backup.group_deleted",
                                                target: "backup-group:\(group.id.string)", details: "{\"client\":\"\(group.clientID.string)\"}"), now: now)
        }
    }

    /// Never possible (R-X1); the answer says why. An unknown group is still "not found".
    func move(_ context: OrganisationContext, group id: BackupGroupID, store: Store) async throws -> Never {
        _ = try await requireManager(context, store: store)
        let group = try await group(context, id, store: store)
        throw AppError.refused("backup.\(SwissBackupRules.move(group, to: group.accountID).rawValue)")
    }

    /// Inside the transaction that ends a partnership: its groups stay, marked, and both sides
    /// are told (the partner's representatives, the client's).
    static func partnershipEnded(_ tx: Store, partnership: Partnership, baseURL: String, now: Date) async throws {
        let groups = try await tx.markBackupGroupsOrphaned(partnership: partnership.id, now: now)
        guard !groups.isEmpty, let client = partnership.clientID else { return }
        let partnerName = try await tx.organisation(id: partnership.partnerID)?.name ?? ""
        let clientName = try await tx.organisation(id: client)?.name ?? ""
        let people = try await tx.representatives(of: [partnership.partnerID, client])
        var mails: [Store.Mail] = []
        for (side, key) in [(partnership.partnerID, "partner"), (client, "client")] {
            for (email, language) in people[side] ?? [] {
                let s = Strings(language: language ?? .en)
                let values = ["partner": partnerName, "client": clientName, "groups": groups.map(\.name).joined(separator: ", "),
                              "link": "\(baseURL)/console/orgs/\(side.string)/backup"]
                mails.append(Store.Mail(to: email, subject: s("mail.backup_orphaned.subject", values), body: s("mail.backup_orphaned.\(key)", values)))
            }
        }
        try await tx.enqueueMails(mails, now: now)
        try await tx.appendAudit(AuditEntry(actor: "system", organisation: partnership.partnerID.string, action: "backup.groups_kept",
                                            target: "partnership:\(partnership.id.string)", details: "{\"groups\":\(groups.count)}"), now: now)
    }
}
