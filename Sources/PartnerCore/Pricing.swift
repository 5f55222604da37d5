/// R-B2: line price = list unit price × quantity, then the partner discount, then the tier
/// discount; each step rounds half-up to the minor unit and is kept. The tier rate applies to
/// every unit of the line (not in bands).
public struct LinePrice: Sendable, Hashable, Codable {
    public enum Step: String, Sendable, Hashable, Codable {
        case list
        case partnerDiscount = "partner_discount"
        case tierDiscount = "tier_discount"
        /// Domains: the partner's fixed preferential price per extension (R-B4).
        case preferentialPrice = "preferential_price"
    }

    public struct Entry: Sendable, Hashable, Codable {
        public let step: Step
        public let rate: BasisPoints
        public let amount: Money
        public init(step: Step, rate: BasisPoints, amount: Money) {
            self.step = step
            self.rate = rate
            self.amount = amount
        }
    }

    public let unitPrice: Money
    public let quantity: Int64
    public let steps: [Entry]

    public var list: Money { steps[0].amount }
    public var final: Money { steps[steps.count - 1].amount }

    public init(unitPrice: Money, quantity: Int64, partnerDiscount: BasisPoints, tierDiscount: BasisPoints) throws(PricingError) {
        guard quantity > 0 else { throw .quantityNotPositive }
        do {
            let list = try unitPrice.multiplied(by: quantity)
            let afterPartner = try list.discounted(by: partnerDiscount)
            let afterTier = try afterPartner.discounted(by: tierDiscount)
            self.unitPrice = unitPrice
            self.quantity = quantity
            self.steps = [
                Entry(step: .list, rate: .zero, amount: list),
                Entry(step: .partnerDiscount, rate: partnerDiscount, amount: afterPartner),
                Entry(step: .tierDiscount, rate: tierDiscount, amount: afterTier),
            ]
        } catch {
            throw .overflow
        }
    }
}

public enum PricingError: Error, Equatable, Sendable {
    case quantityNotPositive
    case overflow
    case unknownProduct(String)
    case partnerDiscountAboveMaximum
}

/// One step of a tier table: from `minimumCount` hostings on, `rate` off every unit.
public struct Tier: Sendable, Hashable, Codable {
    public let minimumCount: Int64
    public let rate: BasisPoints
    public init(from minimumCount: Int64, rate: BasisPoints) {
        self.minimumCount = minimumCount
        self.rate = rate
    }
}

public struct CatalogueProduct: Sendable, Hashable {
    public let slug: String
    public let listPrices: [Currency: Money]
    /// Sorted ascending by minimum count; empty for products without volume pricing.
    public let tiers: [Tier]

    /// R-B4: the tier rate for `count` hostings of this category billed to the same payer.
    public func tierRate(forCount count: Int64) -> BasisPoints {
        tiers.last(where: { count >= $0.minimumCount })?.rate ?? .zero
    }
}

/// The small catalogue the foundation needs (the full editable catalogue comes with billing).
/// Web hosting: CHF 9.92 / EUR 5.75 per month, −25 % from 35 hostings (the seed's example).
/// The lower tiers are our choice: −5 % from 5, −10 % from 10, −15 % from 20. Mail hosting uses
/// the same table (R-B4, choice).
public enum Catalogue {
    public static let hostingTiers: [Tier] = [
        Tier(from: 5, rate: BasisPoints(percent: 5)),
        Tier(from: 10, rate: BasisPoints(percent: 10)),
        Tier(from: 20, rate: BasisPoints(percent: 15)),
        Tier(from: 35, rate: BasisPoints(percent: 25)),
    ]

    public static let products: [CatalogueProduct] = [
        CatalogueProduct(
            slug: "web-hosting",
            listPrices: [.chf: Money(minorUnits: 992, currency: .chf), .eur: Money(minorUnits: 575, currency: .eur)],
            tiers: hostingTiers),
        CatalogueProduct(
            slug: "mail-hosting",
            listPrices: [.chf: Money(minorUnits: 300, currency: .chf), .eur: Money(minorUnits: 275, currency: .eur)],
            tiers: hostingTiers),
    ]

    public static func product(_ slug: String) -> CatalogueProduct? {
        products.first { $0.slug == slug }
    }

    /// R-B4: the partner rate never exceeds 35 %.
    public static let maximumPartnerDiscount = BasisPoints(percent: 35)

    /// A quote for `quantity` units; the tier is counted over `tierCount` hostings (R-B4: those
    /// already billed to the payer plus the new ones), by default the quantity itself.
    public static func quote(
        product slug: String, quantity: Int64, currency: Currency,
        partnerDiscount: BasisPoints, tierCount: Int64? = nil
    ) throws(PricingError) -> LinePrice {
        guard let product = product(slug) else { throw .unknownProduct(slug) }
        guard partnerDiscount <= maximumPartnerDiscount else { throw .partnerDiscountAboveMaximum }
        guard quantity > 0 else { throw .quantityNotPositive }
        guard let unit = product.listPrices[currency] else { throw .unknownProduct(slug) }
        return try LinePrice(
            unitPrice: unit, quantity: quantity, partnerDiscount: partnerDiscount,
            tierDiscount: product.tierRate(forCount: tierCount ?? quantity))
    }
}
