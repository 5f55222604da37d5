import PartnerCore
import Testing
@testable import PartnerWeb

@Suite("partnerhub quote")
struct QuoteCommandTests {
    @Test("R-B2 the seed's example prints each step ending with its amount, the final price last")
    func seedExampleCHF() throws {
        let output = try Quote.render(product: "web-hosting", quantity: "35", currency: "CHF", partnerDiscount: "20", tierCount: nil)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.map { $0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces) } == ["CHF 347.20", "CHF 277.76", "CHF 208.32", "CHF 208.32"])
        #expect(lines.last!.hasPrefix("Final price"))
    }

    @Test("R-B2 the seed's example in euros")
    func seedExampleEUR() throws {
        let output = try Quote.render(product: "web-hosting", quantity: "35", currency: "eur", partnerDiscount: "20", tierCount: nil)
        #expect(output.hasSuffix("Final price: EUR 120.75"))
        #expect(output.contains("EUR 201.25") && output.contains("EUR 161.00"))
    }

    @Test("R-B4 the quote follows the catalogue it is given: an edited price and a category without tiers")
    func editedCatalogue() throws {
        let standard = PriceList.standard
        var entries = standard.entries
        entries[.webHosting] = PriceListEntry(category: .webHosting, period: .monthly,
                                              prices: [.chf: Money(minorUnits: 1000, currency: .chf), .eur: Money(minorUnits: 600, currency: .eur)], tiered: true)
        let edited = PriceList(version: 2, entries: entries, tiers: standard.tiers, domains: standard.domains, otherDomain: standard.otherDomain)
        // 35 × 10.00 = 350.00 → −20 % 280.00 → −25 % 210.00.
        #expect(try Quote.render(product: "web-hosting", quantity: "35", currency: "CHF", partnerDiscount: "20", tierCount: nil, list: edited)
                    .hasSuffix("Final price: CHF 210.00"))
        // A VPS has no tiers: 40 × 25.00 = 1000.00 − 12.5 % = 875.00.
        #expect(try Quote.render(product: "vps", quantity: "40", currency: "CHF", partnerDiscount: "12.5", tierCount: nil)
                    .hasSuffix("Final price: CHF 875.00"))
    }

    @Test("Unknown product, bad quantity, currency or discount are one-line errors",
          arguments: [("castle", "1", "CHF", "0"), ("domain", "1", "CHF", "0"), ("web-hosting", "0", "CHF", "0"), ("web-hosting", "x", "CHF", "0"),
                      ("web-hosting", "3", "USD", "0"), ("web-hosting", "3", "CHF", "36")])
    func errors(product: String, quantity: String, currency: String, discount: String) {
        #expect(throws: Quote.QuoteError.self) {
            try Quote.render(product: product, quantity: quantity, currency: currency, partnerDiscount: discount, tierCount: nil)
        }
    }
}
