import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Issue #5 in the console, as a browser without JavaScript uses it: forms re-shown with their
/// messages, confirmations before deleting, texts in the visitor's language.
@Suite("Console: applying, the provider's queue, tenders and the directory")
struct ProgramConsoleTests {
    let tenders = TenderTests()

    func staff(_ t: TestApp, role: StaffRole = .programAdmin) async throws -> Browser { try await ProviderBillingTests().staff(t, role: role) }

    @Test("R-E1 the application form re-shows a wrong check digit with the input kept; a valid one lands in the queue and the program admin approves it with rates")
    func applyAndApprove() async throws {
        try await TestApp.with { t in
            let lena = try await t.signUp("lena@webagentur.test", organisation: "Webagentur AG")
            let browser = Browser(t, language: "de")
            try await browser.logIn("lena@webagentur.test")
            try await browser.get("/lang/de?back=/console")
            let page = try await browser.get("/console/orgs/\(lena.organisationID)/program")
            #expect(page.status == .ok && page.body.string.contains("Partner werden") && page.body.string.contains("Version 2026-1"))
            let form = ["register_id": "CHE-123.456.789", "website": "https://webagentur.example.ch", "accept_terms": ResellerTerms.currentVersion, "minimum_volume": "yes"]
            let bad = try await browser.post("/console/orgs/\(lena.organisationID)/program", form)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Prüfziffer") && bad.body.string.contains("https://webagentur.example.ch"))
            #expect(try await t.store.applications(of: OrganisationID(string: lena.organisationID)!).isEmpty)
            var good = form
            good["register_id"] = ProgramTests.uid
            let sent = try await browser.post("/console/orgs/\(lena.organisationID)/program", good)
            #expect(sent.status == .seeOther)
            #expect(try await browser.get("/console/orgs/\(lena.organisationID)/program").body.string.contains("In Prüfung"))

            let petra = try await staff(t)
            let queue = try await petra.get("/provider/applications")
            #expect(queue.status == .ok && queue.body.string.contains("Webagentur AG"))
            let id = try #require(try await t.store.applications(status: .pending).first?.id.string)
            let detail = try await petra.get("/provider/applications/\(id)")
            #expect(detail.body.string.contains(ProgramTests.uid) && detail.body.string.contains("rate_web-hosting"))
            var rates: [String: String] = [:]
            for category in ProductCategory.allCases where category != .domain { rates["rate_\(category.rawValue)"] = "10" }
            rates["rate_web-hosting"] = "40"
            let refused = try await petra.post("/provider/applications/\(id)/approve", rates)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("error-summary"))
            #expect(try await t.store.application(ApplicationID(string: id)!)?.status == .pending)
            rates["rate_web-hosting"] = "20"
            #expect(try await petra.post("/provider/applications/\(id)/approve", rates).status == .seeOther)
            #expect(try await t.store.partnerRates(OrganisationID(string: lena.organisationID)!).rate(.webHosting) == BasisPoints(2000))
            // The partner's menu now offers tenders and the directory profile.
            let dashboard = try await browser.get("/console/orgs/\(lena.organisationID)")
            #expect(dashboard.body.string.contains("/tenders\"") && dashboard.body.string.contains("/directory-profile"))
            let partners = try await petra.get("/provider/partners")
            #expect(partners.body.string.contains("Webagentur AG") && partners.body.string.contains("<progress"))
        }
    }

    @Test("R-O3 support agents cannot open the application queue, the partner list or the category editor; customers are sent to sign in")
    func providerOnly() async throws {
        try await TestApp.with { t in
            let sam = try await staff(t, role: .support)
            for path in ["/provider/applications", "/provider/partners", "/provider/tender-categories"] {
                #expect(try await sam.get(path).status == .forbidden, "\(path)")
            }
            _ = try await t.signUp("clara@client.test")
            let clara = Browser(t)
            try await clara.logIn("clara@client.test")
            #expect(try await clara.get("/provider/applications").status == .seeOther)
        }
    }

    @Test("R-T1 a program admin adds a tender category; it appears on the public form at once; a bad key is re-shown")
    func categories() async throws {
        try await TestApp.with { t in
            let petra = try await staff(t)
            let bad = try await petra.post("/provider/tender-categories", ["key": "Not A Key!", "name_de": "X", "name_en": "X", "name_fr": "X", "position": "70", "active": "yes"])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await petra.post("/provider/tender-categories", ["key": "seo", "name_de": "Suchmaschinenoptimierung", "name_en": "Search engine optimisation",
                                                                         "name_fr": "Référencement", "position": "70", "active": "yes"]).status == .seeOther)
            let visitor = Browser(t, language: "fr")
            #expect(try await visitor.get("/tenders/new").body.string.contains("Référencement"))
            #expect(try await t.store.providerAuditEvents(limit: 20).map(\.action).contains("tender.category_saved"))
        }
    }

    @Test("R-T1 … R-T5 in the console: a visitor posts, the partner sees the excerpt then the contact and offers, the visitor deletes after confirming, the partner sees no longer available")
    func tenderJourney() async throws {
        try await TestApp.with { t in
            let anna = try await tenders.partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let visitor = Browser(t, language: "de")
            let form = try await visitor.get("/tenders/new")
            #expect(form.status == .ok && form.body.string.contains("Angebote einholen"))
            var fields = ["title": "Website für Weingut", "description": TenderTests.description, "category_website-creation": "on", "region": "ch-zurich",
                          "language": "de", "budget": "1000-5000", "contact_name": "Vera Keller", "contact_email": "", "contact_phone": "", "contact_organisation": "Weingut Keller"]
            let missing = try await visitor.post("/tenders/new", fields)
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains("Weingut Keller") && missing.body.string.contains("error-summary"))
            fields["contact_email"] = "vera@weingut.test"
            let posted = try await visitor.post("/tenders/new", fields)
            #expect(posted.status == .seeOther && posted.headers.first(name: .location) == "/tenders/submitted")
            try await tenders.fanOut(t)

            let partner = Browser(t, language: "de")
            try await partner.logIn("anna@alpen.test")
            try await partner.get("/lang/de?back=/console")
            // R-T2's console notification: the menu counts the unopened tender.
            #expect(try await partner.get("/console/orgs/\(anna.organisationID)").body.string.contains("aria-label=\"Neue Ausschreibungen: 1\""))
            let list = try await partner.get("/console/orgs/\(anna.organisationID)/tenders")
            #expect(list.body.string.contains("Website für Weingut") && list.body.string.contains("neu") && !list.body.string.contains("vera@weingut.test"))
            let id = try #require(try await t.store.tenderMatches(OrganisationID(string: anna.organisationID)!).first?.tender.tender.id.string)
            let opened = try await partner.get("/console/orgs/\(anna.organisationID)/tenders/\(id)")
            #expect(opened.status == .ok && opened.body.string.contains("vera@weingut.test"))
            let badOffer = try await partner.post("/console/orgs/\(anna.organisationID)/tenders/\(id)/offers", ["message": "", "price": "", "valid_until": "", "access": "full"])
            #expect(badOffer.status == .unprocessableEntity && badOffer.body.string.contains("error-summary"))
            let offer = try await partner.post("/console/orgs/\(anna.organisationID)/tenders/\(id)/offers",
                                               ["message": "Gerne erstellen wir Ihre Website.", "price": "4800", "valid_until": "", "access": "full"])
            #expect(offer.status == .seeOther)

            let token = try await tenders.manageToken(t)
            let manage = try await visitor.get("/tenders/manage/\(token)")
            #expect(manage.body.string.contains("Gerne erstellen wir Ihre Website.") && manage.body.string.contains("Partner anna"))
            let confirm = try await visitor.get("/tenders/manage/\(token)/delete")
            #expect(confirm.status == .ok && confirm.body.string.contains("lässt sich nicht rückgängig machen"))
            #expect(try await t.store.tender(TenderID(string: id)!)?.tender.deletedAt == nil)
            let deleted = try await visitor.post("/tenders/manage/\(token)/delete", [:])
            #expect(deleted.body.string.contains("Die Ausschreibung ist gelöscht."))
            let twice = try await visitor.post("/tenders/manage/\(token)/delete", [:])
            #expect(twice.status == .gone && twice.body.string.contains("bereits gelöscht"))
            let after = try await partner.get("/console/orgs/\(anna.organisationID)/tenders/\(id)")
            #expect(!after.body.string.contains("Neue Ausschreibungen:"))
            #expect(after.status == .gone && after.body.string.contains("nicht mehr verfügbar") && !after.body.string.contains("vera@weingut.test"))
        }
    }

    @Test("R-D1 a partner publishes its profile from the console; the public directory filters and links to a request form addressed to it")
    func directory() async throws {
        try await TestApp.with { t in
            let anna = try await tenders.partner(t, "anna@alpen.test", categories: [], regions: [], languages: [])
            let browser = Browser(t, language: "en")
            try await browser.logIn("anna@alpen.test")
            let bad = try await browser.post("/console/orgs/\(anna.organisationID)/directory-profile", ["description": "Websites from Zurich.", "website": "alpen", "published": "yes"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Websites from Zurich."))
            let saved = try await browser.post("/console/orgs/\(anna.organisationID)/directory-profile",
                                               ["description": "Websites from Zurich.", "website": "https://alpen.example.ch", "language_de": "on", "region_ch-zurich": "on",
                                                "specialty_website-creation": "on", "published": "yes"])
            #expect(saved.status == .seeOther)
            let visitor = Browser(t, language: "en")
            #expect(try await visitor.get("/directory?region=ch-zurich").body.string.contains("Partner anna"))
            let none = try await visitor.get("/directory?region=ch-ticino")
            #expect(!none.body.string.contains("Partner anna") && none.body.string.contains("No partner matches"))
            let profile = try await visitor.get("/directory/\(anna.organisationID)")
            #expect(profile.body.string.contains("https://alpen.example.ch") && profile.body.string.contains("/tenders/new?partner=\(anna.organisationID)"))
            let request = try await visitor.get("/tenders/new?partner=\(anna.organisationID)")
            #expect(request.body.string.contains("Your request goes to Partner anna only."))
        }
    }

    @Test("R-E3 the partner's dashboard counts the public price like the provider's list: 35 hostings bought at 208.32 in mode partner count 260.40")
    func dashboardVolume() async throws {
        try await TestApp.with { t in
            let billing = BillingTests()
            let w = try await PartnershipTests().world(t)
            try await billing.fullPartnership(t, w, mode: "partner")
            #expect(try await billing.topUp(t, w.partner, "500.00").status == .created)
            let q = try await billing.quote(t, w.partner, client: w.client.organisationID, billing.webHostings(35))
            #expect(try await billing.confirm(t, w.partner, client: w.client.organisationID, quote: q, method: "wallet").status == .created)
            let paul = Browser(t)
            try await paul.logIn(w.partner.email)
            let home = try await paul.get("/console/orgs/\(w.partner.organisationID)").body.string
            #expect(home.contains("Managed volume (12 months): CHF 260.40 of CHF 2,000.00"))
            #expect(try await paul.get("/console/orgs/\(w.partner.organisationID)/billing").body.string.contains("CHF 260.40 of CHF 2,000.00"))
        }
    }

    @Test("R-P9 a partner's employee sees neither tenders nor the directory profile in the menu, and gets 403 there")
    func employees() async throws {
        try await TestApp.with { t in
            let anna = try await tenders.partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            _ = try await t.addMember(to: anna, email: "eve@alpen.test", role: "employee")
            let eve = Browser(t)
            try await eve.logIn("eve@alpen.test")
            let home = try await eve.get("/console/orgs/\(anna.organisationID)").body.string
            #expect(!home.contains("/tenders\"") && !home.contains("/directory-profile") && home.contains("/clients"))
            #expect(try await eve.get("/console/orgs/\(anna.organisationID)/tenders").status == .forbidden)
            #expect(try await eve.get("/console/orgs/\(anna.organisationID)/directory-profile").status == .forbidden)
        }
    }

    @Test("Another organisation's program pages answer 404")
    func isolation() async throws {
        try await TestApp.with { t in
            let anna = try await tenders.partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let id = (try t.json(try await tenders.submit(t, tenders.tenderJSON())) as! [String: Any])["id"] as! String
            try await tenders.fanOut(t)
            _ = try await t.signUp("sam@stranger.test", organisation: "Stranger AG")
            let stranger = Browser(t)
            try await stranger.logIn("sam@stranger.test")
            let org = anna.organisationID
            for path in ["/console/orgs/\(org)/program", "/console/orgs/\(org)/tenders", "/console/orgs/\(org)/tenders/\(id)", "/console/orgs/\(org)/directory-profile"] {
                #expect(try await stranger.get(path).status == .notFound, "\(path)")
            }
            for (path, form) in [("/console/orgs/\(org)/program", ["register_id": ProgramTests.uid]), ("/console/orgs/\(org)/tenders/subscription", [:]),
                                 ("/console/orgs/\(org)/tenders/\(id)/offers", ["message": "hi"]), ("/console/orgs/\(org)/directory-profile", ["description": "x"])] {
                #expect(try await stranger.post(path, form).status == .notFound, "\(path)")
            }
            #expect(try await t.store.tenderSubscription(OrganisationID(string: org)!).categories == ["website-creation"])
        }
    }
}
