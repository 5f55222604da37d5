import FluentKit
import Foundation
import PartnerCore

extension Store {
    /// A membership invitation; R-P4's token rules: only the hash is stored.
    public func createInvitation(_ context: OrganisationContext, email: EmailAddress, role: OrganisationRole,
                                 tokenHash: String, now: Date) async throws -> MemberInvitation {
        let row = InvitationRow()
        row.id = UUID()
        row.organisationID = context.organisationID.rawValue
        row.email = email.value
        row.role = role.rawValue
        row.tokenHash = tokenHash
        row.status = InvitationStatus.pending.rawValue
        row.invitedBy = context.userID.rawValue
        row.createdAt = now
        row.expiresAt = now.addingTimeInterval(InvitationRules.lifetime)
        try await row.create(on: database)
        return try row.domain()
    }

    public func pendingInvitations(_ context: OrganisationContext) async throws -> [MemberInvitation] {
        try await InvitationRow.query(on: database).filter(\.$organisationID == context.organisationID.rawValue)
            .filter(\.$status == InvitationStatus.pending.rawValue).sort(\.$createdAt, .descending).all().map { try $0.domain() }
    }

    public func invitation(tokenHash: String) async throws -> MemberInvitation? {
        try await InvitationRow.query(on: database).filter(\.$tokenHash == tokenHash).first()?.domain()
    }

    public func invitation(_ context: OrganisationContext, _ id: InvitationID) async throws -> MemberInvitation {
        guard let row = try await InvitationRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$organisationID == context.organisationID.rawValue).first() else { throw StoreError.notFound }
        return try row.domain()
    }

    /// Moves a pending invitation to `status`; a token answered twice finds it no longer pending.
    public func answerInvitation(_ id: InvitationID, status: InvitationStatus, now: Date) async throws {
        guard let row = try await InvitationRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$status == InvitationStatus.pending.rawValue).first() else { throw StoreError.notFound }
        row.status = status.rawValue
        row.answeredAt = now
        try await row.update(on: database)
    }

    /// R-P4: resending issues a new token and a new expiry; the old token stops working.
    public func renewInvitationToken(_ context: OrganisationContext, _ id: InvitationID, tokenHash: String, now: Date) async throws -> MemberInvitation {
        guard let row = try await InvitationRow.query(on: database).filter(\.$id == id.rawValue)
            .filter(\.$organisationID == context.organisationID.rawValue)
            .filter(\.$status == InvitationStatus.pending.rawValue).first() else { throw StoreError.notFound }
        row.tokenHash = tokenHash
        row.expiresAt = now.addingTimeInterval(InvitationRules.lifetime)
        try await row.update(on: database)
        return try row.domain()
    }

    public func organisationName(_ id: OrganisationID) async throws -> String? {
        try await OrganisationRow.find(id.rawValue, on: database)?.name
    }
}

extension InvitationRow {
    func domain() throws -> MemberInvitation {
        guard let id, let email = EmailAddress(email), let role = OrganisationRole(rawValue: role),
              let status = InvitationStatus(rawValue: status) else { throw StoreError.notFound }
        return MemberInvitation(id: InvitationID(id), organisationID: OrganisationID(organisationID), email: email, role: role,
                                status: status, expiresAt: expiresAt, createdAt: createdAt)
    }
}
