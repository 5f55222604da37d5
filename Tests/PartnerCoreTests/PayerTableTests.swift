import Testing
@testable import PartnerCore

/// R-B3, checked exhaustively: every combination of inputs against an oracle that reads the
/// DESIGN.md table top to bottom (first matching row wins, anything else is "not allowed").
/// The oracle is written as the table's rows, not as the implementation's switch.
@Suite("R-B3 payer and partner benefit")
struct PayerTableTests {
    enum Expected: Equatable { case row(Int, Payer, PartnerBenefit), notAllowed }

    struct Row: Sendable {
        let number: Int
        let matches: @Sendable (BillingQuestion) -> Bool
        let payer: Payer?
        let benefit: PartnerBenefit?
    }

    static func active(_ q: BillingQuestion) -> PartnershipTerms? {
        guard let p = q.partnership, p.state == .active else { return nil }
        return p
    }

    /// The table of DESIGN.md R-B3, row by row.
    static let table: [Row] = [
        Row(number: 1, matches: { q in active(q) == nil && [.client, .renewalRun].contains(q.party) }, payer: .client, benefit: PartnerBenefit.none),
        Row(number: 2, matches: { q in active(q)?.access == .full && active(q)?.paymentMode == .client && [.client, .renewalRun].contains(q.party) }, payer: .client, benefit: .cashback),
        Row(number: 3, matches: { q in active(q)?.access == .full && active(q)?.paymentMode == .client && q.party == .partnerWithClientMeans }, payer: .client, benefit: .cashback),
        Row(number: 4, matches: { q in active(q)?.access == .full && active(q)?.paymentMode == .partner && q.party == .client }, payer: .partner, benefit: .cashback),
        Row(number: 5, matches: { q in active(q)?.access == .full && active(q)?.paymentMode == .partner && [.partnerWithOwnMeans, .renewalRun].contains(q.party) }, payer: .partner, benefit: .discount),
        Row(number: 6, matches: { q in active(q)?.access == .limited && [.client, .renewalRun].contains(q.party) && q.partnerManagesProduct }, payer: .client, benefit: .cashback),
        Row(number: 7, matches: { q in active(q)?.access == .limited && q.party == .partnerWithClientMeans && q.kind == .renewal && q.partnerManagesProduct }, payer: .client, benefit: .cashback),
        Row(number: 8, matches: { q in active(q)?.access == .limited && q.party != .client && q.party != .renewalRun && q.kind == .newOrder }, payer: nil, benefit: nil),
        Row(number: 9, matches: { q in active(q)?.access == .limited && [.client, .renewalRun].contains(q.party) && !q.partnerManagesProduct }, payer: .client, benefit: PartnerBenefit.none),
    ]

    static func oracle(_ q: BillingQuestion) -> Expected {
        // Our reading: the renewal run only renews, so a "new order" by it is never allowed.
        if q.party == .renewalRun && q.kind == .newOrder { return .notAllowed }
        guard let row = table.first(where: { $0.matches(q) }), let payer = row.payer, let benefit = row.benefit else {
            return .notAllowed
        }
        return .row(row.number, payer, benefit)
    }

    static var everyQuestion: [BillingQuestion] {
        var terms: [PartnershipTerms?] = [nil]
        for state in PartnershipState.allCases {
            for access in AccessType.allCases {
                for mode in PaymentMode.allCases {
                    terms.append(PartnershipTerms(state: state, access: access, paymentMode: mode))
                }
            }
        }
        var questions: [BillingQuestion] = []
        for t in terms {
            for party in OrderingParty.allCases {
                for kind in OrderKind.allCases {
                    for managed in [true, false] {
                        questions.append(BillingQuestion(partnership: t, party: party, kind: kind, partnerManagesProduct: managed))
                    }
                }
            }
        }
        return questions
    }

    @Test("R-B3 every combination of inputs answers as the table says")
    func exhaustive() {
        let questions = Self.everyQuestion
        #expect(questions.count == 25 * 4 * 2 * 2)
        for q in questions {
            let answer = BillingRules.decide(q)
            let got: Expected
            switch answer {
            case .allowed(let payer, let benefit, let row): got = .row(row, payer, benefit)
            case .notAllowed: got = .notAllowed
            }
            #expect(got == Self.oracle(q), "\(q)")
        }
    }

    @Test("R-B3 every row of the table is reached by some input")
    func everyRowReached() {
        let rows = Set(Self.everyQuestion.compactMap { q -> Int? in
            if case .allowed(_, _, let row) = BillingRules.decide(q) { return row }
            return nil
        })
        #expect(rows == [1, 2, 3, 4, 5, 6, 7, 9])
    }

    // A few rows spelled out, as a reader of the seed would check them.
    @Test("R-B3 mode partner: the partner ordering with its own means gets the discount")
    func partnerModeDiscount() {
        let q = BillingQuestion(partnership: PartnershipTerms(state: .active, access: .full, paymentMode: .partner),
                                party: .partnerWithOwnMeans, kind: .newOrder, partnerManagesProduct: true)
        #expect(BillingRules.decide(q) == .allowed(payer: .partner, benefit: .discount, row: 5))
    }

    @Test("R-B3 mode client: the partner may not pay with its own means")
    func clientModeOwnMeansRefused() {
        let q = BillingQuestion(partnership: PartnershipTerms(state: .active, access: .full, paymentMode: .client),
                                party: .partnerWithOwnMeans, kind: .newOrder, partnerManagesProduct: true)
        #expect(BillingRules.decide(q) == .notAllowed(reason: .ownMeansInClientMode))
    }

    @Test("R-B3 an ended partnership earns nothing and lets the partner do nothing")
    func endedPartnership() {
        let ended = PartnershipTerms(state: .ended, access: .full, paymentMode: .partner)
        #expect(BillingRules.decide(BillingQuestion(partnership: ended, party: .renewalRun, kind: .renewal, partnerManagesProduct: true))
                == .allowed(payer: .client, benefit: .none, row: 1))
        #expect(BillingRules.decide(BillingQuestion(partnership: ended, party: .partnerWithOwnMeans, kind: .renewal, partnerManagesProduct: true))
                == .notAllowed(reason: .noActivePartnership))
    }
}
