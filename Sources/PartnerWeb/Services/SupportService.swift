import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// R-S3: members grant provider support temporary access — 1 h, 24 h or 7 days, revocable,
/// ending by itself; support staff then act on the organisation's products under R-P10 (c),
/// every action audited with the support user and the grant.
struct SupportService: Sendable {
    let clock: any Clock
    let random: any SecretSource

    static let durations: [String: TimeInterval] = ["1h": 3600, "24h": 86_400, "7d": 7 * 86_400]

    func grant(_ context: OrganisationContext, duration raw: String, product: ProductID?, store: Store) async throws -> SupportGrant {
        guard let duration = Self.durations[raw] else { throw AppError.validation([FieldError("duration", raw.isEmpty ? .required : .invalidValue)]) }
        if let product {
            guard let found = try await store.product(product), found.organisationID == context.organisationID else {
                throw AppError.validation([FieldError("product_id", .invalidValue)])
            }
        }
        // R-O2: legal representatives and admins for the whole organisation; employees for the
        // products they manage (assigned to them), one product at a time.
        switch RoleRules.permission(context.role, .grantSupportAccess) {
        case .whole: break
        case .assignedProducts:
            guard let product, try await store.assignedProducts(context.membershipID).contains(product) else { throw AppError.forbidden("error.not_allowed") }
        case .partnerSideOnly, .denied:
            throw AppError.forbidden("error.not_allowed")
        }
        let now = clock.now()
        return try await store.write { tx in
            let grant = try await tx.createSupportGrant(context, product: product, duration: duration, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string, action: "support.granted",
                                                target: "support_grant:\(grant.id.string)", details: "{\"duration\":\"\(raw)\",\"product\":\"\(product?.string ?? "all")\"}"), now: now)
            return grant
        }
    }

    func revoke(_ context: OrganisationContext, id: SupportGrantID, store: Store) async throws {
        // Who may: the route's action (R-O5 administer_support_access).
        let now = clock.now()
        try await store.write { tx in
            try await tx.revokeSupportGrant(context, id, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string, action: "support.revoked",
                                                target: "support_grant:\(id.string)"), now: now)
        }
    }

    /// What a support user may see of organisation `id` right now: the products R-P10 (c) allows,
    /// each with the grant it rests on. Audited, naming the support user and the grants used.
    func products(staff: StaffMember, organisation id: OrganisationID, store: Store) async throws -> [(Product, SupportGrantID)] {
        guard staff.role == .support || staff.role == .programAdmin else { throw AppError.notFound }
        let facts = try await store.supportFacts(organisation: id)
        let now = clock.now()
        let visible: [(Product, SupportGrantID)] = try await store.products(of: id).compactMap { product in
            let decision = AccessRules.decide(.manage, facts: AccessFacts(product: product.id, clientMembership: nil, partnerSides: [], supportGrants: facts), now: now)
            if case .allow(.support(let grant)) = decision { return (product, grant) }
            return nil
        }
        guard !visible.isEmpty || facts.contains(where: { !$0.revoked && now < $0.expiresAt }) else { throw AppError.notFound }
        let grants = Set(visible.map(\.1.string)).sorted().joined(separator: ",")
        try await store.write { tx in
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: id.string, action: "support.viewed_products",
                                                target: "organisation:\(id.string)", details: "{\"grants\":\"\(grants)\"}"), now: now)
        }
        return visible
    }
}
