/// R-B1: money is an integer count of minor units (Rappen / cents) with a currency.
/// No floating point anywhere on a money path.
public enum Currency: String, Sendable, Hashable, Codable, CaseIterable {
    case chf = "CHF"
    case eur = "EUR"

    /// R-O1: CHF for Swiss and Liechtenstein addresses, EUR otherwise.
    public static func `default`(forCountry country: CountryCode) -> Currency {
        switch country.rawValue {
        case "CH", "LI": return .chf
        default: return .eur
        }
    }
}

public enum MoneyError: Error, Equatable, Sendable {
    case overflow
    case currencyMismatch(Currency, Currency)
}

public struct Money: Hashable, Sendable, Codable, Comparable {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Amounts of one currency compare by value. Across currencies the order is by currency first:
    /// defined, so no stored pair of amounts can stop the process (R-H1), but meaningless — the
    /// money paths compare amounts of one currency only (R-B5 refuses the mix before).
    public static func < (lhs: Money, rhs: Money) -> Bool {
        guard lhs.currency == rhs.currency else { return lhs.currency.rawValue < rhs.currency.rawValue }
        return lhs.minorUnits < rhs.minorUnits
    }

    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: difference, currency: currency)
    }

    public func multiplied(by quantity: Int64) throws(MoneyError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: product, currency: currency)
    }

    /// The amount reduced by `rate`, rounded half-up (halves away from zero, R-B1) to the minor unit.
    public func discounted(by rate: BasisPoints) throws(MoneyError) -> Money {
        try scaled(numerator: 10_000 - Int64(rate.value), denominator: 10_000)
    }

    /// The share `rate` of the amount, rounded half-up (R-B1).
    public func share(_ rate: BasisPoints) throws(MoneyError) -> Money {
        try scaled(numerator: Int64(rate.value), denominator: 10_000)
    }

    /// minorUnits × numerator ÷ denominator, rounding halves away from zero. Uses a double-width
    /// product so no intermediate value can overflow.
    func scaled(numerator: Int64, denominator: Int64) throws(MoneyError) -> Money {
        precondition(denominator > 0)
        let negative = (minorUnits < 0) != (numerator < 0)
        let a = minorUnits.magnitude, b = numerator.magnitude, d = denominator.magnitude
        let product = a.multipliedFullWidth(by: b)
        guard product.high < d else { throw .overflow }
        let (quotient, remainder) = d.dividingFullWidth(product)
        // Half-up: round away from zero when the remainder is at least half the divisor.
        let rounded = remainder * 2 >= d ? quotient + 1 : quotient
        guard rounded <= UInt64(Int64.max) else { throw .overflow }
        let value = Int64(rounded)
        return Money(minorUnits: negative ? -value : value, currency: currency)
    }
}

/// A percentage in basis points: 2000 = 20 %, 10000 = 100 % (R-B1).
public struct BasisPoints: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: Int
    /// For the code's own constants; values from outside go through `init?(checked:)`. Held to
    /// 0 … 10,000 rather than trapped on (R-H1).
    public init(_ value: Int) {
        self.value = min(max(value, 0), 10_000)
    }
    /// For values from outside (forms, the API): nil unless 0 … 10,000.
    public init?(checked value: Int) {
        guard (0...10_000).contains(value) else { return nil }
        self.value = value
    }
    /// Whole percent, e.g. `BasisPoints(percent: 25)`.
    public init(percent: Int) { self.init(min(max(percent, 0), 100) * 100) }
    public static func < (lhs: BasisPoints, rhs: BasisPoints) -> Bool { lhs.value < rhs.value }
    public static let zero = BasisPoints(0)
    /// "20 %", "12.5 %".
    public var description: String {
        let whole = value / 100, fraction = value % 100
        if fraction == 0 { return "\(whole) %" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(whole).\(digits) %"
    }
}
