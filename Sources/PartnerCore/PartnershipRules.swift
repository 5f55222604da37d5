import Foundation

/// R-P1: a partnership's life. `invited` → `active` → `ended`, or `invited` → `declined` /
/// `expired` / `withdrawn`; the last four are final.
public enum PartnershipEvent: String, Sendable, Hashable, CaseIterable {
    case accept, decline, expire, withdraw, end
}

public enum PartnershipRules {
    public enum Problem: String, Error, Sendable, Hashable {
        case alreadyLinked = "already_linked"
        case secondFullAccess = "second_full_access"
        case productAlreadyGranted = "product_already_granted"
        case selfPartnership = "self_partnership"
        case notAPartner = "not_a_partner"
    }

    /// The state after `event`, or nil when the event does not apply in `state`.
    public static func next(_ state: PartnershipState, on event: PartnershipEvent) -> PartnershipState? {
        switch (state, event) {
        case (.invited, .accept): return .active
        case (.invited, .decline): return .declined
        case (.invited, .expire): return .expired
        case (.invited, .withdraw): return .withdrawn
        case (.active, .end): return .ended
        default: return nil
        }
    }

    /// Whether a state still links the pair (R-P1: at most one such partnership per pair).
    public static func isOpen(_ state: PartnershipState) -> Bool { state == .invited || state == .active }

    /// An existing partnership of the client, as far as the R-P1 checks need it.
    public struct Existing: Sendable, Hashable {
        public let partner: OrganisationID
        public let state: PartnershipState
        public let access: AccessType
        public let grantedProducts: Set<ProductID>
        public init(partner: OrganisationID, state: PartnershipState, access: AccessType, grantedProducts: Set<ProductID>) {
            self.partner = partner
            self.state = state
            self.access = access
            self.grantedProducts = grantedProducts
        }
    }

    /// R-P1 for a proposed partnership (or a change of one, then `existing` leaves it out):
    /// one open partnership per pair, at most one with full access per client, each product
    /// granted to at most one partner — so no order ever yields cashback twice.
    public static func check(client: OrganisationID, partner: OrganisationID, partnerApproved: Bool, access: AccessType,
                             products: Set<ProductID>, existing: [Existing]) -> Problem? {
        if client == partner { return .selfPartnership }
        if !partnerApproved { return .notAPartner }
        let open = existing.filter { isOpen($0.state) }
        if open.contains(where: { $0.partner == partner }) { return .alreadyLinked }
        if access == .full && open.contains(where: { $0.access == .full }) { return .secondFullAccess }
        if !contestedProducts(access: access, products: products, existing: existing).isEmpty { return .productAlreadyGranted }
        return nil
    }

    /// The products a proposed partnership would share with another partner (R-P1: each product
    /// at most one partner). Full access manages every product, so it contests every product
    /// granted to a limited partner; a limited grant contests products another partner holds,
    /// by grant or by full access.
    public static func contestedProducts(access: AccessType, products: Set<ProductID>, existing: [Existing]) -> Set<ProductID> {
        let open = existing.filter { isOpen($0.state) }
        let granted = open.reduce(into: Set<ProductID>()) { $0.formUnion($1.grantedProducts) }
        switch access {
        case .full: return granted
        case .limited: return open.contains { $0.access == .full } ? products : granted.intersection(products)
        }
    }
}
