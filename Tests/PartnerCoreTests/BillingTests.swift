import Foundation
import Testing
@testable import PartnerCore

/// Order pricing (R-B2, R-B3, R-B4), VAT and invoice totals (R-B6), the ledger (R-B5).
/// Every expected amount below was worked out by hand from the rule, not read off the program.
@Suite("R-B3/R-B4 order pricing")
struct OrderPricingTests {
    let list = PriceList.standard
    let twenty = PartnerRates([.webHosting: BasisPoints(percent: 20), .mailHosting: BasisPoints(percent: 20), .vps: BasisPoints(percent: 10)])

    func web(_ n: Int64) -> LineRequest { LineRequest(category: .webHosting, name: "Web hosting", quantity: n) }

    struct Row: Sendable, CustomTestStringConvertible {
        let quantity: Int64, currency: Currency, benefit: PartnerBenefit
        let charged: Int64, cashback: Int64
        var testDescription: String { "\(quantity) × \(currency.rawValue) \(benefit.rawValue)" }
    }

    // Public price = list then tier (35 → −25 %); preferential = list, −20 %, then the tier.
    // 35 × 9.92 = 347.20 → public 260.40, preferential 208.32 → cashback 52.08.
    // 35 × 5.75 = 201.25 → public 150.9375 ≈ 150.94, preferential 120.75 → cashback 30.19.
    // 36 × 9.92 = 357.12 → public 267.84, preferential 214.28 → cashback 53.56.
    static let rows = [
        Row(quantity: 35, currency: .chf, benefit: .discount, charged: 20832, cashback: 0),
        Row(quantity: 35, currency: .chf, benefit: .cashback, charged: 26040, cashback: 5208),
        Row(quantity: 35, currency: .chf, benefit: .none, charged: 26040, cashback: 0),
        Row(quantity: 35, currency: .eur, benefit: .discount, charged: 12075, cashback: 0),
        Row(quantity: 35, currency: .eur, benefit: .cashback, charged: 15094, cashback: 3019),
        Row(quantity: 36, currency: .chf, benefit: .discount, charged: 21428, cashback: 0),
        Row(quantity: 36, currency: .chf, benefit: .cashback, charged: 26784, cashback: 5356),
    ]

    @Test("R-B3 charged amount and cashback per benefit", arguments: rows)
    func row(_ r: Row) throws {
        let order = try OrderPricing.price([web(r.quantity)], currency: r.currency, payer: .client, benefit: r.benefit, row: 2,
                                           partnerRates: twenty, existingCounts: [:], list: list)
        #expect(order.net.minorUnits == r.charged)
        #expect(order.cashback.minorUnits == r.cashback)
        #expect(order.lines[0].charged.currency == r.currency)
    }

    @Test("R-B2 a discount line keeps list, partner and tier steps; a public line only list and tier")
    func steps() throws {
        let discount = try OrderPricing.price(web(35), currency: .chf, benefit: .discount, partnerRate: BasisPoints(percent: 20), tierCount: 35, list: list)
        #expect(discount.steps.map(\.step) == [.list, .partnerDiscount, .tierDiscount])
        #expect(discount.steps.map(\.amount.minorUnits) == [34720, 27776, 20832])
        let cashback = try OrderPricing.price(web(35), currency: .chf, benefit: .cashback, partnerRate: BasisPoints(percent: 20), tierCount: 35, list: list)
        #expect(cashback.steps.map(\.step) == [.list, .tierDiscount])
        #expect(cashback.steps.map(\.amount.minorUnits) == [34720, 26040])
        #expect(cashback.preferentialPrice.minorUnits == 20832)
    }

    @Test("R-B4 the tier counts the payer's existing hostings of the category plus every new one")
    func tierCounting() throws {
        // 30 + 5 = 35 → −25 %: 5 × 9.92 = 49.60 → 37.20.  29 + 5 = 34 → −15 %: 42.16.
        let at35 = try OrderPricing.price([web(5)], currency: .chf, payer: .client, benefit: .none, row: 1, partnerRates: twenty,
                                          existingCounts: [.webHosting: 30], list: list)
        #expect(at35.net.minorUnits == 3720 && at35.lines[0].tierCount == 35)
        let at34 = try OrderPricing.price([web(5)], currency: .chf, payer: .client, benefit: .none, row: 1, partnerRates: twenty,
                                          existingCounts: [.webHosting: 29], list: list)
        #expect(at34.net.minorUnits == 4216)
        // Two lines of one category share the count: 3 + 2 = 5 → −5 %: 29.76 → 28.272 ≈ 28.27; 19.84 → 18.848 ≈ 18.85.
        let split = try OrderPricing.price([web(3), web(2)], currency: .chf, payer: .client, benefit: .none, row: 1, partnerRates: twenty,
                                           existingCounts: [.mailHosting: 100], list: list)
        #expect(split.lines.map(\.charged.minorUnits) == [2827, 1885])
        #expect(split.net.minorUnits == 4712)
    }

    @Test("R-B4 categories without tiers ignore the count")
    func untiered() throws {
        let vps = try OrderPricing.price([LineRequest(category: .vps, name: "VPS", quantity: 1)], currency: .chf, payer: .partner, benefit: .discount,
                                         row: 5, partnerRates: twenty, existingCounts: [.vps: 40], list: list)
        // 25.00 − 10 % = 22.50, no tier.
        #expect(vps.net.minorUnits == 2250 && vps.lines[0].tierCount == 0)
    }

    @Test("R-B4 domains use the extension's preferential price; unknown extensions have none")
    func domains() throws {
        let ch = LineRequest(category: .domain, name: "EXAMPLE.CH", quantity: 1)
        let cashback = try OrderPricing.price(ch, currency: .chf, benefit: .cashback, partnerRate: .zero, tierCount: 0, list: list)
        #expect(cashback.charged.minorUnits == 1200 && cashback.cashback.minorUnits == 300)
        let discount = try OrderPricing.price(ch, currency: .chf, benefit: .discount, partnerRate: .zero, tierCount: 0, list: list)
        #expect(discount.charged.minorUnits == 900 && discount.steps.map(\.step) == [.list, .preferentialPrice])
        let io = try OrderPricing.price(LineRequest(category: .domain, name: "shop.io", quantity: 1), currency: .eur, benefit: .cashback,
                                        partnerRate: .zero, tierCount: 0, list: list)
        #expect(io.charged.minorUnits == 1800 && io.cashback.minorUnits == 0)
    }

    @Test("Bad lines are refused: none, zero quantity, a rate above 35 %")
    func refusals() {
        #expect(throws: PricingError.quantityNotPositive) {
            try OrderPricing.price([], currency: .chf, payer: .client, benefit: .none, row: 1, partnerRates: twenty, existingCounts: [:], list: list)
        }
        #expect(throws: PricingError.quantityNotPositive) {
            try OrderPricing.price([web(0)], currency: .chf, payer: .client, benefit: .none, row: 1, partnerRates: twenty, existingCounts: [:], list: list)
        }
        #expect(throws: PricingError.partnerDiscountAboveMaximum) {
            try OrderPricing.price(web(1), currency: .chf, benefit: .discount, partnerRate: BasisPoints(3501), tierCount: 1, list: list)
        }
        #expect(PartnerRates.validate(BasisPoints(3501)) == .rateAboveMaximum)
        #expect(PartnerRates.validate(BasisPoints(3500)) == nil)
    }

    @Test("Catalogue edits are checked: ascending tiers, preferential ≤ list, both currencies")
    func catalogueValidation() {
        #expect(PriceList.validate(tiers: [Tier(from: 10, rate: BasisPoints(1000)), Tier(from: 5, rate: BasisPoints(2000))]) == .tiersNotAscending)
        #expect(PriceList.validate(tiers: Catalogue.hostingTiers) == nil)
        let expensive = DomainPrice(extensionName: "ch", list: [.chf: Money(minorUnits: 100, currency: .chf), .eur: Money(minorUnits: 100, currency: .eur)],
                                    preferential: [.chf: Money(minorUnits: 101, currency: .chf), .eur: Money(minorUnits: 90, currency: .eur)])
        #expect(PriceList.validate(domain: expensive) == .preferentialAboveList)
        #expect(PriceList.validate(entry: PriceListEntry(category: .vps, period: .monthly, prices: [.chf: Money(minorUnits: 1, currency: .chf)], tiered: false)) == .missingCurrency)
    }
}

@Suite("R-B6 VAT and invoice totals")
struct InvoiceTotalsTests {
    func money(_ v: Int64, _ c: Currency) -> Money { Money(minorUnits: v, currency: c) }

    struct Case: Sendable, CustomTestStringConvertible {
        let country: String, net: Int64, currency: Currency, rate: Int, vat: Int64, total: Int64, reverse: Bool
        var testDescription: String { "\(country) \(net)" }
    }

    // 208.32 × 8.1 % = 16.87392 → 16.87; 120.75 × 19 % = 22.9425 → 22.94; × 20 % = 24.15;
    // 1.50 × 19 % = 0.285 → 0.29 (half-up, not to even).
    static let cases = [
        Case(country: "CH", net: 20832, currency: .chf, rate: 810, vat: 1687, total: 22519, reverse: false),
        Case(country: "LI", net: 20832, currency: .chf, rate: 810, vat: 1687, total: 22519, reverse: false),
        Case(country: "DE", net: 12075, currency: .eur, rate: 1900, vat: 2294, total: 14369, reverse: false),
        Case(country: "FR", net: 12075, currency: .eur, rate: 2000, vat: 2415, total: 14490, reverse: false),
        Case(country: "DE", net: 150, currency: .eur, rate: 1900, vat: 29, total: 179, reverse: false),
        Case(country: "IT", net: 12075, currency: .eur, rate: 0, vat: 0, total: 12075, reverse: true),
    ]

    @Test("R-B6 VAT by the payer's country, once on the net total, half-up", arguments: cases)
    func vat(_ c: Case) throws {
        let totals = try InvoiceTotals(lineNets: [money(c.net, c.currency)], currency: c.currency, country: CountryCode(c.country)!)
        #expect(totals.vatRate == BasisPoints(c.rate) && totals.vat.minorUnits == c.vat && totals.total.minorUnits == c.total)
        #expect(totals.reverseCharge == c.reverse)
    }

    @Test("R-B6 VAT is rounded once on the total, not per line")
    func onceOnTotal() throws {
        // Three lines of 0.50 at 19 %: per line 0.095 → 0.10 each (0.30); on the total 1.50 → 0.285 → 0.29.
        let totals = try InvoiceTotals(lineNets: Array(repeating: money(50, .eur), count: 3), currency: .eur, country: CountryCode("DE")!)
        #expect(totals.net.minorUnits == 150 && totals.vat.minorUnits == 29 && totals.total.minorUnits == 179)
    }

    @Test("R-B6 invoice numbers are YYYY-NNNNNN")
    func numbers() {
        #expect(InvoiceNumber.format(year: 2026, sequence: 1) == "2026-000001")
        #expect(InvoiceNumber.format(year: 2027, sequence: 123456) == "2027-123456")
    }
}

@Suite("R-B5 prepaid ledger")
struct LedgerTests {
    func chf(_ v: Int64) -> Money { Money(minorUnits: v, currency: .chf) }

    @Test("R-B5 a payment the balance cannot cover is refused; exactly the balance is fine")
    func neverBelowZero() throws {
        #expect(throws: LedgerError.insufficientFunds(balance: chf(1000))) { try Ledger.apply(.payment, chf(1001), to: chf(1000)) }
        #expect(try Ledger.apply(.payment, chf(1000), to: chf(1000)) == chf(0))
    }

    @Test("R-B5 credits add, payments subtract; the balance is the sum")
    func sum() throws {
        // 50.00 − 20.25 + 3.10 + 1.00 = 33.85
        let balance = try Ledger.balance(of: [(.topUp, chf(5000)), (.payment, chf(2025)), (.cashback, chf(310)), (.refund, chf(100))], currency: .chf)
        #expect(balance == chf(3385))
    }

    @Test("R-B5 other currencies and non-positive amounts are refused")
    func refusals() {
        #expect(throws: LedgerError.currencyMismatch) { try Ledger.apply(.cashback, Money(minorUnits: 5, currency: .eur), to: chf(0)) }
        #expect(throws: LedgerError.notPositive) { try Ledger.apply(.topUp, chf(0), to: chf(0)) }
        #expect(throws: LedgerError.notPositive) { try Ledger.apply(.topUp, chf(-5), to: chf(0)) }
    }
}

@Suite("R-B8 billing periods")
struct BillingPeriodTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text + "T00:00:00Z")! }

    @Test("R-B8 a month after the 31st is the month's last day; a year after 29 February is 28 February")
    func ends() {
        #expect(BillingPeriod.monthly.end(startingAt: date("2027-01-31")) == date("2027-02-28"))
        #expect(BillingPeriod.monthly.end(startingAt: date("2028-01-31")) == date("2028-02-29"))
        #expect(BillingPeriod.yearly.end(startingAt: date("2028-02-29")) == date("2029-02-28"))
        #expect(BillingPeriod.monthly.end(startingAt: date("2026-12-15")) == date("2027-01-15"))
    }
}

@Suite("Billing properties over random orders")
struct BillingPropertyTests {
    static let countries = ["CH", "LI", "DE", "FR", "IT", "AT", "US"]
    static let extensions = ["ch", "li", "com", "net", "org", "eu", "fr", "de", "io", "shop"]

    func randomLine(_ g: inout SplitMix64) -> LineRequest {
        let category = ProductCategory.allCases.randomElement(using: &g)!
        let name = category == .domain ? "site\(Int.random(in: 1...999, using: &g)).\(Self.extensions.randomElement(using: &g)!)" : "Product"
        return LineRequest(category: category, name: name, quantity: Int64.random(in: 1...60, using: &g))
    }

    @Test("R-B3 property: on every line cashback = public − preferential (cashback rows) or 0; the charged amount is the public or the preferential price")
    func cashbackIsTheDifference() throws {
        var g = SplitMix64(seed: 4)
        for _ in 0..<3000 {
            let lines = (0..<Int.random(in: 1...4, using: &g)).map { _ in randomLine(&g) }
            let benefit = [PartnerBenefit.none, .cashback, .discount].randomElement(using: &g)!
            let rates = PartnerRates(Dictionary(uniqueKeysWithValues: ProductCategory.allCases.map { ($0, BasisPoints(Int.random(in: 0...3500, using: &g))) }))
            let counts = Dictionary(uniqueKeysWithValues: ProductCategory.allCases.map { ($0, Int64.random(in: 0...100, using: &g)) })
            let order = try OrderPricing.price(lines, currency: Currency.allCases.randomElement(using: &g)!, payer: .client, benefit: benefit, row: 2,
                                               partnerRates: rates, existingCounts: counts, list: .standard)
            var net: Int64 = 0, cashback: Int64 = 0
            for line in order.lines {
                #expect(line.preferentialPrice <= line.publicPrice)
                #expect(line.cashback.minorUnits == (benefit == .cashback ? line.publicPrice.minorUnits - line.preferentialPrice.minorUnits : 0))
                #expect(line.charged == (benefit == .discount ? line.preferentialPrice : line.publicPrice))
                net += line.charged.minorUnits
                cashback += line.cashback.minorUnits
            }
            #expect(order.net.minorUnits == net && order.cashback.minorUnits == cashback)
        }
    }

    @Test("R-B6 property: Σ line nets + VAT = total, and a credit note of the same lines mirrors every amount to the cent")
    func invoicesAddUpAndMirror() throws {
        var g = SplitMix64(seed: 6)
        for _ in 0..<3000 {
            let currency = Currency.allCases.randomElement(using: &g)!
            let nets = (0..<Int.random(in: 1...6, using: &g)).map { _ in Money(minorUnits: Int64.random(in: 0...5_000_000, using: &g), currency: currency) }
            let country = CountryCode(Self.countries.randomElement(using: &g)!)!
            let invoice = try InvoiceTotals(lineNets: nets, currency: currency, country: country)
            #expect(invoice.net.minorUnits == nets.reduce(0) { $0 + $1.minorUnits })
            #expect(invoice.total.minorUnits == invoice.net.minorUnits + invoice.vat.minorUnits)
            let credit = try InvoiceTotals(lineNets: nets.map { Money(minorUnits: -$0.minorUnits, currency: currency) }, currency: currency, country: country)
            #expect(credit.net.minorUnits == -invoice.net.minorUnits)
            #expect(credit.vat.minorUnits == -invoice.vat.minorUnits)
            #expect(credit.total.minorUnits == -invoice.total.minorUnits)
        }
    }

    @Test("R-B5 property: whatever is attempted, every accepted entry leaves a balance ≥ 0 and the balance is the sum of the entries")
    func walletNeverNegative() throws {
        var g = SplitMix64(seed: 5)
        for _ in 0..<500 {
            var balance = Money.zero(.chf)
            var accepted: [(LedgerKind, Money)] = []
            for _ in 0..<40 {
                let kind = LedgerKind.allCases.randomElement(using: &g)!
                let amount = Money(minorUnits: Int64.random(in: 1...20_000, using: &g), currency: .chf)
                if let next = try? Ledger.apply(kind, amount, to: balance) {
                    #expect(next.minorUnits >= 0)
                    balance = next
                    accepted.append((kind, amount))
                } else {
                    #expect(!kind.isCredit && amount > balance)
                }
            }
            #expect(try Ledger.balance(of: accepted, currency: .chf) == balance)
            #expect(balance.minorUnits == accepted.reduce(0) { $0 + ($1.0.isCredit ? $1.1.minorUnits : -$1.1.minorUnits) })
        }
    }
}

@Suite("R-B5 what a wallet may be topped up in")
struct WalletCurrencyTests {
    @Test("A top-up is money only in a currency the organisation pays in: its own, or a managed client's",
          arguments: [
              (Currency.chf, Currency.chf, [Currency](), true),
              (.eur, .chf, [], false),  // EUR into a CHF organisation with no EUR client: nothing could spend it
              (.eur, .chf, [.chf, .chf], false),
              (.eur, .chf, [.chf, .eur], true),  // a CHF partner managing an EUR client pays for it in EUR
              (.chf, .eur, [.chf], true),
              (.eur, .eur, [.chf], true),
          ] as [(Currency, Currency, [Currency], Bool)])
    func topUp(currency: Currency, own: Currency, clients: [Currency], allowed: Bool) {
        #expect(WalletRules.mayTopUp(currency, own: own, managedClients: clients) == allowed)
    }
}
