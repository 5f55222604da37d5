import Foundation
import Testing
@testable import PartnerCore

/// R-B4: who a hosting counts for is decided by today's partnerships (R-B3 for the renewal run),
/// written here as DESIGN.md's table reads: a limited grant → the client; full access in mode
/// partner → the partner; full access in mode client, or no partnership → the client.
@Suite("R-B4 who a hosting counts for")
struct TierCountRulesTests {
    let client = OrganisationID(UUID()), partner = OrganisationID(UUID()), other = OrganisationID(UUID())

    func facts(_ full: (OrganisationID, PaymentMode)?, limited: Bool = false, count: Int64 = 1, category: ProductCategory = .mailHosting,
               client: OrganisationID? = nil) -> TierCount.Facts {
        TierCount.Facts(client: client ?? self.client, category: category, fullPartner: full?.0, fullPaymentMode: full?.1, grantedToLimited: limited, count: count)
    }

    @Test("R-B4 each kind of partnership decides who a hosting counts for")
    func payerPerPartnership() {
        let table: [(TierCount.Facts, OrganisationID)] = [
            (facts(nil), client),
            (facts((partner, .client)), client),
            (facts((partner, .partner)), partner),
            (facts(nil, limited: true), client),
            // A granted product is managed by the limited partner: the client pays it.
            (facts((partner, .partner), limited: true), client),
        ]
        for (f, expected) in table { #expect(TierCount.payer(of: f) == expected, "\(f)") }
    }

    @Test("R-B4 a payer's count sums its own hostings and those its full partnerships in mode partner make it pay, per category")
    func countsSum() {
        let all = [
            facts((partner, .partner), count: 7),
            facts((partner, .partner), count: 2, category: .webHosting),
            facts(nil, count: 3, client: partner),
            facts((partner, .client), count: 5, client: other),
            facts((other, .partner), count: 4, client: OrganisationID(UUID())),
        ]
        #expect(TierCount.counts(for: partner, all) == [.mailHosting: 10, .webHosting: 2])
        #expect(TierCount.counts(for: client, all) == [:])
        #expect(TierCount.counts(for: other, all) == [.mailHosting: 9])
    }
}
