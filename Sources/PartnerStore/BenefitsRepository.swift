import FluentKit
import Foundation
import PartnerCore

/// R-X2: the premium theme licence a partner may request.
public struct ThemeRequest: Sendable, Hashable {
    public let id: UUID
    public let organisationID: OrganisationID
    public let requestedAt: Date
    public let fulfilledAt: Date?
    public let licenceKey: String?
}

extension Store {
    /// The organisation's latest request, if any.
    public func themeRequest(_ organisation: OrganisationID) async throws -> ThemeRequest? {
        try await ThemeRequestRow.query(on: database).filter(\.$organisationID == organisation.rawValue).sort(\.$requestedAt, .descending).first()?.domain()
    }

    public func openThemeRequests() async throws -> [ThemeRequest] {
        try await ThemeRequestRow.query(on: database).filter(\.$fulfilledAt == nil).sort(\.$requestedAt).all().map { try $0.domain() }
    }

    public func requestTheme(_ organisation: OrganisationID, by user: UserID, now: Date) async throws -> ThemeRequest {
        let row = ThemeRequestRow()
        row.id = UUID()
        row.organisationID = organisation.rawValue
        row.requestedBy = user.rawValue
        row.requestedAt = now
        try await row.create(on: database)
        return try row.domain()
    }

    /// Fulfils an open request once; a second fulfilment finds it closed.
    public func fulfilTheme(_ id: UUID, licenceKey: String, staff: StaffID, now: Date) async throws -> ThemeRequest {
        guard let row = try await ThemeRequestRow.query(on: database).filter(\.$id == id).filter(\.$fulfilledAt == nil).first() else { throw StoreError.notFound }
        row.fulfilledAt = now
        row.fulfilledBy = staff.rawValue
        row.licenceKey = licenceKey
        try await row.update(on: database)
        return try row.domain()
    }
}

extension ThemeRequestRow {
    func domain() throws -> ThemeRequest {
        ThemeRequest(id: try requireID(), organisationID: OrganisationID(organisationID), requestedAt: requestedAt, fulfilledAt: fulfilledAt, licenceKey: licenceKey)
    }
}
