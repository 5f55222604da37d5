import Foundation

/// Plain domain values handed between the layers; Fluent rows never leave PartnerStore.
public struct User: Sendable, Hashable, Codable {
    public let id: UserID
    public var email: EmailAddress
    public var name: String
    public var supportCode: SupportCode
    public var language: Language?
    public let createdAt: Date
    public init(id: UserID, email: EmailAddress, name: String, supportCode: SupportCode, language: Language?, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.supportCode = supportCode
        self.language = language
        self.createdAt = createdAt
    }
}

public struct Organisation: Sendable, Hashable, Codable {
    public let id: OrganisationID
    public var name: String
    public var country: CountryCode
    public var currency: Currency
    /// R-O1: the currency can change until the first invoice.
    public var currencyFixed: Bool
    public let createdAt: Date
    /// Approved by a program admin as a partner (reseller).
    public var isPartner: Bool
    public init(id: OrganisationID, name: String, country: CountryCode, currency: Currency, currencyFixed: Bool, createdAt: Date, isPartner: Bool = false) {
        self.id = id
        self.name = name
        self.country = country
        self.currency = currency
        self.currencyFixed = currencyFixed
        self.createdAt = createdAt
        self.isPartner = isPartner
    }
}

/// Who is acting, in which organisation, with which role: the first argument of every
/// repository method on tenant data (STYLE.md "Tenancy in every signature").
public struct OrganisationContext: Sendable, Hashable {
    public let organisationID: OrganisationID
    public let userID: UserID
    public let role: OrganisationRole
    public let membershipID: MembershipID
    public init(organisationID: OrganisationID, userID: UserID, role: OrganisationRole, membershipID: MembershipID) {
        self.organisationID = organisationID
        self.userID = userID
        self.role = role
        self.membershipID = membershipID
    }
    public func may(_ action: OrganisationAction) -> Bool { RoleRules.permission(role, action) == .whole }
}

public struct Member: Sendable, Hashable, Codable {
    public let membershipID: MembershipID
    public let userID: UserID
    public let name: String
    public let email: EmailAddress
    public let role: OrganisationRole
    public let since: Date
    public init(membershipID: MembershipID, userID: UserID, name: String, email: EmailAddress, role: OrganisationRole, since: Date) {
        self.membershipID = membershipID
        self.userID = userID
        self.name = name
        self.email = email
        self.role = role
        self.since = since
    }
}

public struct MemberInvitation: Sendable, Hashable, Codable {
    public let id: InvitationID
    public let organisationID: OrganisationID
    public let email: EmailAddress
    public let role: OrganisationRole
    public let status: InvitationStatus
    public let expiresAt: Date
    public let createdAt: Date
    public init(id: InvitationID, organisationID: OrganisationID, email: EmailAddress, role: OrganisationRole,
                status: InvitationStatus, expiresAt: Date, createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.email = email
        self.role = role
        self.status = status
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

public struct StaffMember: Sendable, Hashable, Codable {
    public let id: StaffID
    public let email: EmailAddress
    public let name: String
    public let role: StaffRole
    public init(id: StaffID, email: EmailAddress, name: String, role: StaffRole) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
    }
}

public struct AccessTokenInfo: Sendable, Hashable, Codable {
    public let id: AccessTokenID
    public let name: String
    public let prefix: String
    public let createdAt: Date
    public let lastUsedAt: Date?
    /// When the token stops working by itself; nil: when revoked, or when the password changes.
    public let expiresAt: Date?
    public init(id: AccessTokenID, name: String, prefix: String, createdAt: Date, lastUsedAt: Date?, expiresAt: Date? = nil) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }
}

public struct SessionInfo: Sendable, Hashable, Codable {
    public let id: SessionID
    public let userAgent: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public init(id: SessionID, userAgent: String, createdAt: Date, lastSeenAt: Date) {
        self.id = id
        self.userAgent = userAgent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// R-O4 accounts that hold: a personal access token may end by itself after 1 to 365 days;
/// without an expiry it works until revoked — and every token ends when the password changes.
public enum AccessTokenRules {
    public static let maximumDays = 365
    /// What the console offers; the API takes any whole number of days in range.
    public static let consoleChoices = [7, 30, 90, 365]

    public static func expiry(days: Int?, now: Date, field: String = "expires_in_days") throws(ValidationErrors) -> Date? {
        guard let days else { return nil }
        guard (1...maximumDays).contains(days) else { throw ValidationErrors([FieldError(field, .invalidValue)]) }
        return now.addingTimeInterval(TimeInterval(days) * 86_400)
    }
}
