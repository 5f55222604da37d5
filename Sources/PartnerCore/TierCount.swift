/// R-B4: the tier count of a payer is the number of its hostings per category — the products
/// that would be billed to it *now*, by today's partnerships (R-B3), not by who paid their last
/// period. When a partnership's access or payment mode changes, or it ends, products change
/// sides at once; identical products priced together therefore all see one count, whatever
/// order they are processed in, and a quote agrees with the renewal run at the same moment.
public enum TierCount {
    /// What R-B3 needs to know about a group of products of one client: the client's active,
    /// unexpired partnership with full access (at most one, R-P1), and whether the products are
    /// granted to an active limited partnership (which manages them, R-P10 a).
    public struct Facts: Sendable, Hashable {
        public let client: OrganisationID
        public let category: ProductCategory
        public let fullPartner: OrganisationID?
        public let fullPaymentMode: PaymentMode?
        public let grantedToLimited: Bool
        /// Active or in grace (suspended and ended products count for nobody).
        public let count: Int64

        public init(client: OrganisationID, category: ProductCategory, fullPartner: OrganisationID?, fullPaymentMode: PaymentMode?,
                    grantedToLimited: Bool, count: Int64) {
            self.client = client
            self.category = category
            self.fullPartner = fullPartner
            self.fullPaymentMode = fullPaymentMode
            self.grantedToLimited = grantedToLimited
            self.count = count
        }
    }

    /// Who the renewal run would bill these products to now: the R-B3 table asked for the run,
    /// on the partnership that governs them (a limited grant is the more specific one).
    public static func payer(of facts: Facts) -> OrganisationID {
        let terms: PartnershipTerms?
        if facts.grantedToLimited {
            terms = PartnershipTerms(state: .active, access: .limited, paymentMode: .client)
        } else if let mode = facts.fullPaymentMode, facts.fullPartner != nil {
            terms = PartnershipTerms(state: .active, access: .full, paymentMode: mode)
        } else {
            terms = nil
        }
        let answer = BillingRules.decide(BillingQuestion(partnership: terms, party: .renewalRun, kind: .renewal, partnerManagesProduct: facts.grantedToLimited))
        if answer.payer == .partner, let partner = facts.fullPartner { return partner }
        return facts.client
    }

    /// The hostings per category billed to `payer` now (before the units being priced are added).
    public static func counts(for payer: OrganisationID, _ facts: [Facts]) -> [ProductCategory: Int64] {
        var counts: [ProductCategory: Int64] = [:]
        for group in facts where Self.payer(of: group) == payer {
            counts[group.category, default: 0] += group.count
        }
        return counts
    }
}
