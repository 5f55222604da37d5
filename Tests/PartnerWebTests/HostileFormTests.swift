import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-H1 by class, in the console: every persona of the demo world walks its pages (links from
/// the pages themselves, the development mailbox's links for a visitor), and every POST form
/// found gets the hostile corpus in every field, hidden ones and choices included. No answer is a
/// server error, `/health` answers after each, and what a field of that kind may not hold comes
/// back refused — a validation refusal as the form again with its message. The forms come from
/// the pages, and the test fails for a POST route of the table no form reached, so a new form is
/// attacked without anyone listing it.
@Suite("R-H1 hostile input: every console form", .serialized)
struct HostileFormTests {
    struct Persona: Sendable, CustomTestStringConvertible {
        let email: String?
        let staff: Bool
        var testDescription: String { email ?? "visitor" }
    }

    static let personas: [Persona] = [
        Persona(email: "anna@alpenweb.demo", staff: false), Persona(email: "carla@alpenweb.demo", staff: false),
        Persona(email: "hans@huber.demo", staff: false), Persona(email: "elise@lumiere.demo", staff: false),
        Persona(email: "lea@parisien.demo", staff: false), Persona(email: "otto@webstudio.demo", staff: false),
        Persona(email: "alex@affiliate.demo", staff: false), Persona(email: "admin@provider.demo", staff: true), Persona(email: nil, staff: false),
    ]

    /// POST routes no page offers as a form, each with its reason. Kept as short as honest.
    static let unreachable: [String: String] = [
        "POST /logout": "signing out has no field and ends the walk; its form carries only the CSRF token",
        "POST /provider/logout": "as /logout",
        // R-O4: these forms exist only in a two-factor state no demo persona is in (a sign-in
        // waiting for its code, a set-up begun, two-factor on); TwoFactorSignInTests sends the
        // same corpus into each of them, in that state.
        "POST /login/code": "TwoFactorSignInTests.hostileForms",
        "POST /provider/login/code": "TwoFactorSignInTests.hostileForms",
        "POST /console/profile/two-factor/confirm": "TwoFactorSignInTests.hostileForms",
        "POST /console/profile/two-factor/disable": "TwoFactorSignInTests.hostileForms",
        "POST /console/profile/two-factor/recovery-codes": "TwoFactorSignInTests.hostileForms",
        "POST /provider/two-factor/confirm": "TwoFactorSignInTests.hostileForms",
        "POST /provider/two-factor/disable": "TwoFactorSignInTests.hostileForms",
        "POST /provider/two-factor/recovery-codes": "TwoFactorSignInTests.hostileForms",
        // R-O6: reached only from a reset or confirmation mail's link.
        "POST /reset-password/:token": "RecoveryTests.hostileForms",
        "POST /confirm-email/:token": "RecoveryTests.hostileForms",
    ]

    static let corpus = HostileValue.corpus.filter { $0.label != "100,000 combining marks on one letter" && !$0.label.contains("Int64") }

    struct Found {
        let persona: Int
        let route: RouteKey
        let form: PageForm
    }

    struct Outcome {
        var attacked: Set<RouteKey> = []
        var requests = 0
        var refusals = 0
        var failures: [String] = []
    }

    @Test("Every POST form of every persona takes the hostile corpus in every field without a server error")
    func everyForm() async throws {
        // Demo mode: the development mailbox, whose links (invitations, tender links) lead to forms.
        try await TestApp.with(demo: true) { t in
            _ = try await DemoSeed.seedIfNeeded(t.app)
            try await prepare(t)
            var browsers: [Browser] = []
            var found: [Found] = []
            var keys = Set<String>(), searched = Set<RouteKey>()
            var outcome = Outcome()
            for (index, persona) in Self.personas.enumerated() {
                let browser = Browser(t)
                try await signIn(browser, persona)
                browsers.append(browser)
                let (posts, searchForms) = try await walk(t, browser, persona)
                for (route, form) in posts where keys.insert("\(route) \(form.fields.map(\.name).sorted())").inserted {
                    found.append(Found(persona: index, route: route, form: form))
                }
                for (route, form) in searchForms where searched.insert(route).inserted {
                    try await attackSearch(t, browser, route, form, &outcome)
                }
            }
            // Pass 1: what every field must refuse, on every form — nothing changes, so every form
            // meets the world as its page showed it. Pass 2: ordinary values, which may succeed;
            // forms that end something go last, and forms their answers show are attacked too.
            for item in found { try await attack(t, browsers[item.persona], item, refusalsOnly: true, &outcome) }
            let ending = ["end", "remove", "withdraw", "revoke", "delete", "decline", "refund", "password", "reject", "approve", "accept"]
            var queue = found.filter { item in !ending.contains { item.route.path.contains($0) } } + found.filter { item in ending.contains { item.route.path.contains($0) } }
            while !queue.isEmpty {
                let item = queue.removeFirst()
                for form in try await attack(t, browsers[item.persona], item, refusalsOnly: false, &outcome) {
                    guard let route = t.route("POST", form.action), !route.path.hasSuffix("/logout"),
                          keys.insert("\(route) \(form.fields.map(\.name).sorted())").inserted else { continue }
                    let next = Found(persona: item.persona, route: route, form: form)
                    try await attack(t, browsers[item.persona], next, refusalsOnly: true, &outcome)
                    queue.append(next)
                }
            }
            let posts = Set(t.consoleRoutes.filter { $0.method == "POST" })
            let missed = posts.subtracting(outcome.attacked).filter { Self.unreachable[$0.description] == nil }.sorted()
            #expect(missed.isEmpty, "POST routes no form reached: \(missed)")
            #expect(outcome.failures.isEmpty, Comment(rawValue: "\(outcome.failures.count) failures:\n" + outcome.failures.prefix(40).joined(separator: "\n")))
            print("R-H1 console: \(outcome.attacked.count) of \(posts.count) POST routes attacked in \(found.count) forms, \(searched.count) search forms, "
                  + "\(outcome.requests) requests, \(outcome.refusals) refusals checked")
        }
    }

    /// States that make more forms appear: a pending member invitation (to Hans), a pending
    /// partnership invitation (Hans → Lumière) and request (Alpenweb → Léa), a support grant, a
    /// second session, a theme request, an offer on the open tender, Lumière's own Swiss Backup.
    func prepare(_ t: TestApp) async throws {
        func token(_ email: String) async throws -> String { try await t.token(email, password: DemoSeed.password) }
        func organisation(_ token: String, _ name: String? = nil) async throws -> String {
            let list = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations", token: token)) as? [[String: Any]])
            let match = list.first { name == nil || (($0["organisation"] as? [String: Any])?["name"] as? String) == name } ?? list.first
            return try #require((match?["organisation"] as? [String: Any])?["id"] as? String)
        }
        let anna = try await token("anna@alpenweb.demo"), hans = try await token("hans@huber.demo"), elise = try await token("elise@lumiere.demo")
        let alpenweb = try await organisation(anna, "Alpenweb GmbH"), huber = try await organisation(hans, "Bäckerei Huber")
        let lumiere = try await organisation(elise, "Agence Lumière SARL")
        func expect(_ response: TestingHTTPResponse, _ what: String) { #expect(response.status.code < 300, "\(what): \(response.status) \(response.body.string)") }
        expect(try await t.send(.POST, "/api/v1/organisations/\(alpenweb)/invitations", token: anna, json: #"{"email":"hans@huber.demo","role":"external_user"}"#),
               "member invitation")
        // R-P1: Alpenweb holds two of Huber's products, so Lumière is offered another one, limited.
        let huberProducts = (try? t.json(try await t.send(.GET, "/api/v1/organisations/\(huber)/products", token: hans)) as? [[String: Any]]) ?? []
        let free = huberProducts.first { $0["category"] as? String == "kdrive" }?["id"] as? String ?? ""
        expect(try await t.send(.POST, "/api/v1/organisations/\(huber)/partners", token: hans,
                                json: #"{"partner_id":"\#(lumiere)","access":"limited","products":[{"product_id":"\#(free)","technical":true,"statistics":true}]}"#),
               "partnership invitation")
        expect(try await t.send(.POST, "/api/v1/organisations/\(alpenweb)/clients", token: anna, json: #"{"email":"lea@parisien.demo","access":"full"}"#),
               "partnership request")
        expect(try await t.send(.POST, "/api/v1/organisations/\(huber)/support-grants", token: hans, json: #"{"duration":"24h"}"#), "support grant")
        // R-B9: the product comes with a paid order.
        let quote = try await t.send(.POST, "/api/v1/organisations/\(lumiere)/quotes", token: elise,
                                     json: #"{"lines":[{"category":"swiss-backup","name":"Backup Lumière","quantity":1}]}"#)
        expect(quote, "Swiss Backup quote")
        let quoteID = (try? t.json(quote) as? [String: Any])?["id"] as? String ?? ""
        expect(try await t.send(.POST, "/api/v1/organisations/\(lumiere)/orders", token: elise,
                                json: #"{"quote_id":"\#(quoteID)","payment_method":"card","card_number":"4242424242424242"}"#), "Swiss Backup order")
        if let tenders = try t.json(try await t.send(.GET, "/api/v1/organisations/\(alpenweb)/tenders", token: anna)) as? [[String: Any]],
           let tender = tenders.first?["id"] as? String {
            expect(try await t.send(.POST, "/api/v1/organisations/\(alpenweb)/tenders/\(tender)/offers", token: anna, json: #"{"message":"We can help."}"#), "offer")
        }
        // R-B11: Keller's own orders wait for Alpenweb's approval, and one does (the forms to approve or decline it).
        let ines = try await token("ines@keller.demo"), keller = try await organisation(ines, "Weingut Keller")
        let clients = (try? t.json(try await t.send(.GET, "/api/v1/organisations/\(alpenweb)/clients", token: anna)) as? [[String: Any]]) ?? []
        let kellerPartnership = clients.first { $0["client_id"] as? String == keller }?["id"] as? String ?? ""
        expect(try await t.send(.PUT, "/api/v1/organisations/\(alpenweb)/clients/\(kellerPartnership)/spending", token: anna, json: #"{"mode":"approval"}"#),
               "approval rule")
        let asked = try await t.send(.POST, "/api/v1/organisations/\(keller)/quotes", token: ines, json: #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]}"#)
        let askedID = (try? t.json(asked) as? [String: Any])?["id"] as? String ?? ""
        let waiting = try await t.send(.POST, "/api/v1/organisations/\(keller)/orders", token: ines, json: #"{"quote_id":"\#(askedID)","payment_method":"wallet"}"#)
        #expect(waiting.status == .accepted, "order request: \(waiting.status) \(waiting.body.string)")
        let other = Browser(t)
        try await other.logIn("anna@alpenweb.demo", password: DemoSeed.password)
        let theme = try await other.post("/console/orgs/\(alpenweb)/benefits/theme", [:])
        #expect(theme.status == .seeOther, "theme request: \(theme.status)")
    }

    func signIn(_ browser: Browser, _ persona: Persona) async throws {
        guard let email = persona.email else { return }
        let path = persona.staff ? "/provider/login" : "/login"
        try await browser.get(path)
        let response = try await browser.post(path, ["email": email, "password": DemoSeed.password])
        try #require(response.status == .seeOther, "\(email): \(response.status)")
    }

    /// The persona's pages, breadth first from its start pages: links, searches with their
    /// defaults, and the development mailbox's links; a few pages per route, every mail.
    func walk(_ t: TestApp, _ browser: Browser, _ persona: Persona) async throws -> (posts: [(RouteKey, PageForm)], searches: [(RouteKey, PageForm)]) {
        // The mail's links first (invitations, tender links): the persona's own mail shows them forms.
        var queue: [String] = []
        for message in PageForm.links(in: try await browser.get("/dev/mailbox").body.string) where message.hasPrefix("/dev/mailbox/") {
            queue += PageForm.links(in: try await browser.get(message).body.string).filter { !$0.hasPrefix("/dev/mailbox") && !$0.hasPrefix("/console") }
        }
        queue += persona.email == nil ? ["/", "/login", "/signup", "/provider/login", "/tenders/new", "/directory", "/affiliates"]
            : persona.staff ? ["/provider"] : ["/console", "/console/profile", "/tenders/new"]
        var seen = Set<String>(), perRoute: [RouteKey: Int] = [:]
        var forms: [(RouteKey, PageForm)] = [], searches: [(RouteKey, PageForm)] = []
        while !queue.isEmpty, seen.count < 300 {
            let path = queue.removeFirst()
            guard seen.insert(path).inserted, let route = t.route("GET", path) else { continue }
            perRoute[route, default: 0] += 1
            guard perRoute[route, default: 0] <= 6 else { continue }
            let response = try await browser.get(path)
            guard response.status == .ok, response.headers.contentType == .html else { continue }
            let html = response.body.string
            for link in PageForm.links(in: html) + PageForm.searches(in: html) where Self.follows(link) { queue.append(link) }
            for form in PageForm.all(in: html) {
                guard let target = t.route("POST", form.action), !target.path.hasSuffix("/logout") else { continue }
                forms.append((target, form))
            }
            for form in PageForm.searchForms(in: html) {
                if let target = t.route("GET", form.action) { searches.append((target, form)) }
            }
        }
        return (forms, searches)
    }

    /// A search form's fields get the corpus as query values: no server error, and what no field
    /// may hold is refused.
    func attackSearch(_ t: TestApp, _ browser: Browser, _ route: RouteKey, _ form: PageForm, _ outcome: inout Outcome) async throws {
        for field in form.fields {
            for value in Self.corpus {
                let pairs = form.defaults.filter { $0.0 != field.name } + [(field.name, value.text)]
                let query = pairs.map { name, text in
                    "\(HostileAPITests.formEncoded(name))=\(value.rawJSON != nil && name == field.name ? "%ED%A0%80" : HostileAPITests.formEncoded(text))"
                }.joined(separator: "&")
                let response = try await browser.get(form.action + "?" + query)
                outcome.requests += 1
                let status = Int(response.status.code)
                let what = "GET \(route.path) \(field.name) ← \(value.label): \(status)"
                if status >= 500 { outcome.failures.append(what) }
                if !(try await t.healthy()) { outcome.failures.append("\(what): /health stopped answering") }
                if value.refusal == .everywhere {
                    outcome.refusals += 1
                    if ![400, 404, 422].contains(status) { outcome.failures.append("\(what): must be refused") }
                }
            }
        }
    }

    static func follows(_ link: String) -> Bool {
        !(link.hasPrefix("/lang/") || link.hasPrefix("/r/") || link.hasPrefix("/static/") || link.hasPrefix("/api/") || link.contains(".csv")
          || link.hasSuffix("/logout"))
    }

    /// Sends the corpus into the form's fields; returns the forms its successful answers showed.
    @discardableResult
    func attack(_ t: TestApp, _ browser: Browser, _ item: Found, refusalsOnly: Bool, _ outcome: inout Outcome) async throws -> [PageForm] {
        let form = item.form, route = item.route
        outcome.attacked.insert(route)
        let own = form.fields.filter { $0.name != "_csrf" }
        // Choices and hidden fields are all of one class: a few of them stand for the rest.
        let typed = own.filter { $0.kind != .hidden && $0.kind != .choice }
        let fixed = Array(own.filter { $0.kind == .hidden || $0.kind == .choice }.prefix(3))
        // A form without fields of its own gets the corpus in a field no handler reads: the gate decides.
        let fields = own.isEmpty ? [PageForm.Field(name: "note", kind: .hidden, value: "")] : typed + fixed
        var shown: [PageForm] = []
        for field in fields {
            for value in Self.corpus {
                let refuse = Self.mustRefuse(value, field)
                guard refuse == refusalsOnly, !(own.isEmpty && value.refusal != .everywhere) else { continue }
                var pairs = form.defaults.filter { $0.0 != field.name }
                pairs.append((field.name, value.text))
                let body = pairs.map { name, text in
                    "\(HostileAPITests.formEncoded(name))=\(value.rawJSON != nil && name == field.name ? "%ED%A0%80" : HostileAPITests.formEncoded(text))"
                }.joined(separator: "&")
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                headers.replaceOrAdd(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                let response = try await t.app.testing().sendRequest(.POST, form.action, headers: headers, body: ByteBuffer(string: body))
                outcome.requests += 1
                let status = Int(response.status.code)
                let what = "\(route) \(field.name) ← \(value.label): \(status)"
                if status >= 500 { outcome.failures.append(what) }
                if !(try await t.healthy()) { outcome.failures.append("\(what): /health stopped answering") }
                let html = response.body.string
                if refuse {
                    outcome.refusals += 1
                    if status == 422, !(html.contains("<form") && (html.contains("class=\"error") || html.contains("error-summary"))) {
                        outcome.failures.append("\(what): refused without the form and its message")
                    } else if ![400, 403, 404, 409, 410, 413, 422, 429].contains(status) {
                        outcome.failures.append("\(what): must be refused")
                    }
                } else if status == 200 {
                    shown += PageForm.all(in: html)
                }
            }
        }
        return shown
    }

    /// What a field of this kind may not hold: characters no field holds, line breaks in a single
    /// line, 100,000 characters in anything a person types.
    static func mustRefuse(_ value: HostileValue, _ field: PageForm.Field) -> Bool {
        switch value.refusal {
        case .everywhere: return true
        case .inSingleLine: return field.kind == .singleLine || field.kind == .password
        case .tooLong: return field.kind == .singleLine || field.kind == .multiLine || field.kind == .password
        case .none: return false
        }
    }
}
