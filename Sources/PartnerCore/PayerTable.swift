/// The inputs of the R-B3 table.
public enum AccessType: String, Sendable, Hashable, Codable, CaseIterable {
    case limited, full
}

public enum PaymentMode: String, Sendable, Hashable, Codable, CaseIterable {
    case client, partner
}

public enum PartnershipState: String, Sendable, Hashable, Codable, CaseIterable {
    case invited, active, ended, declined, expired, withdrawn
}

/// Who places the order or renewal.
public enum OrderingParty: String, Sendable, Hashable, Codable, CaseIterable {
    case client
    case partnerWithClientMeans = "partner_with_client_means"
    case partnerWithOwnMeans = "partner_with_own_means"
    case renewalRun = "renewal_run"
}

public enum OrderKind: String, Sendable, Hashable, Codable, CaseIterable {
    case newOrder = "order"
    case renewal
}

public enum Payer: String, Sendable, Hashable, Codable {
    case client, partner
}

public enum PartnerBenefit: String, Sendable, Hashable, Codable {
    case none, cashback, discount
}

/// The partnership between the product's client organisation and a partner, as far as R-B3
/// needs it. `nil` partnership means the client has no partner at all.
public struct PartnershipTerms: Sendable, Hashable {
    public let state: PartnershipState
    public let access: AccessType
    /// Meaningful only with full access (DESIGN.md glossary); limited access always bills the client.
    public let paymentMode: PaymentMode
    public init(state: PartnershipState, access: AccessType, paymentMode: PaymentMode) {
        self.state = state
        self.access = access
        self.paymentMode = paymentMode
    }
}

public struct BillingQuestion: Sendable, Hashable {
    public let partnership: PartnershipTerms?
    public let party: OrderingParty
    public let kind: OrderKind
    /// Whether the partner manages the product (granted under limited access). Full access
    /// manages every product of the client (R-P10 b), so full rows ignore it.
    public let partnerManagesProduct: Bool

    public init(partnership: PartnershipTerms?, party: OrderingParty, kind: OrderKind, partnerManagesProduct: Bool) {
        self.partnership = partnership
        self.party = party
        self.kind = kind
        self.partnerManagesProduct = partnerManagesProduct
    }
}

public enum BillingAnswer: Sendable, Hashable {
    /// `row` numbers the R-B3 table row that applied (1-based, as listed in DESIGN.md).
    case allowed(payer: Payer, benefit: PartnerBenefit, row: Int)
    case notAllowed(reason: NotAllowedReason)

    public var payer: Payer? {
        if case .allowed(let payer, _, _) = self { return payer }
        return nil
    }
}

public enum NotAllowedReason: String, Sendable, Hashable {
    /// The renewal run renews; it never places new orders.
    case renewalRunCannotOrder = "renewal_run_cannot_order"
    /// A partner acts only through an active partnership.
    case noActivePartnership = "no_active_partnership"
    /// Mode `client`: the partner may not pay with its own means.
    case ownMeansInClientMode = "own_means_in_client_mode"
    /// Mode `partner`: the partner may not charge the client's means.
    case clientMeansInPartnerMode = "client_means_in_partner_mode"
    /// Limited access: the partner cannot order new products.
    case limitedPartnerCannotOrder = "limited_partner_cannot_order"
    /// Limited access: the partner renews only products granted to it.
    case productNotGranted = "product_not_granted"
    /// Limited access never uses the partner's own means.
    case ownMeansWithLimitedAccess = "own_means_with_limited_access"
}

/// R-B3: who pays and what the partner earns — one pure, total function.
public enum BillingRules {
    public static func decide(_ q: BillingQuestion) -> BillingAnswer {
        if q.party == .renewalRun && q.kind == .newOrder { return .notAllowed(reason: .renewalRunCannotOrder) }
        let clientSide = q.party == .client || q.party == .renewalRun

        guard let terms = q.partnership, terms.state == .active else {
            // Row 1: no (active) partnership — the client pays, nobody earns.
            return clientSide ? .allowed(payer: .client, benefit: .none, row: 1) : .notAllowed(reason: .noActivePartnership)
        }

        switch (terms.access, terms.paymentMode) {
        case (.full, .client):
            switch q.party {
            case .client, .renewalRun: return .allowed(payer: .client, benefit: .cashback, row: 2)
            case .partnerWithClientMeans: return .allowed(payer: .client, benefit: .cashback, row: 3)
            case .partnerWithOwnMeans: return .notAllowed(reason: .ownMeansInClientMode)
            }
        case (.full, .partner):
            switch q.party {
            case .client: return .allowed(payer: .partner, benefit: .cashback, row: 4)
            case .partnerWithOwnMeans, .renewalRun: return .allowed(payer: .partner, benefit: .discount, row: 5)
            case .partnerWithClientMeans: return .notAllowed(reason: .clientMeansInPartnerMode)
            }
        case (.limited, _):
            switch q.party {
            case .client, .renewalRun:
                return q.partnerManagesProduct
                    ? .allowed(payer: .client, benefit: .cashback, row: 6)
                    : .allowed(payer: .client, benefit: .none, row: 9)
            case .partnerWithClientMeans:
                if q.kind == .newOrder { return .notAllowed(reason: .limitedPartnerCannotOrder) }
                return q.partnerManagesProduct
                    ? .allowed(payer: .client, benefit: .cashback, row: 7)
                    : .notAllowed(reason: .productNotGranted)
            case .partnerWithOwnMeans:
                return .notAllowed(reason: q.kind == .newOrder ? .limitedPartnerCannotOrder : .ownMeansWithLimitedAccess)
            }
        }
    }
}
