import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Issue #5 through the API: applying (R-E1, R-E4), the provider's decisions (R-E2) and partner
/// list (R-E3). Expected values are worked out from the rules, not read back from the program.
@Suite("Partner program: applications and standings")
struct ProgramTests {
    let billing = BillingTests()

    static let uid = "CHE-123.456.788"

    func staffToken(_ t: TestApp, role: StaffRole = .programAdmin) async throws -> String { try await ProviderAPITests().staffToken(t, role: role) }

    func apply(_ t: TestApp, _ account: TestApp.Account, register: String = ProgramTests.uid, website: String = "https://webagentur.example.ch",
               terms: String? = ResellerTerms.currentVersion, commit: Bool = true) async throws -> TestingHTTPResponse {
        let termsJSON = terms.map { #""\#($0)""# } ?? "null"
        return try await t.send(.POST, "/api/v1/organisations/\(account.organisationID)/partner-applications", token: account.token,
                                json: #"{"register_id":"\#(register)","website":"\#(website)","accept_terms_version":\#(termsJSON),"commit_to_minimum_volume":\#(commit)}"#)
    }

    func object(_ t: TestApp, _ response: TestingHTTPResponse) throws -> [String: Any] { try #require(try t.json(response) as? [String: Any]) }

    func isPartner(_ t: TestApp, _ account: TestApp.Account) async throws -> Bool {
        try await t.store.organisation(id: OrganisationID(string: account.organisationID)!)?.isPartner == true
    }

    @Test("R-E1 a legal representative applies with a valid Swiss UID: stored verified with the terms' version and time; the admins are e-mailed; audited")
    func applyValid() async throws {
        try await TestApp.with { t in
            _ = try await staffToken(t)
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            let response = try await apply(t, applicant)
            #expect(response.status == .created, "\(response.body.string)")
            let body = try object(t, response)
            #expect(body["register_status"] as? String == "verified" && body["register_id"] as? String == Self.uid)
            #expect(body["terms_version"] as? String == ResellerTerms.currentVersion && body["status"] as? String == "pending")
            #expect(body["terms_accepted_at"] as? String == ISO8601DateFormatter().string(from: t.clock.now()))
            #expect(try await t.store.outbox(recipient: EmailAddress("petra@provider.test")!).contains { $0.subject.contains("Webagentur AG") })
            #expect(try await t.store.outbox(recipient: EmailAddress("lena@webagentur.test")!).contains { $0.body.contains("/program") })
            #expect(try await t.store.auditEvents(organisation: OrganisationID(string: applicant.organisationID)!, limit: 50).map(\.action).contains("partner.applied"))
            // Another country's id goes to manual review rather than being refused.
            let foreign = try await t.signUp("max@agentur.test", organisation: "Agentur GmbH", country: "DE")
            let manual = try await apply(t, foreign, register: "HRB 123456")
            let manualBody = try object(t, manual)
            #expect(manual.status == .created && manualBody["register_status"] as? String == "manual_review", "\(manual.body.string)")
        }
    }

    @Test("R-E1 bad applications name the field and write nothing: a wrong check digit, a website that is not absolute http(s), terms not accepted, no commitment")
    func applyInvalid() async throws {
        try await TestApp.with { t in
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            for (response, field) in [
                (try await apply(t, applicant, register: "CHE-123.456.789"), "register_id"),
                (try await apply(t, applicant, website: "webagentur.example.ch"), "website"),
                (try await apply(t, applicant, website: "ftp://webagentur.example.ch"), "website"),
                // The API names its own fields (the contract states the current version and `true`).
                (try await apply(t, applicant, terms: nil), "accept_terms_version"),
                (try await apply(t, applicant, terms: "2019-1"), "accept_terms_version"),
                (try await apply(t, applicant, commit: false), "commit_to_minimum_volume"),
            ] {
                #expect(response.status == .unprocessableEntity && response.body.string.contains("\"\(field)\""), "\(field): \(response.body.string)")
            }
            #expect(try await t.store.applications(of: OrganisationID(string: applicant.organisationID)!).isEmpty)
            let wrongDigit = try await apply(t, applicant, register: "CHE-123.456.789")
            #expect(wrongDigit.body.string.contains("invalid_register_id"))
        }
    }

    @Test("R-E1 applying twice is refused while the first is pending; an employee may not apply; nothing is written")
    func applyTwice() async throws {
        try await TestApp.with { t in
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            #expect(try await apply(t, applicant).status == .created)
            let again = try await apply(t, applicant)
            #expect(again.status == .conflict && again.body.string.contains("already under review"), "\(again.body.string)")
            let employee = try await t.addMember(to: applicant, email: "eva@webagentur.test", role: "employee")
            let refused = try await apply(t, employee)
            #expect(refused.status == .forbidden)
            #expect(try await t.store.applications(of: OrganisationID(string: applicant.organisationID)!).count == 1)
        }
    }

    @Test("R-E4 an affiliate cannot apply for a partner organisation, nor can an organisation one of whose members is an affiliate")
    func affiliateExcludesPartner() async throws {
        try await TestApp.with { t in
            let person = try await t.signUp("alex@private.test", organisation: "Alex (affiliate)")
            _ = try await t.store.createAffiliate(user: UserID(string: person.userID)!, organisation: OrganisationID(string: person.organisationID)!, code: "ALEX2026",
                                                  now: t.clock.now())
            let own = try await apply(t, person)
            #expect(own.status == .conflict && own.body.string.contains("affiliate"), "\(own.body.string)")
            let agency = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            // The affiliate joins the agency by invitation.
            #expect(try await t.send(.POST, "/api/v1/organisations/\(agency.organisationID)/invitations", token: agency.token,
                                     json: #"{"email":"alex@private.test","role":"admin"}"#).status == .created)
            let invitation = try await t.invitationToken(to: "alex@private.test")
            #expect(try await t.send(.POST, "/api/v1/invitations/accept", token: person.token, json: #"{"token":"\#(invitation)"}"#).status == .ok)
            let theirs = try await apply(t, agency)
            #expect(theirs.status == .conflict && theirs.body.string.contains("affiliate"), "\(theirs.body.string)")
            #expect(try await t.store.applications(of: OrganisationID(string: agency.organisationID)!).isEmpty)
        }
    }

    @Test("R-E2 a program admin approves with rates: the organisation is a partner with exactly those rates, the applicant is e-mailed, both steps audited; a second decision is refused")
    func approve() async throws {
        try await TestApp.with { t in
            let admin = try await staffToken(t)
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            let id = try object(t, try await apply(t, applicant))["id"] as! String
            let queue = try #require(try t.json(try await t.send(.GET, "/api/v1/provider/applications", token: admin)) as? [[String: Any]])
            #expect(queue.map { $0["id"] as? String } == [id])
            let approved = try await t.send(.POST, "/api/v1/provider/applications/\(id)/approve", token: admin,
                                            json: #"{"rates":[{"category":"web-hosting","rate_basis_points":2000},{"category":"vps","rate_basis_points":1500}]}"#)
            #expect(approved.status == .ok, "\(approved.body.string)")
            #expect(try object(t, approved)["status"] as? String == "approved")
            #expect(try await isPartner(t, applicant))
            let rates = try await t.store.partnerRates(OrganisationID(string: applicant.organisationID)!)
            #expect(rates.rate(.webHosting) == BasisPoints(2000) && rates.rate(.vps) == BasisPoints(1500))
            #expect(try await t.store.outbox(recipient: EmailAddress("lena@webagentur.test")!).contains { $0.body.contains("/benefits") })
            let actions = try await t.store.auditEvents(organisation: OrganisationID(string: applicant.organisationID)!, limit: 50).map(\.action)
            #expect(actions.contains("partner.application_approved") && actions.contains("partner.rate_changed"))
            let twice = try await t.send(.POST, "/api/v1/provider/applications/\(id)/reject", token: admin, json: #"{"reason":"changed my mind"}"#)
            #expect(twice.status == .conflict)
            #expect((try t.json(try await t.send(.GET, "/api/v1/provider/applications", token: admin)) as? [Any])?.isEmpty == true)
        }
    }

    @Test("R-E2 a rate above 35 % is refused naming the category and leaves the application pending; a support agent may not decide (403)")
    func approveInvalid() async throws {
        try await TestApp.with { t in
            let admin = try await staffToken(t)
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            let id = try object(t, try await apply(t, applicant))["id"] as! String
            let tooHigh = try await t.send(.POST, "/api/v1/provider/applications/\(id)/approve", token: admin,
                                           json: #"{"rates":[{"category":"web-hosting","rate_basis_points":3600}]}"#)
            #expect(tooHigh.status == .unprocessableEntity && tooHigh.body.string.contains("rates.0.rate_basis_points"), "\(tooHigh.body.string)")
            let support = try await staffToken(t, role: .support)
            #expect(try await t.send(.POST, "/api/v1/provider/applications/\(id)/approve", token: support, json: #"{"rates":[]}"#).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/provider/applications", token: applicant.token).status == .unauthorized)
            #expect(try await t.store.application(ApplicationID(string: id)!)?.status == .pending)
            #expect(!(try await isPartner(t, applicant)))
        }
    }

    @Test("R-E2 rejection needs a reason, which reaches the applicant by e-mail; the organisation may apply again")
    func reject() async throws {
        try await TestApp.with { t in
            let admin = try await staffToken(t)
            let applicant = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            let id = try object(t, try await apply(t, applicant))["id"] as! String
            let empty = try await t.send(.POST, "/api/v1/provider/applications/\(id)/reject", token: admin, json: #"{"reason":"  "}"#)
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("\"reason\""))
            let rejected = try await t.send(.POST, "/api/v1/provider/applications/\(id)/reject", token: admin, json: #"{"reason":"Die Website ist nicht erreichbar."}"#)
            let rejectedBody = try object(t, rejected)
            #expect(rejected.status == .ok && rejectedBody["reason"] as? String == "Die Website ist nicht erreichbar.")
            #expect(try await t.store.outbox(recipient: EmailAddress("lena@webagentur.test")!).contains { $0.body.contains("Die Website ist nicht erreichbar.") })
            #expect(!(try await isPartner(t, applicant)))
            #expect(try await apply(t, applicant).status == .created)
        }
    }

    @Test("R-E3 the partner list: volume is the public price of the partner's orders over 12 months; flagged below CHF 2000 only from 12 months after approval")
    func standings() async throws {
        try await TestApp.with { t in
            let admin = try await staffToken(t)
            let w = try await PartnershipTests().world(t)
            let quiet = try await t.signUp("quinn@quiet.test", organisation: "Quiet GmbH")
            try await billing.fullPartnership(t, w, mode: "partner")
            // Quiet becomes a partner 300 days after Partner GmbH.
            t.clock.advance(300 * 86_400)
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: quiet.organisationID)!, actor: "test", store: t.store)
            #expect(try await billing.topUp(t, w.partner, "500.00").status == .created)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(35))
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            t.clock.advance(70 * 86_400)
            let list = try #require(try t.json(try await t.send(.GET, "/api/v1/provider/partners", token: admin)) as? [[String: Any]])
            let partner = try #require(list.first { $0["organisation_id"] as? String == w.partner.organisationID })
            // 35 × 9.92 = 347.20, −25 % from 35 hostings = 260.40 public price (the partner paid 208.32).
            #expect(partner["volume"] as? Int == 26040 && partner["minimum"] as? Int == 200_000 && partner["currency"] as? String == "CHF")
            #expect(partner["below_minimum"] as? Bool == true)
            let newcomer = try #require(list.first { $0["organisation_id"] as? String == quiet.organisationID })
            #expect(newcomer["volume"] as? Int == 0 && newcomer["below_minimum"] as? Bool == false)
        }
    }
}
