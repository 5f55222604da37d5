import Foundation
import PartnerCore
@testable import PartnerWeb
import Testing

@Suite("Fast JSON for hot lists")
struct FastJSONTests {
    @Test("The clients list written by FastJSON equals the Codable encoding, awkward strings and dates included")
    func sameDocument() throws {
        let awkward = "Caf\u{E9} \"Quote\" \\ back\nline\ttab \u{1} ctl 🚀"
        let p = Partnership(
            id: PartnershipID(UUID()), clientID: nil, partnerID: OrganisationID(UUID()), invitedEmail: EmailAddress("a@b.ch"), initiator: .partner,
            state: .invited, access: .limited, paymentMode: .client, requestedAccess: .full, requestedPaymentMode: .partner,
            grants: [ProductGrant(product: ProductID(UUID()), technical: true, statistics: false), ProductGrant(product: ProductID(UUID()), technical: false, statistics: true)],
            endsAt: Date(timeIntervalSince1970: 1_800_000_000.75), tokenExpiresAt: nil, createdAt: Date(timeIntervalSince1970: 946_684_799))
        let q = Partnership(
            id: PartnershipID(UUID()), clientID: OrganisationID(UUID()), partnerID: OrganisationID(UUID()), invitedEmail: nil, initiator: .client,
            state: .active, access: .full, paymentMode: .partner, requestedAccess: .full, requestedPaymentMode: .partner, grants: [],
            endsAt: nil, tokenExpiresAt: nil, createdAt: Date(timeIntervalSince1970: 1_795_000_000))
        let list = [PartnershipResponse(p, counterpart: awkward, assigned: [MembershipID(UUID()), MembershipID(UUID())]),
                    PartnershipResponse(q, counterpart: "Plain", assigned: [])]
        let fast = try JSONSerialization.jsonObject(with: Data(PartnershipResponse.jsonArray(list).utf8)) as! NSArray
        let codable = try JSONSerialization.jsonObject(with: try APIController.encoder.encode(list)) as! NSArray
        #expect(fast == codable)
        #expect(PartnershipResponse.jsonArray([]) == "[]")
    }
}
