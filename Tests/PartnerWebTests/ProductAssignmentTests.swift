import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-O2 "assigned products": employees and external users of an organisation see and manage only
/// the products assigned to them; employees grant support access for those only (R-S3).
@Suite("R-O2 product assignments")
struct ProductAssignmentTests {
    @Test("R-O2 an employee sees exactly the assigned products; only legal representatives and admins assign; foreign products are refused")
    func assignments() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let erin = try await t.addMember(to: w.client, email: "erin@client.test", role: "employee")
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/members", token: w.client.token)) as! [[String: Any]]
            let erinID = members.first { $0["email"] as? String == "erin@client.test" }!["id"] as! String
            let path = "/api/v1/organisations/\(w.client.organisationID)/members/\(erinID)/products"
            #expect(try await PartnershipTests().visibleProducts(t, erin, in: w.client.organisationID).1.isEmpty)
            let set = try await t.send(.PUT, path, token: w.client.token, json: #"{"product_ids":["\#(w.products[2])"]}"#)
            #expect(set.status == .ok, "\(set.body.string)")
            #expect(try await PartnershipTests().visibleProducts(t, erin, in: w.client.organisationID).1 == ["VPS backend"])
            // The employee cannot assign (403); another organisation's id is 404; a foreign product 422.
            #expect(try await t.send(.PUT, path, token: erin.token, json: #"{"product_ids":[]}"#).status == .forbidden)
            let mallory = try await t.signUp("mallory@elsewhere.test", organisation: "Elsewhere SA")
            #expect(try await t.send(.GET, path, token: mallory.token).status == .notFound)
            let foreignID = try await t.existingProducts(mallory, [(.vps, "Theirs")])[0]
            let refused = try await t.send(.PUT, path, token: w.client.token, json: #"{"product_ids":["\#(foreignID)"]}"#)
            #expect(refused.status == .conflict && refused.body.string.contains("product_ids"))
            #expect(try await PartnershipTests().visibleProducts(t, erin, in: w.client.organisationID).1 == ["VPS backend"])
        }
    }

    @Test("R-O2/R-S3 an employee grants support access for an assigned product, not for others nor the whole organisation")
    func employeeGrantsSupport() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let erin = try await t.addMember(to: w.client, email: "erin@client.test", role: "employee")
            let members = try t.json(try await t.send(.GET, "/api/v1/organisations/\(w.client.organisationID)/members", token: w.client.token)) as! [[String: Any]]
            let erinID = members.first { $0["email"] as? String == "erin@client.test" }!["id"] as! String
            _ = try await t.send(.PUT, "/api/v1/organisations/\(w.client.organisationID)/members/\(erinID)/products", token: w.client.token,
                                 json: #"{"product_ids":["\#(w.products[0])"]}"#)
            let grants = "/api/v1/organisations/\(w.client.organisationID)/support-grants"
            #expect(try await t.send(.POST, grants, token: erin.token, json: #"{"duration":"1h","product_id":"\#(w.products[0])"}"#).status == .created)
            #expect(try await t.send(.POST, grants, token: erin.token, json: #"{"duration":"1h","product_id":"\#(w.products[1])"}"#).status == .forbidden)
            #expect(try await t.send(.POST, grants, token: erin.token, json: #"{"duration":"1h"}"#).status == .forbidden)
        }
    }

    @Test("R-O2 the console's assignment page: checkboxes saved, shown again ticked")
    func console() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            _ = try await t.addMember(to: w.client, email: "erin@client.test", role: "employee")
            let member = try #require(try await t.store.membersOf(OrganisationID(string: w.client.organisationID)!).first { $0.0.email.value == "erin@client.test" }).0
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let page = "/console/orgs/\(w.client.organisationID)/members/\(member.membershipID.string)/products"
            #expect(try await clara.get("/console/orgs/\(w.client.organisationID)/members").body.string.contains(page))
            try await clara.get(page)
            #expect(try await clara.post(page, ["product_\(w.products[1])": "on"]).status == .seeOther)
            #expect(try await clara.get(page).body.string.contains(#"name="product_\#(w.products[1])" checked"#))
        }
    }
}
