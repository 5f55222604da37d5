import Foundation
import PartnerCore
import PartnerStore

/// R-S2: an organisation with an active Premium Support product has a VIP code — eight digits
/// like the support code, unique, regenerable — shown on the product and the contact-support
/// page; support staff verify a caller by it.
extension SupportService {
    /// The organisation's VIP code, made on first need; nil without active Premium Support.
    func vipCode(_ context: OrganisationContext, store: Store) async throws -> SupportCode? {
        guard try await store.hasActivePremiumSupport(context.organisationID) else { return nil }
        if let code = try await store.vipCode(context.organisationID) { return code }
        return try await newVIPCode(context, actor: "system", action: "support.vip_code_created", store: store)
    }

    /// A new code, the old one stops working (legal representatives and admins).
    func regenerateVIPCode(_ context: OrganisationContext, user: User, store: Store) async throws -> SupportCode {
        // Who may: the route's action (R-O5 edit_organisation). What must hold: a paid Premium Support (R-S2).
        guard try await store.hasActivePremiumSupport(context.organisationID) else { throw AppError.refused("vip.requires_premium") }
        return try await newVIPCode(context, actor: "user:\(user.id.string)", action: "support.vip_code_regenerated", store: store)
    }

    func newVIPCode(_ context: OrganisationContext, actor: String, action: String, store: Store) async throws -> SupportCode {
        let now = clock.now()
        for attempt in 1...5 {
            let code = random.supportCode()
            do {
                return try await store.write { tx in
                    try await tx.setVIPCode(context.organisationID, code, now: now)
                    try await tx.appendAudit(AuditEntry(actor: actor, organisation: context.organisationID.string, action: action,
                                                        target: "organisation:\(context.organisationID.string)"), now: now)
                    return code
                }
            } catch StoreError.conflict(field: "vip_code") where attempt < 5 {
                continue
            }
        }
        throw AppError.refused("error.title")
    }

    struct VIPCaller: Sendable {
        let organisation: Organisation
        let premiumActive: Bool
    }

    /// Support staff verify a caller by VIP code; every look-up is audited, found or not.
    func lookUpVIP(staff: StaffMember, code: SupportCode, store: Store) async throws -> VIPCaller? {
        let found = try await store.organisation(vipCode: code)
        let now = clock.now()
        try await store.write { tx in
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: found?.0.id.string ?? "", action: "support.vip_lookup",
                                                target: found.map { "organisation:\($0.0.id.string)" } ?? "none",
                                                details: "{\"found\":\(found != nil),\"premium\":\(found?.premiumActive ?? false)}"), now: now)
        }
        return found.map { VIPCaller(organisation: $0.0, premiumActive: $0.premiumActive) }
    }

    /// R-S1: a support agent finds a caller by the support code the caller reads out. Every
    /// look-up is audited, found or not, like VIP look-ups (the codes are not listed to staff).
    func lookUpSupportCode(staff: StaffMember, code: SupportCode, store: Store) async throws -> (User, [String])? {
        let found = try await store.userBySupportCode(code)
        let now = clock.now()
        try await store.write { tx in
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", action: "support.code_lookup",
                                                target: found.map { "user:\($0.0.id.string)" } ?? "none", details: "{\"found\":\(found != nil)}"), now: now)
        }
        return found
    }
}
