import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// The partnership pages of the console, driven like a browser (forms, CSRF, redirects).
@Suite("Console: partners, clients, client context")
struct PartnershipConsoleTests {
    struct World {
        let client: TestApp.Account
        let partner: TestApp.Account
        let products: [Product]
    }

    func world(_ t: TestApp) async throws -> World {
        let client = try await t.signUp("clara@client.test", organisation: "Client AG")
        let partner = try await t.signUp("paul@partner.test", organisation: "Partner GmbH")
        try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: partner.organisationID)!, actor: "test", store: t.store)
        _ = try await t.existingProducts(client, ["Web hosting client.ch", "Mail client.ch", "VPS backend"].map { (.webHosting, $0) })
        let products = try await t.store.products(of: OrganisationID(string: client.organisationID)!)
        return World(client: client, partner: partner, products: products)
    }

    @Test("R-P3 in the console: search, choose limited access to two products, the partner accepts from the mail link, the client context shows exactly those")
    func addPartnerJourney() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let search = try await clara.get("/console/orgs/\(w.client.organisationID)/partners/new?q=partner")
            #expect(search.body.string.contains("Partner GmbH"))
            let chosen = w.products.filter { $0.name != "VPS backend" }
            var form = ["q": "partner", "partner_id": w.partner.organisationID, "access": "limited", "payment_mode": "client"]
            for product in chosen { form["technical_\(product.id.string)"] = "on"; form["statistics_\(product.id.string)"] = "on" }
            let sent = try await clara.post("/console/orgs/\(w.client.organisationID)/partners", form)
            #expect(sent.status == .seeOther, "\(sent.body.string.prefix(300))")
            // The partner follows the link from the e-mail.
            let mail = try #require(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).first { $0.body.contains("/partnerships/") })
            let linkRange = try #require(mail.body.range(of: #"/partnerships/[A-Za-z0-9_-]+"#, options: .regularExpression))
            let link = String(mail.body[linkRange])
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            #expect(try await paul.get(link).body.string.contains("Client AG"))
            let accepted = try await paul.post(link + "/accept", [:])
            #expect(accepted.headers.first(name: .location) == "/console/orgs/\(w.partner.organisationID)/clients")
            let clients = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients")
            let id = try #require(try await t.store.clientListings(partner: OrganisationID(string: w.partner.organisationID)!, onlyAssignedTo: nil).first?.partnership.id)
            #expect(clients.body.string.contains("Client AG"))
            let contextPage = try await paul.get("/console/orgs/\(w.partner.organisationID)/clients/\(id.string)").body.string
            #expect(contextPage.contains("You are managing Client AG as Partner GmbH (limited access)"))
            #expect(contextPage.contains("Web hosting client.ch") && contextPage.contains("Mail client.ch") && !contextPage.contains("VPS backend"))
        }
    }

    @Test("R-P8 in the console: the end page asks for the password; a wrong one changes nothing")
    func endWithPassword() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let service = t.app.partnerHub.partnerships
            let clientContext = try #require(try await t.store.context(user: UserID(string: w.client.userID)!, organisation: OrganisationID(string: w.client.organisationID)!))
            let clara = try #require(try await t.store.user(UserID(string: w.client.userID)!))
            let p = try await service.addPartner(clientContext, inviter: clara, partner: OrganisationID(string: w.partner.organisationID)!,
                                                 terms: .init(access: .full, paymentMode: .client, grants: [], endsAt: nil), store: t.store)
            let paulUser = try #require(try await t.store.user(UserID(string: w.partner.userID)!))
            let mail = try #require(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).first { $0.body.contains("/partnerships/") })
            let range = try #require(mail.body.range(of: #"/partnerships/[A-Za-z0-9_-]+"#, options: .regularExpression))
            let token = String(mail.body[range].dropFirst("/partnerships/".count))
            _ = try await service.answer(token: token, user: paulUser, accept: true, clientID: nil, terms: nil, store: t.store)
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            let endPath = "/console/orgs/\(w.client.organisationID)/partnerships/\(p.id.string)/end"
            let page = try await browser.get(endPath)
            #expect(page.body.string.contains("immediately loses all access"))
            let wrong = try await browser.post(endPath, ["password": "not-my-password"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await t.store.partnership(p.id)?.state == .active)
            try await browser.get(endPath)
            let ended = try await browser.post(endPath, ["password": TestApp.password])
            #expect(ended.status == .seeOther)
            #expect(try await t.store.partnership(p.id)?.state == .ended)
        }
    }

    @Test("Console partnership pages of other organisations answer 404")
    func isolation() async throws {
        try await TestApp.with { t in
            let w = try await world(t)
            let clientContext = try #require(try await t.store.context(user: UserID(string: w.client.userID)!, organisation: OrganisationID(string: w.client.organisationID)!))
            let clara = try #require(try await t.store.user(UserID(string: w.client.userID)!))
            let p = try await t.app.partnerHub.partnerships.addPartner(clientContext, inviter: clara, partner: OrganisationID(string: w.partner.organisationID)!,
                                                                       terms: .init(access: .full, paymentMode: .client, grants: [], endsAt: nil), store: t.store)
            _ = try await t.signUp("oscar@outside.test", organisation: "Outside")
            let oscar = Browser(t)
            try await oscar.logIn("oscar@outside.test")
            let o = w.client.organisationID
            for path in ["/products", "/partners", "/partners/new", "/partnerships/\(p.id.string)", "/partnerships/\(p.id.string)/end", "/clients", "/clients/\(p.id.string)"] {
                #expect(try await oscar.get("/console/orgs/\(o)\(path)").status == .notFound, "\(path)")
            }
            try await oscar.get("/console/profile")
            for path in ["/partners", "/partnerships/\(p.id.string)", "/partnerships/\(p.id.string)/end", "/partnerships/\(p.id.string)/withdraw", "/clients"] {
                #expect(try await oscar.post("/console/orgs/\(o)\(path)", ["name": "x", "access": "full", "password": TestApp.password]).status == .notFound, "POST \(path)")
            }
            #expect(try await t.store.partnership(p.id)?.state == .invited)
        }
    }
}

@Suite("The client's activity timeline")
struct ActivityTimelineTests {
    @Test("R-L1 the client sees what the partner did in its organisation, filtered, and exports it as CSV")
    func timeline() async throws {
        try await TestApp.with { t in
            let base = PartnershipTests()
            let w = try await base.world(t)
            _ = try await base.limitedPartnership(t, w)
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            let all = try await browser.get("/console/orgs/\(w.client.organisationID)/activity").body.string
            #expect(all.contains("partnership.invited") && all.contains("partnership.accepted"))
            let partnersOnly = try await browser.get("/console/orgs/\(w.client.organisationID)/activity?by=partners").body.string
            #expect(partnersOnly.contains("partnership.accepted") && partnersOnly.contains("paul@partner.test"))
            #expect(!partnersOnly.contains("partnership.invited"))  // the client's own step
            let csv = try await browser.get("/console/orgs/\(w.client.organisationID)/activity.csv?by=partners&delimiter=semicolon")
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "time_utc;sequence;actor;actor_name;action;target;details")
            #expect(lines.dropFirst().allSatisfy { !$0.contains("partnership.invited") })
            #expect(lines.contains { $0.contains("partnership.accepted") && $0.contains("paul@partner.test") })
        }
    }

    @Test("R-O5 employees do not see the organisation's activity: told so (403), like the API")
    func employeesDoNot() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch")
            _ = try await t.addMember(to: owner, email: "ben@example.ch", role: "employee")
            let browser = Browser(t)
            try await browser.logIn("ben@example.ch")
            #expect(try await browser.get("/console/orgs/\(owner.organisationID)/activity").status == .forbidden)
            #expect(try await browser.get("/console/orgs/\(owner.organisationID)/activity.csv").status == .forbidden)
        }
    }
}

@Suite("Console: why may this user act?")
struct ExplainPageTests {
    @Test("R-P10 the client's legal representative sees the clause and the partnership a partner user's access rests on")
    func explain() async throws {
        try await TestApp.with { t in
            let base = PartnershipTests()
            let w = try await base.world(t)
            _ = try await base.limitedPartnership(t, w)
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            let page = try await browser.get("/console/orgs/\(w.client.organisationID)/products/\(w.products[0])/access?email=paul%40partner.test&action=manage")
            #expect(page.body.string.contains("(b) through an active partnership that grants it.") && page.body.string.contains("Partner GmbH"))
            let denied = try await browser.get("/console/orgs/\(w.client.organisationID)/products/\(w.products[2])/access?email=paul%40partner.test&action=manage")
            #expect(denied.body.string.contains("denied"))
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            // The partner sees the client but only the client explains access (R-O5 client_only), as in the API.
            #expect(try await paul.get("/console/orgs/\(w.client.organisationID)/products/\(w.products[0])/access").status == .forbidden)
        }
    }
}

@Suite("Console: the partner's invitation inbox")
struct PartnerInboxTests {
    @Test("R-P3 the partner's admin accepts a client's invitation from the clients list; an employee cannot")
    func acceptFromInbox() async throws {
        try await TestApp.with { t in
            let base = PartnershipTests()
            let w = try await base.world(t)
            let invite = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partners", token: w.client.token,
                                          json: #"{"partner_id":"\#(w.partner.organisationID)","access":"full"}"#)
            let id = (try t.json(invite) as! [String: Any])["id"] as! String
            _ = try await t.addMember(to: w.partner, email: "erin@partner.test", role: "employee")
            let erin = Browser(t)
            try await erin.logIn("erin@partner.test")
            try await erin.get("/console/orgs/\(w.partner.organisationID)/clients")
            #expect(try await erin.post("/console/orgs/\(w.partner.organisationID)/partnerships/\(id)/accept", [:]).status == .forbidden)
            _ = try await t.addMember(to: w.partner, email: "ada@partner.test", role: "admin")
            let ada = Browser(t)
            try await ada.logIn("ada@partner.test")
            let list = try await ada.get("/console/orgs/\(w.partner.organisationID)/clients").body.string
            #expect(list.contains("/partnerships/\(id)/accept"))
            #expect(try await ada.post("/console/orgs/\(w.partner.organisationID)/partnerships/\(id)/accept", [:]).status == .seeOther)
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .active)
            // The client cannot accept its own invitation through the partner's route.
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            #expect(try await clara.post("/console/orgs/\(w.client.organisationID)/partnerships/\(id)/accept", [:]).status == .notFound)
        }
    }
}

@Suite("The client's request inbox (R-P2)")
struct ClientInboxTests {
    /// The partner asks Client AG's representative (by e-mail) for full access with payment mode partner.
    func request(_ t: TestApp, _ w: PartnershipTests.World) async throws -> String {
        let invite = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/clients", token: w.partner.token,
                                      json: #"{"email":"\#(w.client.email)","access":"full","payment_mode":"partner"}"#)
        try #require(invite.status == .created, "\(invite.body.string)")
        return (try t.json(invite) as! [String: Any])["id"] as! String
    }

    @Test("R-P2 the addressee lists the request and grants one product instead of full access; the inbox is then empty")
    func acceptThroughAPI() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let id = try await request(t, w)
            let inbox = try t.json(try await t.send(.GET, "/api/v1/partnership-requests", token: w.client.token)) as! [[String: Any]]
            #expect(inbox.map { $0["id"] as? String } == [id])
            #expect(inbox.first?["counterpart_name"] as? String == "Partner GmbH" && inbox.first?["requested_access"] as? String == "full")
            let accepted = try await t.send(.POST, "/api/v1/partnership-requests/\(id)/accept", token: w.client.token, json: """
                {"client_id":"\(w.client.organisationID)","access":"limited","products":[{"product_id":"\(w.products[1])","technical":true,"statistics":false}]}
                """)
            #expect(accepted.status == .ok, "\(accepted.body.string)")
            let body = try t.json(accepted) as! [String: Any]
            #expect(body["state"] as? String == "active" && body["access"] as? String == "limited" && body["client_id"] as? String == w.client.organisationID)
            #expect(try await PartnershipTests().visibleProducts(t, w.partner, in: w.client.organisationID).1 == ["Mail client.ch"])
            #expect((try t.json(try await t.send(.GET, "/api/v1/partnership-requests", token: w.client.token)) as! [[String: Any]]).isEmpty)
        }
    }

    @Test("R-P2 another user neither sees nor answers a request addressed to someone else (404)")
    func isolation() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let id = try await request(t, w)
            let mallory = try await t.signUp("mallory@elsewhere.test", organisation: "Elsewhere SA")
            #expect((try t.json(try await t.send(.GET, "/api/v1/partnership-requests", token: mallory.token)) as! [[String: Any]]).isEmpty)
            let attempt = try await t.send(.POST, "/api/v1/partnership-requests/\(id)/accept", token: mallory.token,
                                           json: #"{"client_id":"\#(mallory.organisationID)"}"#)
            #expect(attempt.status == .notFound)
            // The addressee cannot answer for an organisation they do not represent.
            let foreign = try await t.send(.POST, "/api/v1/partnership-requests/\(id)/accept", token: w.client.token,
                                           json: #"{"client_id":"\#(mallory.organisationID)"}"#)
            #expect(foreign.status == .forbidden)
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .invited)
            let browser = Browser(t)
            try await browser.logIn("mallory@elsewhere.test")
            #expect(try await browser.get("/console/orgs/\(mallory.organisationID)/partner-requests/\(id)").status == .notFound)
        }
    }

    @Test("R-P4 an expired request leaves the inbox and can no longer be accepted")
    func expiry() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let id = try await request(t, w)
            t.clock.advance(14 * 86_400)
            #expect((try t.json(try await t.send(.GET, "/api/v1/partnership-requests", token: w.client.token)) as! [[String: Any]]).isEmpty)
            let late = try await t.send(.POST, "/api/v1/partnership-requests/\(id)/accept", token: w.client.token,
                                        json: #"{"client_id":"\#(w.client.organisationID)"}"#)
            #expect(late.status == .gone)
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .invited)
        }
    }

    @Test("R-P2 in the console: the request shows on the partners page, the answer page preselects it, declining tells the partner")
    func console() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            let id = try await request(t, w)
            let clara = Browser(t)
            try await clara.logIn(w.client.email)
            let partners = try await clara.get("/console/orgs/\(w.client.organisationID)/partners").body.string
            #expect(partners.contains("Requests from partners") && partners.contains("/partner-requests/\(id)"))
            let page = try await clara.get("/console/orgs/\(w.client.organisationID)/partner-requests/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Partner GmbH asks for full access"))
            // A form without an access type is shown again with the message; nothing changes.
            let bad = try await clara.post("/console/orgs/\(w.client.organisationID)/partner-requests/\(id)/accept", ["payment_mode": "client"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("error-summary"))
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .invited)
            let declined = try await clara.post("/console/orgs/\(w.client.organisationID)/partner-requests/\(id)/decline", [:])
            #expect(declined.headers.first(name: .location) == "/console/orgs/\(w.client.organisationID)/partners")
            #expect(try await t.store.partnership(PartnershipID(string: id)!)?.state == .declined)
            #expect(try await t.store.outbox(recipient: EmailAddress(w.partner.email)!).contains { $0.subject == "Invitation declined" })
        }
    }
}
