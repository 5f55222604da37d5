import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Tenders (R-T1 … R-T5) and the directory (R-D1) through the API, with the fan-out run as the
/// background job runs it.
@Suite("Tenders and the directory")
struct TenderTests {
    static let description = "Wir brauchen eine neue Website für unser Weingut mit Shop, Buchung von Degustationen und Umzug der bestehenden Mailboxen. "
        + "Der bestehende Auftritt läuft auf einem alten CMS; die Inhalte (rund 40 Seiten) sollen übernommen werden. Termin: Frühling."

    func tenderJSON(title: String = "Website für Weingut", categories: [String] = ["website-creation"], region: String = "ch-zurich", language: String = "de",
                    email: String = "vera@weingut.test", description: String = TenderTests.description) -> String {
        let cats = categories.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"title":"\#(title)","description":"\#(description)","categories":[\#(cats)],"region":"\#(region)","language":"\#(language)","budget":"1000-5000","contact_name":"Vera Keller","contact_email":"\#(email)","contact_phone":"+41 44 123 45 67"}"#
    }

    func submit(_ t: TestApp, _ json: String, token: String? = nil) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/tenders", token: token, json: json)
    }

    /// An approved partner subscribed to the given categories, regions and languages.
    func partner(_ t: TestApp, _ email: String, categories: [String], regions: [String], languages: [String]) async throws -> TestApp.Account {
        let account = try await t.signUp(email, organisation: "Partner \(email.prefix(while: { $0 != "@" }))")
        try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: account.organisationID)!, actor: "test", store: t.store)
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        let saved = try await t.send(.PUT, "/api/v1/organisations/\(account.organisationID)/tender-subscription", token: account.token,
                                     json: #"{"categories":\#(list(categories)),"regions":\#(list(regions)),"languages":\#(list(languages))}"#)
        try #require(saved.status == .ok, "\(saved.body.string)")
        return account
    }

    func fanOut(_ t: TestApp) async throws { try await t.app.partnerHub.tenders.fanOutPending(store: t.store) }

    func tenders(_ t: TestApp, _ account: TestApp.Account) async throws -> [[String: Any]] {
        let response = try await t.send(.GET, "/api/v1/organisations/\(account.organisationID)/tenders", token: account.token)
        try #require(response.status == .ok, "\(response.body.string)")
        return try #require(try t.json(response) as? [[String: Any]])
    }

    /// The manage token from the contact's confirmation e-mail.
    func manageToken(_ t: TestApp, to email: String = "vera@weingut.test") async throws -> String {
        let mail = try #require(try await t.store.outbox(recipient: EmailAddress(email)!).last { $0.body.contains("/tenders/manage/") })
        let range = try #require(mail.body.range(of: #"/tenders/manage/[A-Za-z0-9_-]+"#, options: .regularExpression))
        return String(mail.body[range].dropFirst("/tenders/manage/".count))
    }

    @Test("R-T1 anyone posts a tender without an account; the contact gets a link to manage and delete it; submission does not wait for the fan-out")
    func submitPublic() async throws {
        try await TestApp.with { t in
            let matching = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let response = try await submit(t, tenderJSON())
            #expect(response.status == .created, "\(response.body.string)")
            let mail = try #require(try await t.store.outbox(recipient: EmailAddress("vera@weingut.test")!).first)
            #expect(mail.body.contains("/tenders/manage/") && mail.body.contains("/delete"))
            // Nothing reached the partner before the job ran.
            #expect(try await tenders(t, matching).isEmpty)
            try await fanOut(t)
            #expect(try await tenders(t, matching).count == 1)
        }
    }

    @Test("R-T1 bad tenders name the field and write nothing: no contact e-mail, an unknown category, 100 KB of text; the sixth in an hour from one address is 429")
    func submitInvalid() async throws {
        try await TestApp.with { t in
            for (json, field) in [
                (tenderJSON(email: ""), "contact_email"),
                (tenderJSON(email: "not-an-address"), "contact_email"),
                (tenderJSON(categories: ["castles"]), "categories"),
                (tenderJSON(categories: []), "categories"),
                (tenderJSON(region: "atlantis"), "region"),
                (tenderJSON(description: String(repeating: "x", count: 100_000)), "description"),
            ] {
                let response = try await submit(t, json)
                // A category the program does not have is refused by what is stored (409), the rest by the contract (422).
                let status: HTTPResponseStatus = json.contains("castles") ? .conflict : .unprocessableEntity
                #expect(response.status == status && response.body.string.contains("\"\(field)\""), "\(field): \(response.body.string.prefix(300))")
            }
            #expect(try await t.store.outbox(limit: 50).isEmpty)
            for index in 0..<5 { #expect(try await submit(t, tenderJSON(title: "Tender \(index)")).status == .created) }
            let sixth = try await submit(t, tenderJSON(title: "Tender 6"))
            #expect(sixth.status == .tooManyRequests && sixth.headers.first(name: .retryAfter) != nil)
            #expect(try await t.store.tendersAwaitingFanOut(limit: 50).count == 5)
        }
    }

    @Test("R-T2 matching needs a shared category AND the region AND the language; one partner off per dimension, and an empty subscription, hear nothing")
    func matching() async throws {
        try await TestApp.with { t in
            let all = try await partner(t, "all@match.test", categories: ["website-creation", "backup"], regions: ["ch-zurich", "ch-east"], languages: ["de", "en"])
            let category = try await partner(t, "cat@miss.test", categories: ["backup"], regions: ["ch-zurich"], languages: ["de"])
            let region = try await partner(t, "region@miss.test", categories: ["website-creation"], regions: ["ch-ticino"], languages: ["de"])
            let language = try await partner(t, "lang@miss.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["fr"])
            let empty = try await partner(t, "empty@miss.test", categories: [], regions: [], languages: [])
            #expect(try await submit(t, tenderJSON()).status == .created)
            try await fanOut(t)
            #expect(try await tenders(t, all).count == 1)
            for account in [category, region, language, empty] { #expect(try await tenders(t, account).isEmpty, "\(account.email)") }
            // The matching partner's e-mail carries the excerpt and never the contact.
            let mail = try #require(try await t.store.outbox(recipient: EmailAddress("all@match.test")!).first { $0.subject.contains("Website für Weingut") })
            #expect(mail.body.contains(String(Self.description.prefix(200))) && !mail.body.contains(String(Self.description.prefix(201))))
            #expect(!mail.body.contains("vera@weingut.test") && !mail.body.contains("123 45 67") && !mail.body.contains("Vera Keller"))
            for account in [category, region, language, empty] {
                #expect(try await t.store.outbox(recipient: EmailAddress(account.email)!).allSatisfy { !$0.subject.contains("Weingut") })
            }
            // Claimed once: a second run sends nothing more.
            try await fanOut(t)
            #expect(try await t.store.outbox(recipient: EmailAddress("all@match.test")!).filter { $0.subject.contains("Website für Weingut") }.count == 1)
        }
    }

    @Test("R-T2/R-T3 the list holds the excerpt without contact; opening shows the contact and records the view; a partner it was not sent to gets 404")
    func openTender() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let other = try await partner(t, "otto@other.test", categories: ["backup"], regions: ["ch-zurich"], languages: ["de"])
            let id = (try t.json(try await submit(t, tenderJSON())) as! [String: Any])["id"] as! String
            try await fanOut(t)
            let listed = try #require(try await tenders(t, anna).first)
            #expect(listed["excerpt"] as? String == String(Self.description.prefix(200)) + "…")
            #expect(listed["contact_email"] == nil && listed["description"] == nil && listed["seen_at"] == nil)
            let opened = try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)", token: anna.token)
            #expect(opened.status == .ok)
            let body = try #require(try t.json(opened) as? [String: Any])
            #expect(body["contact_email"] as? String == "vera@weingut.test" && body["contact_phone"] as? String == "+41 44 123 45 67")
            let views = try await t.store.tenderViews(TenderID(string: id)!)
            #expect(views.count == 1 && views.first?.0.string == anna.organisationID && views.first?.1.string == anna.userID)
            #expect(try await tenders(t, anna).first?["seen_at"] != nil)
            // Isolation: not sent to Otto, and Otto's own organisation id does not help.
            #expect(try await t.send(.GET, "/api/v1/organisations/\(other.organisationID)/tenders/\(id)", token: other.token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)", token: other.token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders", token: other.token).status == .notFound)
        }
    }

    @Test("R-T3 after 30 days the tender is no longer available: 410 without contact, and no offer is taken")
    func expired() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let id = (try t.json(try await submit(t, tenderJSON())) as! [String: Any])["id"] as! String
            try await fanOut(t)
            t.clock.advance(29 * 86_400)
            #expect(try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)", token: anna.token).status == .ok)
            t.clock.advance(86_400)
            let gone = try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)", token: anna.token)
            #expect(gone.status == .gone && !gone.body.string.contains("vera@weingut.test"), "\(gone.body.string)")
            let offer = try await t.send(.POST, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)/offers", token: anna.token, json: #"{"message":"Gerne!"}"#)
            #expect(offer.status == .gone)
            #expect(try await t.store.offers(tender: TenderID(string: id)!).isEmpty)
            let listed = try #require(try await tenders(t, anna).first)
            #expect(listed["available"] as? Bool == false && listed["excerpt"] as? String == "")
        }
    }

    @Test("R-T4 an offer reaches the contact by e-mail; the contact sees every offer, a partner only its own; accepting starts R-P2 for that partner")
    func offers() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let bruno = try await partner(t, "bruno@berg.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let id = (try t.json(try await submit(t, tenderJSON())) as! [String: Any])["id"] as! String
            try await fanOut(t)
            let first = try await t.send(.POST, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)/offers", token: anna.token,
                                         json: #"{"message":"Wir bauen Ihnen das gerne.","price":"4800.00","access":"full"}"#)
            #expect(first.status == .created, "\(first.body.string)")
            let offer = try #require(try t.json(first) as? [String: Any])
            #expect(offer["price"] as? Int == 480_000 && offer["currency"] as? String == "CHF")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(bruno.organisationID)/tenders/\(id)/offers", token: bruno.token,
                                     json: #"{"message":"Unser Angebot."}"#).status == .created)
            let mails = try await t.store.outbox(recipient: EmailAddress("vera@weingut.test")!).filter { $0.subject.contains("Website für Weingut") && $0.body.contains("Wir bauen") }
            #expect(mails.count == 1)
            let token = try manageLink(mails[0].body)
            let view = try #require(try t.json(try await t.send(.GET, "/api/v1/tenders/manage/\(token)")) as? [String: Any])
            #expect((view["offers"] as? [[String: Any]])?.count == 2)
            // A partner sees its own offers only (the console lists them on the tender page).
            #expect(try await t.store.offers(tender: TenderID(string: id)!, partner: OrganisationID(string: bruno.organisationID)!).map(\.message) == ["Unser Angebot."])
            let accepted = try await t.send(.POST, "/api/v1/tenders/manage/\(token)/offers/\(offer["id"] as! String)/accept")
            #expect(accepted.status == .created, "\(accepted.body.string)")
            // R-P2: the contact is asked to let Anna's organisation manage them; Anna is told.
            #expect(try await t.store.outbox(recipient: EmailAddress("vera@weingut.test")!).contains { $0.body.contains("/partnerships/") })
            #expect(try await t.store.outbox(recipient: EmailAddress("anna@alpen.test")!).contains { $0.subject.contains("Website für Weingut") && $0.body.contains("/clients") })
            let again = try await t.send(.POST, "/api/v1/tenders/manage/\(token)/offers/\(offer["id"] as! String)/accept")
            #expect(again.status == .conflict)
        }
    }

    func manageLink(_ body: String) throws -> String {
        let range = try #require(body.range(of: #"/tenders/manage/[A-Za-z0-9_-]+"#, options: .regularExpression))
        return String(body[range].dropFirst("/tenders/manage/".count))
    }

    @Test("R-T5 deletion by the link is immediate: partners get 410 without contact, the link used twice says so, a bad offer body names the field")
    func delete() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            let id = (try t.json(try await submit(t, tenderJSON())) as! [String: Any])["id"] as! String
            try await fanOut(t)
            let bad = try await t.send(.POST, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)/offers", token: anna.token, json: #"{"message":"","price":"lots"}"#)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"message\"") && bad.body.string.contains("\"price\""))
            let token = try await manageToken(t)
            #expect(try await t.send(.DELETE, "/api/v1/tenders/manage/\(token)").status == .noContent)
            #expect(try await t.send(.DELETE, "/api/v1/tenders/manage/\(token)").status == .gone)
            #expect(try await t.send(.GET, "/api/v1/tenders/manage/\(token)").status == .gone)
            let gone = try await t.send(.GET, "/api/v1/organisations/\(anna.organisationID)/tenders/\(id)", token: anna.token)
            #expect(gone.status == .gone && !gone.body.string.contains("vera@weingut.test"))
            #expect(try await t.send(.GET, "/api/v1/tenders/manage/not-a-token").status == .notFound)
        }
    }

    // MARK: the directory (R-D1)

    func profile(_ t: TestApp, _ account: TestApp.Account, published: Bool = true, regions: String = #"["ch-zurich"]"#, languages: String = #"["de"]"#,
                 specialties: String = #"["website-creation"]"#) async throws -> TestingHTTPResponse {
        try await t.send(.PUT, "/api/v1/organisations/\(account.organisationID)/directory-profile", token: account.token,
                         json: #"{"description":"Websites und Hosting aus Zürich.","website":"https://alpen.example.ch","languages":\#(languages),"regions":\#(regions),"specialties":\#(specialties),"published":\#(published)}"#)
    }

    func directory(_ t: TestApp, _ query: String = "") async throws -> [String: Any] {
        let response = try await t.send(.GET, "/api/v1/directory" + query)
        try #require(response.status == .ok, "\(response.body.string)")
        return try #require(try t.json(response) as? [String: Any])
    }

    func names(_ page: [String: Any]) -> [String] { ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } }

    @Test("R-D1 only published profiles of partners are listed; region, language and specialty filter; bad profiles name the field; a non-partner has none")
    func directoryFilters() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: [], regions: [], languages: [])
            let bruno = try await partner(t, "bruno@berg.test", categories: [], regions: [], languages: [])
            let hidden = try await partner(t, "hugo@hidden.test", categories: [], regions: [], languages: [])
            #expect(try await profile(t, anna).status == .ok)
            #expect(try await profile(t, bruno, regions: #"["ch-lake-geneva"]"#, languages: #"["fr","de"]"#, specialties: #"["backup"]"#).status == .ok)
            #expect(try await profile(t, hidden, published: false).status == .ok)
            #expect(names(try await directory(t)) == ["Partner anna", "Partner bruno"])
            #expect(names(try await directory(t, "?region=ch-zurich")) == ["Partner anna"])
            #expect(names(try await directory(t, "?language=fr")) == ["Partner bruno"])
            #expect(names(try await directory(t, "?specialty=backup")) == ["Partner bruno"])
            #expect(names(try await directory(t, "?region=ch-zurich&language=fr")).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/directory/\(hidden.organisationID)").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/directory?region=atlantis").status == .unprocessableEntity)
            let badWebsite = try await t.send(.PUT, "/api/v1/organisations/\(anna.organisationID)/directory-profile", token: anna.token,
                                              json: #"{"description":"x","website":"alpen","languages":["de"],"regions":["ch-zurich"],"published":true}"#)
            #expect(badWebsite.status == .unprocessableEntity && badWebsite.body.string.contains("\"website\""))
            #expect((try t.json(try await t.send(.GET, "/api/v1/directory/\(anna.organisationID)")) as? [String: Any])?["website"] as? String == "https://alpen.example.ch")
            let client = try await t.signUp("clara@client.test", organisation: "Client AG")
            // A non-partner has no profile to edit: told so (R-O5/R-E2, 403).
            #expect(try await profile(t, client).status == .forbidden)
        }
    }

    @Test("R-D1 the directory pages by 10, and shows the register mark only for a partner whose register id passed its check")
    func directoryPagesAndMark() async throws {
        try await TestApp.with { t in
            var accounts: [TestApp.Account] = []
            for index in 0..<12 {
                let account = try await partner(t, "p\(String(format: "%02d", index))@dir.test", categories: [], regions: [], languages: [])
                #expect(try await profile(t, account).status == .ok)
                accounts.append(account)
            }
            let first = try await directory(t), second = try await directory(t, "?page=2")
            #expect(first["total"] as? Int == 12 && first["pages"] as? Int == 2 && names(first).count == 10 && names(second).count == 2)
            #expect(Set(names(first)).isDisjoint(with: names(second)))
            // A verified application marks its organisation.
            let admin = try await ProviderAPITests().staffToken(t)
            let applicant = try await t.signUp("vera@verified.test", organisation: "Verified AG")
            let application = try await ProgramTests().apply(t, applicant)
            let id = (try t.json(application) as! [String: Any])["id"] as! String
            #expect(try await t.send(.POST, "/api/v1/provider/applications/\(id)/approve", token: admin, json: #"{"rates":[]}"#).status == .ok)
            #expect(try await profile(t, applicant).status == .ok)
            let marked = try #require(try t.json(try await t.send(.GET, "/api/v1/directory/\(applicant.organisationID)")) as? [String: Any])
            #expect(marked["register_verified"] as? Bool == true)
            let unmarked = try #require(try t.json(try await t.send(.GET, "/api/v1/directory/\(accounts[0].organisationID)")) as? [String: Any])
            #expect(unmarked["register_verified"] as? Bool == false)
        }
    }

    @Test("R-D1 a request for an offer from the directory reaches that partner alone, whatever it subscribed to")
    func requestOffer() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: [], regions: [], languages: [])
            let bruno = try await partner(t, "bruno@berg.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            #expect(try await profile(t, anna).status == .ok)
            let response = try await t.send(.POST, "/api/v1/directory/\(anna.organisationID)/offer-requests", json: tenderJSON())
            #expect(response.status == .created, "\(response.body.string)")
            try await fanOut(t)
            #expect(try await tenders(t, anna).count == 1)
            #expect(try await tenders(t, bruno).isEmpty)
            // Not listed, not addressable.
            let client = try await t.signUp("clara@client.test", organisation: "Client AG")
            #expect(try await t.send(.POST, "/api/v1/directory/\(client.organisationID)/offer-requests", json: tenderJSON(email: "x@y.test")).status == .notFound)
        }
    }

    @Test("Every tenant-scoped program route answers 404 to another organisation's member")
    func isolation() async throws {
        try await TestApp.with { t in
            let anna = try await partner(t, "anna@alpen.test", categories: ["website-creation"], regions: ["ch-zurich"], languages: ["de"])
            #expect(try await profile(t, anna).status == .ok)
            let id = (try t.json(try await submit(t, tenderJSON())) as! [String: Any])["id"] as! String
            try await fanOut(t)
            let stranger = try await t.signUp("sam@stranger.test", organisation: "Stranger AG")
            let org = anna.organisationID
            for (method, path, body) in [
                (HTTPMethod.GET, "/api/v1/organisations/\(org)/partner-applications", nil),
                (.POST, "/api/v1/organisations/\(org)/partner-applications", #"{"register_id":"CHE-123.456.788","website":"https://x.example.ch","accept_terms_version":"2026-1","commit_to_minimum_volume":true}"#),
                (.GET, "/api/v1/organisations/\(org)/tender-subscription", nil),
                (.PUT, "/api/v1/organisations/\(org)/tender-subscription", #"{"categories":[],"regions":[],"languages":[]}"#),
                (.GET, "/api/v1/organisations/\(org)/tenders", nil),
                (.GET, "/api/v1/organisations/\(org)/tenders/\(id)", nil),
                (.POST, "/api/v1/organisations/\(org)/tenders/\(id)/offers", #"{"message":"hi"}"#),
                (.GET, "/api/v1/organisations/\(org)/directory-profile", nil),
                (.PUT, "/api/v1/organisations/\(org)/directory-profile", #"{"description":"x","website":"https://x.example.ch","languages":["de"],"regions":["ch-zurich"],"published":false}"#),
            ] as [(HTTPMethod, String, String?)] {
                let response = try await t.send(method, path, token: stranger.token, json: body)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status)")
            }
            // Nothing changed for Anna.
            #expect(try await t.store.tenderSubscription(OrganisationID(string: org)!).categories == ["website-creation"])
            #expect(try await t.store.directoryProfile(OrganisationID(string: org)!)?.published == true)
            #expect(try await t.store.offers(tender: TenderID(string: id)!).isEmpty)
        }
    }
}
