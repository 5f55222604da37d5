import Foundation

/// R-B9: the product categories a client organisation holds.
public enum ProductCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case webHosting = "web-hosting"
    case mailHosting = "mail-hosting"
    case domain
    case swissBackup = "swiss-backup"
    case kDrive = "kdrive"
    case premiumSupport = "premium-support"
    case vps
}

public struct Product: Sendable, Hashable, Codable {
    public let id: ProductID
    public let organisationID: OrganisationID
    public let category: ProductCategory
    public let name: String
    public let status: String
    public let createdAt: Date
    public init(id: ProductID, organisationID: OrganisationID, category: ProductCategory, name: String, status: String, createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.category = category
        self.name = name
        self.status = status
        self.createdAt = createdAt
    }
}
