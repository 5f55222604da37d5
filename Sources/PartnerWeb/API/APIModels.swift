import Foundation
import PartnerCore
import PartnerStore
import Vapor

// Request and response bodies of /api/v1 (snake_case on the wire, see APIController.coders).
// The schema does not leak: these are built from PartnerCore values, never from rows.

struct SignUpRequest: Content { var name: String; var email: String; var password: String; var organisationName: String; var country: String; var currency: String? }
struct SignUpAcceptedResponse: Content { var email: String; var status: String; var next: String }
struct TokenLoginRequest: Content { var email: String; var password: String; var name: String?; var otp: String? }
struct ProfileUpdateRequest: Content { var name: String?; var language: String? }
struct PasswordChangeRequest: Content { var currentPassword: String; var newPassword: String }
struct AccessTokenCreateRequest: Content { var name: String; var expiresInDays: Int? }
struct OrganisationCreateRequest: Content { var name: String; var country: String; var currency: String? }
struct OrganisationUpdateRequest: Content { var name: String?; var country: String?; var currency: String? }
struct MemberRoleRequest: Content { var role: String }
struct InvitationCreateRequest: Content { var email: String; var role: String }
struct InvitationTokenRequest: Content { var token: String }

struct UserResponse: Content {
    var id: String; var email: String; var name: String; var supportCode: String; var language: String?; var createdAt: Date
    init(_ u: User) { id = u.id.string; email = u.email.value; name = u.name; supportCode = u.supportCode.value; language = u.language?.rawValue; createdAt = u.createdAt }
}

struct OrganisationResponse: Content {
    var id: String; var name: String; var country: String; var currency: String; var currencyFixed: Bool; var isPartner: Bool; var createdAt: Date
    init(_ o: Organisation) {
        id = o.id.string; name = o.name; country = o.country.rawValue; currency = o.currency.rawValue; currencyFixed = o.currencyFixed
        isPartner = o.isPartner; createdAt = o.createdAt
    }
}

struct OrganisationMembershipResponse: Content { var organisation: OrganisationResponse; var role: String }

struct MemberResponse: Content {
    var id: String; var userId: String; var name: String; var email: String; var role: String; var since: Date
    init(_ m: Member) { id = m.membershipID.string; userId = m.userID.string; name = m.name; email = m.email.value; role = m.role.rawValue; since = m.since }
}

struct InvitationResponse: Content {
    var id: String; var organisationId: String; var email: String; var role: String; var status: String; var expiresAt: Date; var createdAt: Date
    init(_ i: MemberInvitation) { id = i.id.string; organisationId = i.organisationID.string; email = i.email.value; role = i.role.rawValue; status = i.status.rawValue; expiresAt = i.expiresAt; createdAt = i.createdAt }
}

struct InvitationAcceptedResponse: Content { var organisationId: String; var role: String }

struct AccessTokenResponse: Content {
    var id: String; var name: String; var prefix: String; var createdAt: Date; var lastUsedAt: Date?; var expiresAt: Date?
    init(_ t: AccessTokenInfo) {
        id = t.id.string; name = t.name; prefix = t.prefix; createdAt = t.createdAt; lastUsedAt = t.lastUsedAt; expiresAt = t.expiresAt
    }
    func encode(to encoder: any Encoder) throws {
        // last_used_at and expires_at are always present (null: not yet used, no expiry), as the OpenAPI document says.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(prefix, forKey: .prefix)
        try c.encode(createdAt, forKey: .createdAt); try c.encode(lastUsedAt, forKey: .lastUsedAt); try c.encode(expiresAt, forKey: .expiresAt)
    }
}

struct NewAccessTokenResponse: Content { var token: String; var accessToken: AccessTokenResponse }

struct SessionResponse: Content {
    var id: String; var userAgent: String; var createdAt: Date; var lastSeenAt: Date; var current: Bool
}

struct AuditEventResponse: Content {
    var sequence: Int64; var occurredAt: Date; var actor: String; var action: String; var target: String; var details: String
    init(_ r: AuditRecord) { sequence = r.sequence; occurredAt = r.occurredAt; actor = r.actor; action = r.action; target = r.target; details = r.details }
}

struct QuoteResponse: Content {
    struct Step: Content { var step: String; var rate: Int; var amount: Int64; var display: String }
    var product: String; var quantity: Int64; var currency: String; var unitPrice: Int64; var steps: [Step]; var final: Int64; var finalDisplay: String
}
