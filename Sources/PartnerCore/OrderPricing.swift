import Foundation

/// One line of an order: `quantity` new products of a category (each unit becomes one product
/// in the client organisation, R-B9), or the renewal of one product.
public struct LineRequest: Sendable, Hashable, Codable {
    public let category: ProductCategory
    public let name: String
    public let quantity: Int64
    public init(category: ProductCategory, name: String, quantity: Int64) {
        self.category = category
        self.name = name
        self.quantity = quantity
    }
}

/// A priced line with its whole explanation: list price, every discount step, the public and the
/// preferential price and the cashback they imply (R-B2, R-B3, R-B4).
public struct PricedLine: Sendable, Hashable, Codable {
    public let category: ProductCategory
    public let name: String
    public let quantity: Int64
    public let period: BillingPeriod
    /// List price of one unit for one period.
    public let unitPrice: Money
    /// R-B4: the hostings of this category billed to the payer, this order's included.
    public let tierCount: Int64
    /// How the charged amount came about, step by step, each rounded (R-B2).
    public let steps: [LinePrice.Entry]
    /// What the payer is charged for the line (net of VAT).
    public let charged: Money
    /// List, then the tier (what anyone pays).
    public let publicPrice: Money
    /// List, the partner's rate (or a domain's preferential price), then the tier.
    public let preferentialPrice: Money
    /// R-B3: public − preferential when the partner earns cashback; zero otherwise.
    public let cashback: Money

    public init(category: ProductCategory, name: String, quantity: Int64, period: BillingPeriod, unitPrice: Money, tierCount: Int64,
                steps: [LinePrice.Entry], charged: Money, publicPrice: Money, preferentialPrice: Money, cashback: Money) {
        self.category = category
        self.name = name
        self.quantity = quantity
        self.period = period
        self.unitPrice = unitPrice
        self.tierCount = tierCount
        self.steps = steps
        self.charged = charged
        self.publicPrice = publicPrice
        self.preferentialPrice = preferentialPrice
        self.cashback = cashback
    }
}

/// A whole order or renewal, priced for one payer.
public struct PricedOrder: Sendable, Hashable, Codable {
    public let currency: Currency
    public let payer: Payer
    public let benefit: PartnerBenefit
    /// The R-B3 table row that applied.
    public let row: Int
    public let catalogueVersion: Int
    public let lines: [PricedLine]
    public let net: Money
    public let cashback: Money

    public init(currency: Currency, payer: Payer, benefit: PartnerBenefit, row: Int, catalogueVersion: Int, lines: [PricedLine], net: Money, cashback: Money) {
        self.currency = currency
        self.payer = payer
        self.benefit = benefit
        self.row = row
        self.catalogueVersion = catalogueVersion
        self.lines = lines
        self.net = net
        self.cashback = cashback
    }
}

public enum OrderPricing {
    /// Prices `lines` for the payer R-B3 chose. `existingCounts` are the hostings per category
    /// already billed to that payer; the new units of all lines are added (R-B4).
    public static func price(
        _ lines: [LineRequest], currency: Currency, payer: Payer, benefit: PartnerBenefit, row: Int,
        partnerRates: PartnerRates, existingCounts: [ProductCategory: Int64], list: PriceList
    ) throws(PricingError) -> PricedOrder {
        guard !lines.isEmpty else { throw .quantityNotPositive }
        var newUnits: [ProductCategory: Int64] = [:]
        for line in lines {
            guard line.quantity > 0 else { throw .quantityNotPositive }
            newUnits[line.category, default: 0] += line.quantity
        }
        var priced: [PricedLine] = []
        var net = Money.zero(currency), cashback = Money.zero(currency)
        for line in lines {
            let tierCount = (existingCounts[line.category] ?? 0) + newUnits[line.category, default: 0]
            let p = try price(line, currency: currency, benefit: benefit, partnerRate: partnerRates.rate(line.category), tierCount: tierCount, list: list)
            do {
                net = try net.adding(p.charged)
                cashback = try cashback.adding(p.cashback)
            } catch { throw .overflow }
            priced.append(p)
        }
        return PricedOrder(currency: currency, payer: payer, benefit: benefit, row: row, catalogueVersion: list.version, lines: priced,
                           net: net, cashback: cashback)
    }

    public static func price(
        _ line: LineRequest, currency: Currency, benefit: PartnerBenefit, partnerRate: BasisPoints, tierCount: Int64, list: PriceList
    ) throws(PricingError) -> PricedLine {
        guard let entry = list.entries[line.category], let unit = entry.prices[currency] else { throw .unknownProduct(line.category.rawValue) }
        guard partnerRate <= Catalogue.maximumPartnerDiscount else { throw .partnerDiscountAboveMaximum }
        guard line.quantity > 0 else { throw .quantityNotPositive }
        do {
            if line.category == .domain {
                // Domains: a fixed preferential price per extension instead of a rate, no tiers.
                let domain = list.domainPrice(for: line.name)
                // The catalogue comes from database rows: a missing currency refuses, never traps (R-H1).
                guard let listUnit = domain.list[currency], let preferentialUnit = domain.preferential[currency] else {
                    throw PricingError.unknownProduct(line.category.rawValue)
                }
                let publicPrice = try listUnit.multiplied(by: line.quantity)
                let preferential = try preferentialUnit.multiplied(by: line.quantity)
                let steps = benefit == .discount
                    ? [LinePrice.Entry(step: .list, rate: .zero, amount: publicPrice), LinePrice.Entry(step: .preferentialPrice, rate: .zero, amount: preferential)]
                    : [LinePrice.Entry(step: .list, rate: .zero, amount: publicPrice)]
                // The last step's amount.
                let charged = benefit == .discount ? preferential : publicPrice
                return PricedLine(category: line.category, name: line.name, quantity: line.quantity, period: entry.period, unitPrice: listUnit,
                                  tierCount: 0, steps: steps, charged: charged, publicPrice: publicPrice, preferentialPrice: preferential,
                                  cashback: benefit == .cashback ? try publicPrice.subtracting(preferential) : .zero(currency))
            }
            let tier = entry.tiered ? list.tierRate(forCount: tierCount) : .zero
            let publicLine = try LinePrice(unitPrice: unit, quantity: line.quantity, partnerDiscount: .zero, tierDiscount: tier)
            let preferentialLine = try LinePrice(unitPrice: unit, quantity: line.quantity, partnerDiscount: partnerRate, tierDiscount: tier)
            // The public price's steps leave out the partner step it does not have.
            let steps = benefit == .discount ? preferentialLine.steps : publicLine.steps.filter { $0.step != .partnerDiscount }
            // The last step's amount (the filter keeps the tier step, which is last).
            let charged = benefit == .discount ? preferentialLine.final : publicLine.final
            return PricedLine(category: line.category, name: line.name, quantity: line.quantity, period: entry.period, unitPrice: unit,
                              tierCount: entry.tiered ? tierCount : 0, steps: steps, charged: charged,
                              publicPrice: publicLine.final, preferentialPrice: preferentialLine.final,
                              cashback: benefit == .cashback ? try publicLine.final.subtracting(preferentialLine.final) : .zero(currency))
        } catch let error as PricingError {
            throw error
        } catch {
            throw .overflow
        }
    }
}

/// R-B6: VAT by the payer's country, computed once on the invoice's net total, half-up.
public enum VAT {
    /// CH 8.1 %, DE 19 %, FR 20 % (DESIGN.md's choice); Liechtenstein shares Switzerland's VAT
    /// territory, so it is charged Swiss VAT too. Everyone else: 0 %, reverse charge.
    public static func rate(for country: CountryCode) -> BasisPoints {
        switch country.rawValue {
        case "CH", "LI": return BasisPoints(810)
        case "DE": return BasisPoints(1900)
        case "FR": return BasisPoints(2000)
        default: return .zero
        }
    }
}

public struct InvoiceTotals: Sendable, Hashable, Codable {
    public let net: Money
    public let vatRate: BasisPoints
    public let vat: Money
    public let total: Money
    /// No VAT charged: the recipient accounts for it (reverse charge note on the invoice).
    public let reverseCharge: Bool

    /// total = Σ line nets + VAT, VAT rounded once on the net total.
    public init(lineNets: [Money], currency: Currency, country: CountryCode) throws(MoneyError) {
        var net = Money.zero(currency)
        for line in lineNets { net = try net.adding(line) }
        let rate = VAT.rate(for: country)
        self.net = net
        self.vatRate = rate
        self.vat = try net.share(rate)
        self.total = try net.adding(vat)
        self.reverseCharge = rate == .zero
    }
}

/// R-B6: invoice numbers `YYYY-NNNNNN`, without gaps per year.
public enum InvoiceNumber {
    public static func format(year: Int, sequence: Int) -> String {
        let digits = String(sequence)
        return "\(year)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
