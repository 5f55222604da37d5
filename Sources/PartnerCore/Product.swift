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
    /// Set for ordered products (R-B8); products recorded without an order have none.
    public let billing: ProductBilling?
    public init(id: ProductID, organisationID: OrganisationID, category: ProductCategory, name: String, status: String, createdAt: Date,
                billing: ProductBilling? = nil) {
        self.billing = billing
        self.id = id
        self.organisationID = organisationID
        self.category = category
        self.name = name
        self.status = status
        self.createdAt = createdAt
    }

    /// R-B8: the billing of a product that still renews (active or in grace) — the one that
    /// counts for a payer's tier (R-B4), has a next due date and someone to bill; nil otherwise.
    public var renewing: ProductBilling? { ["active", "grace"].contains(status) ? billing : nil }
}

/// R-B8: how an ordered product renews.
public struct ProductBilling: Sendable, Hashable, Codable {
    public let period: BillingPeriod
    /// The end of the paid period: the renewal falls due then.
    public let renewsAt: Date
    /// Who was billed last (R-B4 counts hostings per payer).
    public let payer: OrganisationID
    /// R-B3 reading notes: an unpaid renewal keeps the product for 14 days.
    public let graceUntil: Date?
    public init(period: BillingPeriod, renewsAt: Date, payer: OrganisationID, graceUntil: Date?) {
        self.period = period
        self.renewsAt = renewsAt
        self.payer = payer
        self.graceUntil = graceUntil
    }

    public static let gracePeriod: TimeInterval = 14 * 86_400
}

/// R-B16: a renewal that could not be paid. Grace starts at the product's due date, never
/// earlier: a run that renews ahead (`--until` past today) leaves the product active until its
/// paid period ends; the 14 days count from the due date.
public enum UnpaidRenewal {
    public struct Outcome: Sendable, Hashable {
        public let graceUntil: Date
        /// `grace` once the due date has come, `active` until then.
        public let status: String
    }

    public static func outcome(dueAt: Date, now: Date) -> Outcome {
        Outcome(graceUntil: dueAt.addingTimeInterval(ProductBilling.gracePeriod), status: now >= dueAt ? "grace" : "active")
    }
}
