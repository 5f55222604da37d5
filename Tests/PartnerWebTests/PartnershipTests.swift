import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Partnerships and delegated access through the API (R-P1 … R-P10).
@Suite("Partnerships")
struct PartnershipTests {
    struct World {
        let client: TestApp.Account
        let partner: TestApp.Account
        let products: [String]
    }

    /// A client with three products and an approved partner.
    func world(_ t: TestApp) async throws -> World {
        let client = try await t.signUp("clara@client.test", organisation: "Client AG")
        let partner = try await t.signUp("paul@partner.test", organisation: "Partner GmbH")
        try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: partner.organisationID)!, actor: "test", store: t.store)
        let products = try await t.existingProducts(client, ["Web hosting client.ch", "Mail client.ch", "VPS backend"].map { (.webHosting, $0) })
        return World(client: client, partner: partner, products: products)
    }

    func grantsJSON(_ ids: [String]) -> String {
        "[" + ids.map { #"{"product_id":"\#($0)","technical":true,"statistics":true}"# }.joined(separator: ",") + "]"
    }

    /// The token of the last partnership e-mail to `email`.
    func partnershipToken(_ t: TestApp, to email: String) async throws -> String {
        let mail = try #require(try await t.store.outbox(recipient: EmailAddress(email)!).first { $0.body.contains("/partnerships/") })
        let range = try #require(mail.body.range(of: #"/partnerships/[A-Za-z0-9_-]+"#, options: .regularExpression))
        return String(mail.body[range].dropFirst("/partnerships/".count))
    }

    func visibleProducts(_ t: TestApp, _ account: TestApp.Account, in organisation: String) async throws -> (HTTPStatus, [String]) {
        let response = try await t.send(.GET, "/api/v1/organisations/\(organisation)/products", token: account.token)
        guard response.status == .ok else { return (response.status, []) }
        return (.ok, (try t.json(response) as! [[String: Any]]).map { $0["name"] as! String }.sorted())
    }

    /// Client adds the partner with limited access to the first two products; the partner accepts.
    func limitedPartnership(_ t: TestApp, _ w: World) async throws -> String {
        let invite = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                      json: #"{"partner_id":"\#(w.partner.organisationID)","access":"limited","products":\#(grantsJSON(Array(w.products.prefix(2))))}"#)
        try #require(invite.status == .created, "\(invite.body.string)")
        let token = try await partnershipToken(t, to: w.partner.email)
        let accepted = try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(token)"}"#)
        try #require(accepted.status == .ok, "\(accepted.body.string)")
        return (try t.json(invite) as! [String: Any])["id"] as! String
    }

    @Test("R-P3 a client grants limited access to two products; the partner sees exactly those after accepting")
    func clientAddsPartner() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let before = try await visibleProducts(t, w.partner, in: w.client.organisationID)
            #expect(before.0 == .notFound)
            _ = try await limitedPartnership(t, w)
            let after = try await visibleProducts(t, w.partner, in: w.client.organisationID)
            #expect(after.0 == .ok && after.1 == ["Mail client.ch", "Web hosting client.ch"])
            // The client is told the partner accepted.
            #expect(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).contains { $0.subject == "Partnership accepted" })
        }
    }

    @Test("R-P2 a partner adds a client by e-mail; the client grants narrower rights than requested; the partner sees both")
    func partnerAddsClient() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let invite = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: w.partner.token,
                                          json: #"{"email":"clara@client.test","access":"full","payment_mode":"partner"}"#)
            try #require(invite.status == .created, "\(invite.body.string)")
            let token = try await partnershipToken(t, to: w.client.email)
            let accept = try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.client.token, json: """
                {"token":"\(token)","client_id":"\(w.client.organisationID)","access":"limited","products":\(grantsJSON([w.products[2]]))}
                """)
            #expect(accept.status == .ok, "\(accept.body.string)")
            let clients = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: w.partner.token)) as! [[String: Any]]
            #expect(clients.count == 1)
            #expect(clients[0]["requested_access"] as? String == "full" && clients[0]["requested_payment_mode"] as? String == "partner")
            #expect(clients[0]["access"] as? String == "limited" && clients[0]["payment_mode"] as? String == "client")
            #expect(clients[0]["counterpart_name"] as? String == "Client AG")
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).1 == ["VPS backend"])
        }
    }

    @Test("R-P9 an assigned employee sees the granted products; a non-assigned one sees nothing")
    func employees() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let assigned = try await t.addMember(to: w.partner, email: "erin@partner.test", role: "employee")
            let other = try await t.addMember(to: w.partner, email: "otto@partner.test", role: "employee")
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/members", token: w.partner.token)) as! [[String: Any]]
            let erin = members.first { $0["email"] as? String == "erin@partner.test" }!["id"] as! String
            #expect(try await t.send(.PUT, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)/assignments/\(erin)", token: w.partner.token).status == .noContent)
            #expect(try await visibleProducts(t, assigned, in: w.client.organisationID).1 == ["Mail client.ch", "Web hosting client.ch"])
            #expect(try await visibleProducts(t, other, in: w.client.organisationID).0 == .notFound)
            let otherClients = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: other.token)) as! [[String: Any]]
            #expect(otherClients.isEmpty)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)", token: other.token).status == .notFound)
            // An employee cannot assign anyone.
            #expect(try await t.send(.PUT, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)/assignments/\(erin)", token: other.token).status == .forbidden)
        }
    }

    @Test("R-P6/R-P7 switching to full access with payment mode partner, then back to limited resets the mode; the partner is e-mailed")
    func changeTerms() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let full = try await t.send(.PATCH, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token,
                                        json: #"{"access":"full","payment_mode":"partner"}"#)
            #expect(full.status == .ok)
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).1.count == 3)
            let limited = try await t.send(.PATCH, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token,
                                           json: #"{"access":"limited","payment_mode":"partner","products":\#(grantsJSON([w.products[0]]))}"#)
            let body = try t.json(limited) as! [String: Any]
            #expect(body["payment_mode"] as? String == "client")
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).1 == ["Web hosting client.ch"])
            #expect(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).filter { $0.subject == "Access rights changed" }.count == 2)
        }
    }

    @Test("R-P8 ending needs the password; afterwards the partner's token reaches nothing")
    func ending() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let wrong = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)/end", token: w.client.token,
                                         json: #"{"password":"not-the-password"}"#)
            #expect(wrong.status == .forbidden)  // R-H1: a wrong password is refused authority, not a malformed request
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).0 == .ok)
            let ended = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)/end", token: w.client.token,
                                         json: #"{"password":"\#(TestApp.password)"}"#)
            #expect(ended.status == .noContent)
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).0 == .notFound)
            #expect(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).contains { $0.subject == "Collaboration ended" })
            // The products are free for another partner now (R-P1).
            let again = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                         json: #"{"partner_id":"\#(w.partner.organisationID)","access":"limited","products":\#(grantsJSON([w.products[0]]))}"#)
            #expect(again.status == .created)
        }
    }

    @Test("The partner side ends too: legal representative or admin, not an employee")
    func partnerEnds() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let employee = try await t.addMember(to: w.partner, email: "erin@partner.test", role: "employee")
            // R-O2/R-O5: a member whose role may not end partnerships is told so (403).
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)/end", token: employee.token,
                                     json: #"{"password":"\#(TestApp.password)"}"#).status == .forbidden)
            let admin = try await t.addMember(to: w.partner, email: "ada@partner.test", role: "admin")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)/end", token: admin.token,
                                     json: #"{"password":"\#(TestApp.password)"}"#).status == .noContent)
            #expect(try await t.store.outbox(recipient: EmailAddress(w.client.email)!).contains { $0.subject == "Collaboration ended" })
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        var testDescription: String { name }
    }

    @Test("Bad partnership input gets a clear error and changes nothing")
    func badInput() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let stranger = try await t.signUp("sam@nopartner.test", organisation: "Not A Partner")
            let path = "/api/v1/organisations/\(w.client.organisationID)/partners"
            // Inviting a non-partner.
            #expect(try await t.send(.POST, path, token: w.client.token, json: #"{"partner_id":"\#(stranger.organisationID)","access":"full"}"#).status == .conflict)
            // Naming itself, or an organisation that does not exist: valid by the contract, refused by what is stored (R-H1).
            #expect(try await t.send(.POST, path, token: w.client.token, json: #"{"partner_id":"\#(w.client.organisationID)","access":"full"}"#).status == .conflict)
            #expect(try await t.send(.POST, path, token: w.client.token, json: #"{"partner_id":"\#(UUID().uuidString)","access":"full"}"#).status == .conflict)
            // Inviting oneself.
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: w.partner.token,
                                     json: #"{"email":"paul@partner.test","access":"full"}"#).status == .conflict)
            // Granting a product of another organisation.
            let foreignID = try await t.existingProducts(stranger, [(.vps, "Foreign")])[0]
            let grantForeign = try await t.send(.POST, path, token: w.client.token,
                                                json: #"{"partner_id":"\#(w.partner.organisationID)","access":"limited","products":\#(grantsJSON([foreignID]))}"#)
            #expect(grantForeign.status == .conflict && grantForeign.body.string.contains(#""field":"products""#))
            // An unknown access type.
            #expect(try await t.send(.POST, path, token: w.client.token, json: #"{"partner_id":"\#(w.partner.organisationID)","access":"total"}"#).status == .unprocessableEntity)
            // A client admin trying a legal-representative-only step.
            let admin = try await t.addMember(to: w.client, email: "adam@client.test", role: "admin")
            #expect(try await t.send(.POST, path, token: admin.token, json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full"}"#).status == .forbidden)
            let none = try t.json(try await t.send(.GET, path, token: w.client.token)) as! [[String: Any]]
            #expect(none.isEmpty)
            // A second open partnership for the same pair.
            _ = try await limitedPartnership(t, w)
            #expect(try await t.send(.POST, path, token: w.client.token, json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full"}"#).status == .conflict)
            #expect((try t.json(try await t.send(.GET, path, token: w.client.token)) as! [[String: Any]]).count == 1)
        }
    }

    @Test("R-P1 a product is granted to one partner only; full access (every product) is refused while another partner holds a grant")
    func oneGrantPerProduct() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            _ = try await limitedPartnership(t, w)
            let second = try await t.signUp("quinn@second.test", organisation: "Second Partner")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: second.organisationID)!, actor: "test", store: t.store)
            let taken = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                         json: #"{"partner_id":"\#(second.organisationID)","access":"limited","products":\#(grantsJSON([w.products[0]]))}"#)
            #expect(taken.status == .conflict)  // R-H1: valid by the contract, refused by what is stored
            let free = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                        json: #"{"partner_id":"\#(second.organisationID)","access":"limited","products":\#(grantsJSON([w.products[2]]))}"#)
            #expect(free.status == .created)
            let third = try await t.signUp("rita@third.test", organisation: "Third Partner")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: third.organisationID)!, actor: "test", store: t.store)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                     json: #"{"partner_id":"\#(third.organisationID)","access":"full"}"#).status == .conflict)
        }
    }

    @Test("R-P4 a resent partnership invitation's old link stops working; a withdrawn one too")
    func resendAndWithdraw() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let invite = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                          json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full"}"#)
            let id = (try t.json(invite) as! [String: Any])["id"] as! String
            let old = try await partnershipToken(t, to: w.partner.email)
            t.clock.advance(1)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)/resend", token: w.client.token).status == .noContent)
            let new = try await partnershipToken(t, to: w.partner.email)
            #expect(old != new)
            #expect(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(old)"}"#).status == .notFound)
            // Only the sender withdraws.
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(w.partner.organisationID)/partnerships/\(id)", token: w.partner.token).status == .notFound)
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token).status == .noContent)
            // Withdrawing takes the link back: it is no longer known.
            #expect(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(new)"}"#).status == .notFound)
        }
    }

    @Test("R-P4 a partnership invitation expires after 14 days")
    func expiry() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            _ = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                 json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full"}"#)
            let token = try await partnershipToken(t, to: w.partner.email)
            t.clock.advance(14 * 86_400)
            #expect(try await t.send(.POST, "/api/v1/partnership-invitations/accept", token: w.partner.token, json: #"{"token":"\#(token)"}"#).status == .gone)
        }
    }

    @Test("R-P5 a partner user who was an external user of the client keeps no duplicate membership")
    func externalUsersConverted() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            _ = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/invitations", token: w.client.token,
                                 json: #"{"email":"paul@partner.test","role":"external_user"}"#)
            let invitation = try await t.invitationToken(to: w.partner.email)
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: w.partner.token, json: #"{"token":"\#(invitation)"}"#).status == .ok)
            _ = try await limitedPartnership(t, w)
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/members", token: w.client.token)) as! [[String: Any]]
            #expect(!members.contains { $0["email"] as? String == "paul@partner.test" })
            #expect(try await visibleProducts(t, w.partner, in: w.client.organisationID).1.count == 2)
        }
    }

    @Test("R-P10 the client's legal representative sees why a partner user may act on a product")
    func explain() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let path = "/api/v1/organisations/\(w.client.organisationID)/products/\(w.products[0])/access?user_id=\(w.partner.userID)&action=manage"
            let response = try await t.send(.GET, path, token: w.client.token)
            let body = try t.json(response) as! [String: Any]
            #expect(body["allowed"] as? Bool == true && body["clause"] as? String == "b" && body["partnership_id"] as? String == id)
            #expect(body["access"] as? String == "limited" && body["grant_id"] is String)
            let denied = try t.json(try await t.send(.GET, path.replacingOccurrences(of: w.products[0], with: w.products[2]), token: w.client.token)) as! [String: Any]
            #expect(denied["allowed"] as? Bool == false)
            // The partner itself may not ask about the client's products: it sees the client, so it
            // is told why (R-O5 client_only), not 404.
            #expect(try await t.send(.GET, path, token: w.partner.token).status == .forbidden)
        }
    }

    @Test("Every new tenant-scoped route answers 404 to another organisation")
    func isolation() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let id = try await limitedPartnership(t, w)
            let outsider = try await t.signUp("oscar@outside.test", organisation: "Outside")
            let o = w.client.organisationID, p = w.partner.organisationID
            let routes: [(HTTPMethod, String, String?)] = [
                (.GET, "/api/v1/organisations/\(o)/products", nil),
                (.GET, "/api/v1/organisations/\(o)/products/\(w.products[0])/access?user_id=\(outsider.userID)", nil),
                (.GET, "/api/v1/organisations/\(o)/partners", nil),
                (.POST, "/api/v1/organisations/\(o)/partners", #"{"partner_id":"\#(p)","access":"full"}"#),
                (.GET, "/api/v1/organisations/\(p)/clients", nil),
                (.POST, "/api/v1/organisations/\(p)/clients", #"{"email":"x@y.test","access":"full"}"#),
                (.GET, "/api/v1/organisations/\(o)/partnerships/\(id)", nil),
                (.PATCH, "/api/v1/organisations/\(o)/partnerships/\(id)", #"{"access":"full"}"#),
                (.DELETE, "/api/v1/organisations/\(o)/partnerships/\(id)", nil),
                (.POST, "/api/v1/organisations/\(o)/partnerships/\(id)/resend", nil),
                (.POST, "/api/v1/organisations/\(o)/partnerships/\(id)/end", #"{"password":"\#(TestApp.password)"}"#),
                (.PUT, "/api/v1/organisations/\(p)/partnerships/\(id)/assignments/\(UUID().uuidString)", nil),
                // The outsider's own organisation with the partnership's id.
                (.GET, "/api/v1/organisations/\(outsider.organisationID)/partnerships/\(id)", nil),
                (.PATCH, "/api/v1/organisations/\(outsider.organisationID)/partnerships/\(id)", #"{"access":"full"}"#),
                (.POST, "/api/v1/organisations/\(outsider.organisationID)/partnerships/\(id)/end", #"{"password":"\#(TestApp.password)"}"#),
            ]
            for (method, path, body) in routes {
                let response = try await t.send(method, path, token: outsider.token, json: body)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status)")
            }
            #expect(try await visibleProducts(t, w.partner, in: o).1.count == 2)
        }
    }
}

@Suite("Time-bound partnerships")
struct TimeBoundPartnershipTests {
    @Test("Reminders 14 days and 1 day before the end land in the outbox exactly once each; at the date access ends by itself")
    func remindersAndEnd() async throws {
        try await TestApp.with { t in
            let base = PartnershipTests()
            let w = try await base.world(t)
            let id = try await base.limitedPartnership(t, w)
            let formatter = ISO8601DateFormatter()
            let end = t.clock.now().addingTimeInterval(20 * 86_400)
            let patched = try await t.send(.PATCH, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token,
                                           json: #"{"access":"limited","products":\#(base.grantsJSON([w.products[0]])),"ends_at":"\#(formatter.string(from: end))"}"#)
            #expect(patched.status == .ok, "\(patched.body.string)")
            let service = t.app.partnerHub.partnerships
            func count(_ subject: String, _ email: String) async throws -> Int {
                try await t.store.outbox(recipient: EmailAddress(email)!).filter { $0.subject == subject }.count
            }
            try await service.runTimeBound(store: t.store)
            #expect(try await count("The collaboration ends in 14 days", w.partner.email) == 0)
            t.clock.advance(6 * 86_400 + 1)      // 14 days before the end
            try await service.runTimeBound(store: t.store)
            try await service.runTimeBound(store: t.store)
            #expect(try await count("The collaboration ends in 14 days", w.partner.email) == 1)
            #expect(try await count("The collaboration ends in 14 days", w.client.email) == 1)
            t.clock.advance(13 * 86_400)         // 1 day before
            try await service.runTimeBound(store: t.store)
            try await service.runTimeBound(store: t.store)
            #expect(try await count("The collaboration ends tomorrow", w.partner.email) == 1)
            #expect(try await count("The collaboration ends tomorrow", w.client.email) == 1)
            #expect(try await base.visibleProducts(t, w.partner, in: w.client.organisationID).0 == .ok)
            t.clock.advance(86_400)              // the end date
            #expect(try await base.visibleProducts(t, w.partner, in: w.client.organisationID).0 == .notFound)
            try await service.runTimeBound(store: t.store)
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .ended)
            #expect(try await count("Collaboration ended", w.partner.email) == 1)
        }
    }

    @Test("An end date in the past is refused")
    func pastEndDate() async throws {
        try await TestApp.with { t in
            let base = PartnershipTests()
            let w = try await base.world(t)
            let id = try await base.limitedPartnership(t, w)
            let past = ISO8601DateFormatter().string(from: t.clock.now().addingTimeInterval(-60))
            let response = try await t.send(.PATCH, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(id)", token: w.client.token,
                                            json: #"{"access":"full","ends_at":"\#(past)"}"#)
            // Valid by the contract, refused by the clock: 409 naming the field (R-H1).
            #expect(response.status == .conflict && response.body.string.contains(#""field":"ends_at""#) && response.body.string.contains("not_in_future"))
        }
    }
}
