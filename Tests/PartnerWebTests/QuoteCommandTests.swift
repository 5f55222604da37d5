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

    @Test("Unknown product, bad quantity, currency or discount are one-line errors",
          arguments: [("vps", "1", "CHF", "0"), ("web-hosting", "0", "CHF", "0"), ("web-hosting", "x", "CHF", "0"),
                      ("web-hosting", "3", "USD", "0"), ("web-hosting", "3", "CHF", "36")])
    func errors(product: String, quantity: String, currency: String, discount: String) {
        #expect(throws: Quote.QuoteError.self) {
            try Quote.render(product: product, quantity: quantity, currency: currency, partnerDiscount: discount, tierCount: nil)
        }
    }
}
