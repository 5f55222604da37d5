import Testing
@testable import PartnerCore

@Suite("R-B1 money")
struct MoneyTests {
    static let roundingCases: [(Int64, Int, Int64)] = [
        // (minor units, discount in basis points, expected minor units after the discount)
        (34720, 2000, 27776),   // 347.20 − 20 % = 277.76 exactly
        (27776, 2500, 20832),   // 277.76 − 25 % = 208.32 exactly
        (35712, 2000, 28570),   // 357.12 × 0.8 = 285.696 → 285.70
        (28570, 2500, 21428),   // 285.70 × 0.75 = 214.275 → half-up 214.28
        (5, 5000, 3),           // 2.5 → 3 (half-up)
        (-5, 5000, -3),         // −2.5 → −3 (away from zero, R-B1)
        (1, 5000, 1),           // 0.5 → 1
        (1, 5001, 0),           // 0.4999 → 0
        (0, 3500, 0),
        (100, 0, 100),
        (100, 10_000, 0),
    ]

    @Test("R-B1 discounts round half-up, halves away from zero", arguments: roundingCases)
    func discountRounding(units: Int64, rate: Int, expected: Int64) throws {
        let money = Money(minorUnits: units, currency: .chf)
        #expect(try money.discounted(by: BasisPoints(rate)).minorUnits == expected)
    }

    @Test("R-B1 a negative amount mirrors the positive one (credit notes mirror invoices)")
    func negativeMirrorsPositive() throws {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let units = Int64.random(in: 0...10_000_000, using: &generator)
            let rate = BasisPoints(Int.random(in: 0...10_000, using: &generator))
            let positive = try Money(minorUnits: units, currency: .eur).discounted(by: rate)
            let negative = try Money(minorUnits: -units, currency: .eur).discounted(by: rate)
            #expect(negative.minorUnits == -positive.minorUnits)
        }
    }

    @Test("R-B1 huge amounts report overflow instead of wrapping")
    func overflowIsReported() {
        let huge = Money(minorUnits: .max / 2, currency: .chf)
        #expect(throws: MoneyError.overflow) { try huge.multiplied(by: 3) }
        #expect(throws: MoneyError.overflow) { try huge.adding(huge).adding(huge) }
    }

    @Test("R-B1 amounts of different currencies do not add")
    func currenciesDoNotMix() {
        #expect(throws: MoneyError.currencyMismatch(.chf, .eur)) {
            try Money(minorUnits: 1, currency: .chf).adding(Money(minorUnits: 1, currency: .eur))
        }
    }

    static let displayCases: [(Int64, Currency, Language, String)] = [
        (123450, .chf, .de, "CHF 1'234.50"),
        (123450, .eur, .de, "EUR 1.234,50"),
        (123450, .chf, .en, "CHF 1,234.50"),
        (123450, .eur, .en, "€1,234.50"),
        (123450, .eur, .fr, "1\u{202F}234,50\u{A0}€"),
        (123450, .chf, .fr, "1\u{202F}234,50\u{A0}CHF"),
        (5, .chf, .de, "CHF 0.05"),
        (-123456789, .chf, .de, "CHF -1'234'567.89"),
        (-150, .eur, .en, "-€1.50"),
        (100000000, .eur, .de, "EUR 1.000.000,00"),
    ]

    @Test("Money is shown per language with the currency visible", arguments: displayCases)
    func display(units: Int64, currency: Currency, language: Language, expected: String) {
        #expect(MoneyFormat.display(Money(minorUnits: units, currency: currency), language: language) == expected)
    }

    @Test("The plain machine form is `CHF 347.20`")
    func plain() {
        #expect(MoneyFormat.plain(Money(minorUnits: 34720, currency: .chf)) == "CHF 347.20")
        #expect(MoneyFormat.plain(Money(minorUnits: 12075, currency: .eur)) == "EUR 120.75")
        #expect(MoneyFormat.plain(Money(minorUnits: -7, currency: .eur)) == "EUR -0.07")
        #expect(MoneyFormat.plain(Money(minorUnits: 123456, currency: .chf)) == "CHF 1234.56")
    }

    @Test("Amounts parse from decimal text without floating point",
          arguments: [("347.20", Int64(34720)), ("347.2", 34720), ("347", 34700), ("0.05", 5)])
    func parse(text: String, expected: Int64) {
        #expect(MoneyFormat.parseAmount(text) == expected)
    }

    @Test("Malformed amounts are refused", arguments: ["", "1.234", "1,5", "-3", "1e3", ".5", "abc", "12."])
    func parseRefuses(text: String) {
        #expect(MoneyFormat.parseAmount(text) == nil)
    }

    @Test("Basis points print as percent")
    func basisPointsDescription() {
        #expect(BasisPoints(2000).description == "20 %")
        #expect(BasisPoints(1250).description == "12.5 %")
        #expect(BasisPoints(1205).description == "12.05 %")
    }

    @Test("R-O1 CHF for Swiss and Liechtenstein addresses, EUR otherwise",
          arguments: [("CH", Currency.chf), ("LI", .chf), ("FR", .eur), ("DE", .eur), ("US", .eur)])
    func defaultCurrency(country: String, expected: Currency) {
        #expect(Currency.default(forCountry: CountryCode(country)!) == expected)
    }
}

/// A small seeded generator so property loops are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
