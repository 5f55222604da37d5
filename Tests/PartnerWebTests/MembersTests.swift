import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

@Suite("Members and invitations (R-O1, R-O2, R-P4)")
struct MembersTests {
    func roles(_ t: TestApp, _ owner: TestApp.Account) async throws -> [String: String] {
        let list = try t.json(try await t.send(.GET, "/api/v1/organisations/\(owner.organisationID)/members", token: owner.token)) as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: list.map { ($0["email"] as! String, $0["role"] as! String) })
    }

    func memberID(_ t: TestApp, _ owner: TestApp.Account, _ email: String) async throws -> String {
        let list = try t.json(try await t.send(.GET, "/api/v1/organisations/\(owner.organisationID)/members", token: owner.token)) as! [[String: Any]]
        return list.first { $0["email"] as? String == email }!["id"] as! String
    }

    @Test("An invited person accepts by the mailed link and joins with the invited role")
    func inviteAndAccept() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.addMember(to: owner, email: "ben@example.ch", role: "employee")
            #expect(try await roles(t, owner) == ["anna@example.ch": "legal_representative", "ben@example.ch": "employee"])
        }
    }

    @Test("R-P4 an invitation token is single use")
    func tokenSingleUse() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token, json: #"{"email":"ben@example.ch","role":"admin"}"#)
            let token = try await t.invitationToken(to: "ben@example.ch")
            let ben = try await t.signUp("ben@example.ch")
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(token)"}"#).status == .ok)
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(token)"}"#).status == .gone)
        }
    }

    @Test("R-P4 a resent invitation's old link stops working; the new one works")
    func resend() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let invite = try t.json(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token,
                                                     json: #"{"email":"ben@example.ch","role":"employee"}"#)) as! [String: Any]
            let old = try await t.invitationToken(to: "ben@example.ch")
            t.clock.advance(1)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations/\(invite["id"] as! String)/resend", token: owner.token).status == .noContent)
            let new = try await t.invitationToken(to: "ben@example.ch")
            #expect(old != new)
            let ben = try await t.signUp("ben@example.ch")
            // The old token is no longer known at all: not found.
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(old)"}"#).status == .notFound)
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(new)"}"#).status == .ok)
        }
    }

    @Test("R-P4 an invitation expires after 14 days")
    func expiry() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token, json: #"{"email":"ben@example.ch","role":"employee"}"#)
            let token = try await t.invitationToken(to: "ben@example.ch")
            let ben = try await t.signUp("ben@example.ch")
            t.clock.advance(14 * 86_400)
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: ben.token, json: #"{"token":"\#(token)"}"#).status == .gone)
            #expect(try await roles(t, owner).count == 1)
        }
    }

    @Test("An invitation is accepted only by the invited address")
    func invitationForSomeoneElse() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token, json: #"{"email":"ben@example.ch","role":"admin"}"#)
            let token = try await t.invitationToken(to: "ben@example.ch")
            let mallory = try await t.signUp("mallory@example.ch")
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: mallory.token, json: #"{"token":"\#(token)"}"#).status == .forbidden)
            #expect(try await roles(t, owner).count == 1)
        }
    }

    @Test("R-O2 an admin invites employees but never a legal representative")
    func adminCannotGrantLegalRepresentative() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let admin = try await t.addMember(to: owner, email: "ben@example.ch", role: "admin")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: admin.token,
                                     json: #"{"email":"carl@example.ch","role":"employee"}"#).status == .created)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: admin.token,
                                     json: #"{"email":"dora@example.ch","role":"legal_representative"}"#).status == .forbidden)
            let annaID = try await memberID(t, owner, "anna@example.ch")
            #expect(try await t.send(.PATCH, "/api/v1/organisations/\(owner.organisationID)/members/\(annaID)", token: admin.token,
                                     json: #"{"role":"employee"}"#).status == .forbidden)
            #expect(try await roles(t, owner)["anna@example.ch"] == "legal_representative")
        }
    }

    @Test("R-O2 employees and external users manage no members", arguments: ["employee", "external_user"])
    func othersCannotManage(role: String) async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let member = try await t.addMember(to: owner, email: "ben@example.ch", role: role)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: member.token,
                                     json: #"{"email":"carl@example.ch","role":"employee"}"#).status == .forbidden)
            let annaID = try await memberID(t, owner, "anna@example.ch")
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(owner.organisationID)/members/\(annaID)", token: member.token).status == .forbidden)
            #expect(try await roles(t, owner).count == 2)
        }
    }

    @Test("R-O1 the last legal representative can be neither demoted nor removed; with two, one may step down")
    func lastLegalRepresentative() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let annaID = try await memberID(t, owner, "anna@example.ch")
            let demote = try await t.send(.PATCH, "/api/v1/organisations/\(owner.organisationID)/members/\(annaID)", token: owner.token, json: #"{"role":"admin"}"#)
            #expect(demote.status == .conflict)
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(owner.organisationID)/members/\(annaID)", token: owner.token).status == .conflict)
            #expect(try await roles(t, owner)["anna@example.ch"] == "legal_representative")
            _ = try await t.addMember(to: owner, email: "ben@example.ch", role: "legal_representative")
            #expect(try await t.send(.PATCH, "/api/v1/organisations/\(owner.organisationID)/members/\(annaID)", token: owner.token, json: #"{"role":"admin"}"#).status == .ok)
        }
    }

    @Test("An unknown role is a 422 naming the field")
    func unknownRole() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let response = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token,
                                            json: #"{"email":"ben@example.ch","role":"owner"}"#)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(#""field":"role""#))
            #expect(try await t.store.outbox(recipient: EmailAddress("ben@example.ch")!).isEmpty)
        }
    }

    @Test("R-L1 membership changes are audited and the chain verifies")
    func audited() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.addMember(to: owner, email: "ben@example.ch", role: "employee")
            let events = try t.json(try await t.send(.GET, "/api/v1/organisations/\(owner.organisationID)/audit-events", token: owner.token)) as! [[String: Any]]
            let actions = Set(events.map { $0["action"] as! String })
            #expect(actions.isSuperset(of: ["user.signed_up", "membership.invited", "membership.joined"]))
            let result = try await t.store.verifyAudit()
            #expect(result.firstBreak == nil && result.checked > 3)
        }
    }

    @Test("R-O1 the currency can change before the first invoice")
    func currencyChange() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch", country: "CH")
            let response = try await t.send(.PATCH, "/api/v1/organisations/\(owner.organisationID)", token: owner.token, json: #"{"currency":"EUR"}"#)
            #expect(response.status == .ok)
            #expect((try t.json(response) as! [String: Any])["currency"] as? String == "EUR")
        }
    }
}
