import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

@Suite("R-S3 temporary support access")
struct SupportAccessTests {
    @Test("R-S3 support sees the organisation's products only while a grant runs; revoking or expiry ends it; every view is audited")
    func grantAndExpire() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            _ = try await t.existingProducts(owner, [(.vps, "Backend VPS")])
            _ = try await t.app.partnerHub.accounts.addStaff(email: "sam@provider.test", name: "Sam", role: .support, password: "support-secret-1", store: t.store)
            let sam = Browser(t)
            try await sam.get("/provider/login")
            _ = try await sam.post("/provider/login", ["email": "sam@provider.test", "password": "support-secret-1"])
            let page = "/provider/organisations/\(owner.organisationID)"
            #expect(try await sam.get(page).body.string.contains("has granted no active support access"))
            let granted = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: owner.token, json: #"{"duration":"1h"}"#)
            #expect(granted.status == .created)
            let grantID = (try t.json(granted) as! [String: Any])["id"] as! String
            let during = try await sam.get(page).body.string
            #expect(during.contains("Backend VPS") && during.contains(grantID))
            let audit = try await t.store.auditEvents(organisation: OrganisationID(string: owner.organisationID)!, limit: 50)
            #expect(audit.contains { $0.action == "support.viewed_products" && $0.actor.hasPrefix("staff:") && $0.details.contains(grantID) })
            t.clock.advance(3601)
            #expect(!(try await sam.get(page).body.string.contains("Backend VPS")))
            // A new grant, revoked at once.
            let second = try t.json(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: owner.token, json: #"{"duration":"7d"}"#)) as! [String: Any]
            #expect(try await sam.get(page).body.string.contains("Backend VPS"))
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(owner.organisationID)/support-grants/\(second["id"] as! String)", token: owner.token).status == .noContent)
            #expect(!(try await sam.get(page).body.string.contains("Backend VPS")))
        }
    }

    @Test("R-O2 employees grant no support access; other organisations' grants are not found; bad durations are refused")
    func rules() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let employee = try await t.addMember(to: owner, email: "ben@example.ch", role: "employee")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: employee.token, json: #"{"duration":"1h"}"#).status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: owner.token, json: #"{"duration":"2h"}"#).status == .unprocessableEntity)
            let grant = try t.json(try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: owner.token, json: #"{"duration":"24h"}"#)) as! [String: Any]
            let other = try await t.signUp("oscar@outside.test")
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(other.organisationID)/support-grants/\(grant["id"] as! String)", token: other.token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(owner.organisationID)/support-grants", token: other.token).status == .notFound)
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(owner.organisationID)/support-grants/\(grant["id"] as! String)", token: other.token).status == .notFound)
        }
    }

    @Test("The settings page grants and revokes support access without JavaScript")
    func console() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            let settings = "/console/orgs/\(owner.organisationID)/settings"
            #expect(try await browser.get(settings).body.string.contains("No active support access."))
            #expect(try await browser.post("/console/orgs/\(owner.organisationID)/support-grants", ["duration": "24h", "product_id": ""]).status == .seeOther)
            let page = try await browser.get(settings).body.string
            #expect(page.contains("active until") && page.contains("whole organisation"))
        }
    }
}
