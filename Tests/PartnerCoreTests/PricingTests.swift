import Testing
@testable import PartnerCore

@Suite("R-B2 line price")
struct PricingTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let quantity: Int64
        let currency: Currency
        let list: Int64, afterPartner: Int64, afterTier: Int64
        var testDescription: String { "\(quantity) × \(currency.rawValue)" }
    }

    // The three vectors of DESIGN.md R-B2 (the first two are the seed's example).
    static let vectors = [
        Vector(quantity: 35, currency: .chf, list: 34720, afterPartner: 27776, afterTier: 20832),
        Vector(quantity: 35, currency: .eur, list: 20125, afterPartner: 16100, afterTier: 12075),
        Vector(quantity: 36, currency: .chf, list: 35712, afterPartner: 28570, afterTier: 21428),
    ]

    @Test("R-B2 vectors come out exactly at every step", arguments: vectors)
    func vector(_ v: Vector) throws {
        let price = try Catalogue.quote(product: "web-hosting", quantity: v.quantity, currency: v.currency,
                                        partnerDiscount: BasisPoints(percent: 20))
        #expect(price.steps.map(\.step) == [.list, .partnerDiscount, .tierDiscount])
        #expect(price.steps.map(\.amount.minorUnits) == [v.list, v.afterPartner, v.afterTier])
        #expect(price.steps.allSatisfy { $0.amount.currency == v.currency })
        #expect(price.steps[1].rate == BasisPoints(2000))
        #expect(price.steps[2].rate == BasisPoints(2500))
        #expect(price.final.minorUnits == v.afterTier)
    }

    @Test("R-B2 rounding once at the end would give 214.27; step-wise rounding gives 214.28")
    func stepwiseRoundingDiffersFromOnce() throws {
        // 357.12 × 0.8 × 0.75 = 214.272 → 214.27 if rounded once; the rule rounds each step.
        let price = try Catalogue.quote(product: "web-hosting", quantity: 36, currency: .chf, partnerDiscount: BasisPoints(percent: 20))
        #expect(price.final.minorUnits == 21428)
    }

    @Test("R-B4 tier table for hostings (lower tiers are our choice)",
          arguments: [(Int64(1), 0), (4, 0), (5, 500), (9, 500), (10, 1000), (19, 1000), (20, 1500), (34, 1500), (35, 2500), (500, 2500)])
    func tiers(count: Int64, rate: Int) {
        #expect(Catalogue.product("web-hosting")!.tierRate(forCount: count) == BasisPoints(rate))
    }

    @Test("R-B4 the tier counts every hosting billed to the payer, not only this line")
    func tierCountsExistingHostings() throws {
        let price = try Catalogue.quote(product: "web-hosting", quantity: 1, currency: .chf,
                                        partnerDiscount: .zero, tierCount: 35)
        #expect(price.steps.map(\.amount.minorUnits) == [992, 992, 744])
    }

    @Test("Unknown products, zero quantities and partner rates above 35 % are refused")
    func refusals() {
        #expect(throws: PricingError.unknownProduct("vps-x")) {
            try Catalogue.quote(product: "vps-x", quantity: 1, currency: .chf, partnerDiscount: .zero)
        }
        #expect(throws: PricingError.quantityNotPositive) {
            try Catalogue.quote(product: "web-hosting", quantity: 0, currency: .chf, partnerDiscount: .zero)
        }
        #expect(throws: PricingError.partnerDiscountAboveMaximum) {
            try Catalogue.quote(product: "web-hosting", quantity: 1, currency: .chf, partnerDiscount: BasisPoints(3501))
        }
    }
}
