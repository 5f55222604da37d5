import Foundation

/// How often a product is billed (R-B8).
public enum BillingPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    case monthly, yearly

    public var months: Int { self == .monthly ? 1 : 12 }

    /// The end of the period that starts at `start` (calendar months in UTC; the 31st of a
    /// month renews on the last day of shorter months).
    public func end(startingAt start: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        // Foundation answers nil only for dates outside the calendar's range (never a stored
        // renewal date); then the period is counted as 31 or 366 days rather than trapping (R-H1).
        return calendar.date(byAdding: .month, value: months, to: start)
            ?? start.addingTimeInterval(TimeInterval(self == .monthly ? 31 : 366) * 86_400)
    }
}

/// One catalogue product: list prices per currency for one billing period.
public struct PriceListEntry: Sendable, Hashable, Codable {
    public let category: ProductCategory
    public let period: BillingPeriod
    public let prices: [Currency: Money]
    /// Whether R-B4's tier table applies (web and mail hosting).
    public let tiered: Bool
    public init(category: ProductCategory, period: BillingPeriod, prices: [Currency: Money], tiered: Bool) {
        self.category = category
        self.period = period
        self.prices = prices
        self.tiered = tiered
    }
}

/// R-B4: a domain extension's yearly list price and the partners' preferential price.
public struct DomainPrice: Sendable, Hashable, Codable {
    public let extensionName: String
    public let list: [Currency: Money]
    public let preferential: [Currency: Money]
    public init(extensionName: String, list: [Currency: Money], preferential: [Currency: Money]) {
        self.extensionName = extensionName
        self.list = list
        self.preferential = preferential
    }
}

/// A catalogue price missing in one currency. Edits are validated (`PriceList.validate`), but
/// the catalogue is read from database rows, so a lookup throws this instead of trapping (R-H1).
public struct MissingPrice: Error, Equatable, Sendable, CustomStringConvertible {
    /// The category ("web_hosting") or domain extension ("ch", "*") without the price.
    public let item: String
    public let currency: Currency
    public init(item: String, currency: Currency) {
        self.item = item
        self.currency = currency
    }
    public var description: String { "the catalogue has no \(currency.rawValue) price for \(item)" }
}

extension PriceListEntry {
    /// The list price in `currency`; throws when the catalogue lacks it.
    public func price(in currency: Currency) throws(MissingPrice) -> Money {
        guard let price = prices[currency] else { throw MissingPrice(item: category.rawValue, currency: currency) }
        return price
    }
}

extension DomainPrice {
    /// The yearly list price in `currency`; throws when the catalogue lacks it.
    public func listPrice(in currency: Currency) throws(MissingPrice) -> Money {
        guard let price = list[currency] else { throw MissingPrice(item: extensionName, currency: currency) }
        return price
    }

    /// The partners' preferential price in `currency`; throws when the catalogue lacks it.
    public func preferentialPrice(in currency: Currency) throws(MissingPrice) -> Money {
        guard let price = preferential[currency] else { throw MissingPrice(item: extensionName, currency: currency) }
        return price
    }
}

public enum PriceListProblem: Error, Equatable, Sendable {
    case negativePrice
    case preferentialAboveList
    case tiersNotAscending
    case rateAboveMaximum
    case missingCurrency
}

/// The catalogue in force: a version number (bumped on every edit, kept on quotes and orders so a
/// later price change never rewrites history) and everything prices depend on.
public struct PriceList: Sendable, Hashable {
    public let version: Int
    public let entries: [ProductCategory: PriceListEntry]
    /// R-B4 tier table for tiered categories, ascending by count.
    public let tiers: [Tier]
    /// Keyed by extension without the dot, lower-case ("ch", "com").
    public let domains: [String: DomainPrice]
    /// The price of a domain whose extension has no entry of its own.
    public let otherDomain: DomainPrice

    public init(version: Int, entries: [ProductCategory: PriceListEntry], tiers: [Tier], domains: [String: DomainPrice], otherDomain: DomainPrice) {
        self.version = version
        self.entries = entries
        self.tiers = tiers
        self.domains = domains
        self.otherDomain = otherDomain
    }

    public func tierRate(forCount count: Int64) -> BasisPoints {
        tiers.last(where: { count >= $0.minimumCount })?.rate ?? .zero
    }

    /// "example.ch" → the .ch price; unknown extensions → `otherDomain`.
    public func domainPrice(for name: String) -> DomainPrice {
        let tld = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return domains[tld] ?? otherDomain
    }

    /// Checks an edit before it is stored: every price non-negative and in both currencies,
    /// preferential ≤ list, tiers ascending with rates ≤ 100 %.
    public static func validate(entry: PriceListEntry) -> PriceListProblem? {
        guard Set(entry.prices.keys) == Set(Currency.allCases) else { return .missingCurrency }
        return entry.prices.values.contains { $0.minorUnits < 0 } ? .negativePrice : nil
    }

    public static func validate(domain: DomainPrice) -> PriceListProblem? {
        guard Set(domain.list.keys) == Set(Currency.allCases), Set(domain.preferential.keys) == Set(Currency.allCases) else { return .missingCurrency }
        if domain.list.values.contains(where: { $0.minorUnits < 0 }) || domain.preferential.values.contains(where: { $0.minorUnits < 0 }) { return .negativePrice }
        for currency in Currency.allCases {
            // Both present: the guard above checked the keys.
            guard let preferential = domain.preferential[currency], let list = domain.list[currency] else { return .missingCurrency }
            // Minor units of one currency: the comparison the rule means.
            if preferential.minorUnits > list.minorUnits { return .preferentialAboveList }
        }
        return nil
    }

    public static func validate(tiers: [Tier]) -> PriceListProblem? {
        for (a, b) in zip(tiers, tiers.dropFirst()) where !(a.minimumCount < b.minimumCount && a.rate <= b.rate) { return .tiersNotAscending }
        return tiers.contains { $0.minimumCount < 1 } ? .tiersNotAscending : nil
    }

    static func chf(_ rappen: Int64) -> Money { Money(minorUnits: rappen, currency: .chf) }
    static func eur(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .eur) }
    static func prices(_ chf: Int64, _ eur: Int64) -> [Currency: Money] { [.chf: Self.chf(chf), .eur: Self.eur(eur)] }

    /// The catalogue a new installation starts with (program admins edit it). Web hosting is the
    /// seed's CHF 9.92 / EUR 5.75 a month; the other prices are our choice.
    public static let standard = PriceList(
        version: 1,
        entries: [
            .webHosting: PriceListEntry(category: .webHosting, period: .monthly, prices: prices(992, 575), tiered: true),
            .mailHosting: PriceListEntry(category: .mailHosting, period: .monthly, prices: prices(300, 275), tiered: true),
            .domain: PriceListEntry(category: .domain, period: .yearly, prices: prices(2000, 1800), tiered: false),
            .swissBackup: PriceListEntry(category: .swissBackup, period: .monthly, prices: prices(500, 450), tiered: false),
            .kDrive: PriceListEntry(category: .kDrive, period: .monthly, prices: prices(650, 600), tiered: false),
            .premiumSupport: PriceListEntry(category: .premiumSupport, period: .monthly, prices: prices(4900, 4500), tiered: false),
            .vps: PriceListEntry(category: .vps, period: .monthly, prices: prices(2500, 2300), tiered: false),
        ],
        tiers: Catalogue.hostingTiers,
        domains: Dictionary(uniqueKeysWithValues: [
            ("ch", prices(1200, 1100), prices(900, 850)), ("li", prices(1200, 1100), prices(900, 850)),
            ("com", prices(1600, 1500), prices(1250, 1150)), ("net", prices(1800, 1700), prices(1400, 1300)),
            ("org", prices(1600, 1500), prices(1250, 1150)), ("eu", prices(1000, 900), prices(750, 700)),
            ("fr", prices(1200, 1100), prices(900, 850)), ("de", prices(1000, 900), prices(750, 700)),
        ].map { ($0.0, DomainPrice(extensionName: $0.0, list: $0.1, preferential: $0.2)) }),
        otherDomain: DomainPrice(extensionName: "*", list: prices(2000, 1800), preferential: prices(2000, 1800)))
}

/// R-B4: a partner's discount rate per product category, set by a program admin, ≤ 35 %.
/// Domains have preferential prices instead of a rate.
public struct PartnerRates: Sendable, Hashable, Codable {
    public let rates: [ProductCategory: BasisPoints]
    public init(_ rates: [ProductCategory: BasisPoints]) { self.rates = rates }
    public func rate(_ category: ProductCategory) -> BasisPoints { rates[category] ?? .zero }

    /// What an approved partner starts with until an admin sets its own (choice): the seed's
    /// 20 % on hosting, 10 % on the rest.
    public static let standard = PartnerRates(Dictionary(uniqueKeysWithValues: ProductCategory.allCases.filter { $0 != .domain }.map {
        ($0, BasisPoints(percent: [.webHosting, .mailHosting].contains($0) ? 20 : 10))
    }))

    public static func validate(_ rate: BasisPoints) -> PriceListProblem? {
        rate > Catalogue.maximumPartnerDiscount ? .rateAboveMaximum : nil
    }
}

extension PriceList {
    /// R-B2 for one line of this catalogue: list price × quantity, then the partner's discount,
    /// then the tier discount (tiered categories only) counted over `tierCount` hostings (R-B4: by
    /// default the quantity). The one price path of `GET /api/v1/quote` and `partnerhub quote`,
    /// so what they show follows every edit program admins make.
    public func quote(_ category: ProductCategory, quantity: Int64, currency: Currency, partnerDiscount: BasisPoints,
                      tierCount: Int64? = nil) throws(PricingError) -> LinePrice {
        guard category != .domain, let entry = entries[category], let unit = entry.prices[currency] else { throw .unknownProduct(category.rawValue) }
        guard partnerDiscount <= Catalogue.maximumPartnerDiscount else { throw .partnerDiscountAboveMaximum }
        guard quantity > 0 else { throw .quantityNotPositive }
        return try LinePrice(unitPrice: unit, quantity: quantity, partnerDiscount: partnerDiscount,
                             tierDiscount: entry.tiered ? tierRate(forCount: tierCount ?? quantity) : .zero)
    }
}
