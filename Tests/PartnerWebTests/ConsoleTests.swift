import Foundation
import PartnerCore
import PartnerStore
import PartnerTestSupport
@testable import PartnerWeb
import Testing
import VaporTesting

@Suite("Console: sign-up, sign-in, sessions, CSRF, languages")
struct ConsoleTests {
    func signUpForm(_ email: String, password: String = TestApp.password) -> [String: String] {
        ["name": "Anna Alpen", "email": email, "password": password, "organisation_name": "Alpen AG", "country": "CH", "currency": ""]
    }

    @Test("Sign-up in the console asks to check the inbox and sign in; signing in opens the new organisation with a HttpOnly, SameSite=Lax session cookie")
    func signUp() async throws {
        try await TestApp.with { t in
            let browser = Browser(t)
            try await browser.get("/signup")
            let response = try await browser.post("/signup", signUpForm("anna@example.ch"))
            #expect(response.status == .ok && response.body.string.contains("Check your inbox") && response.body.string.contains(#"value="anna@example.ch""#))
            #expect(!response.headers[.setCookie].contains { $0.hasPrefix("ph_session=") })
            let signedIn = try await browser.post("/login", ["email": "anna@example.ch", "password": TestApp.password, "next": ""])
            let cookie = try #require(signedIn.headers[.setCookie].first { $0.hasPrefix("ph_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))  // served over plain http here
            let dashboard = try await browser.get("/console")
            let location = try #require(dashboard.headers.first(name: .location))
            #expect(try await browser.get(location).body.string.contains("Alpen AG"))
        }
    }

    @Test("R-H1 signing up with a registered address answers exactly as for a new one, and mails the owner")
    func signUpDoesNotTellRegisteredAddresses() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            func attempt(_ email: String) async throws -> (HTTPResponseStatus, String) {
                let browser = Browser(t)
                try await browser.get("/signup")
                let response = try await browser.post("/signup", signUpForm(email))
                // The page differs only by the address typed, which the page repeats.
                return (response.status, response.body.string.replacingOccurrences(of: email, with: "EMAIL")
                    .replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: "CSRF", options: .regularExpression))
            }
            let registered = try await attempt("anna@example.ch"), new = try await attempt("new@example.ch")
            #expect(registered.0 == new.0 && registered.1 == new.1)
            let apiRegistered = try await t.send(.POST, "/api/v1/signup", json: #"{"name":"A","email":"ANNA@example.ch","password":"\#(TestApp.password)","organisation_name":"X","country":"CH"}"#)
            let apiNew = try await t.send(.POST, "/api/v1/signup", json: #"{"name":"A","email":"other@example.ch","password":"\#(TestApp.password)","organisation_name":"X","country":"CH"}"#)
            #expect(apiRegistered.status == .accepted && apiNew.status == .accepted)
            #expect(apiRegistered.body.string.replacingOccurrences(of: "anna@example.ch", with: "E") == apiNew.body.string.replacingOccurrences(of: "other@example.ch", with: "E"))
            let mails = try await t.store.outbox(recipient: EmailAddress("anna@example.ch")!)
            #expect(mails.filter { $0.subject == "Your PartnerHub account" }.count == 2)
            // The registered account is untouched: its password still signs in, nobody got a second account.
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#).status == .created)
            #expect(try await t.store.allOrganisations().count == 3)
        }
    }

    @Test("A sign-up form with errors is shown again with the input kept and each error named")
    func signUpErrorsKeepInput() async throws {
        try await TestApp.with { t in
            let browser = Browser(t)
            try await browser.get("/signup")
            let response = try await browser.post("/signup", signUpForm("not-an-email", password: "short"))
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains(#"value="not-an-email""#))
            #expect(html.contains(#"value="Alpen AG""#))
            #expect(html.contains("error-summary") && html.contains("href=\"#f-email\"") && html.contains("href=\"#f-password\""))
            #expect(!html.contains(#"value="short""#))  // a password is never echoed back
            #expect(try await t.store.userCount() == 0)
        }
    }

    @Test("A console form without the CSRF token is refused and changes nothing")
    func csrfRequired() async throws {
        try await TestApp.with { t in
            let account = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            let path = "/console/orgs/\(account.organisationID)/settings"
            #expect(try await browser.post(path, ["name": "Renamed", "country": "CH", "currency": "CHF"], includeCSRF: false).status == .forbidden)
            #expect(try await browser.post(path, ["_csrf": "forged", "name": "Renamed", "country": "CH", "currency": "CHF"]).status == .forbidden)
            let organisation = try t.json(try await t.send(.GET, "/api/v1/organisations/\(account.organisationID)", token: account.token)) as! [String: Any]
            #expect(organisation["name"] as? String == "Alpen AG")
            try await browser.get(path)
            #expect(try await browser.post(path, ["name": "Renamed", "country": "CH", "currency": "CHF"]).status == .seeOther)
        }
    }

    @Test("Anonymous forms (sign-in) need the double-submit CSRF token too")
    func anonymousCSRF() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            #expect(try await browser.post("/login", ["email": "anna@example.ch", "password": TestApp.password], includeCSRF: false).status == .forbidden)
        }
    }

    @Test("A wrong password re-shows the sign-in form with one message for both cases")
    func wrongPassword() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", ["email": "anna@example.ch", "password": "nope-nope-nope"])
            let unknown = try await browser.post("/login", ["email": "who@example.ch", "password": "nope-nope-nope"])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.body.string.contains("E-mail address or password is wrong."))
            #expect(unknown.body.string.contains("E-mail address or password is wrong."))
        }
    }

    @Test("Changing the password ends every other session, keeps this one")
    func passwordChangeEndsOtherSessions() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let laptop = Browser(t), phone = Browser(t)
            try await laptop.logIn("anna@example.ch")
            try await phone.logIn("anna@example.ch")
            let response = try await laptop.post("/console/profile/password", ["current_password": TestApp.password, "new_password": "a-brand-new-secret"])
            #expect(response.status == .seeOther)
            #expect(try await laptop.get("/console/profile").status == .ok)
            let phoneAfter = try await phone.get("/console/profile")
            #expect(phoneAfter.status == .seeOther && phoneAfter.headers.first(name: .location)?.hasPrefix("/login") == true)
            // The mail tells the owner.
            #expect(try await t.store.outbox(recipient: EmailAddress("anna@example.ch")!).contains { $0.subject == "Your password was changed" })
        }
    }

    @Test("A wrong current password changes nothing and names the field")
    func passwordChangeWrongCurrent() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            let response = try await browser.post("/console/profile/password", ["current_password": "not-my-password", "new_password": "a-brand-new-secret"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("href=\"#f-current_password\""))
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"anna@example.ch","password":"\#(TestApp.password)"}"#).status == .created)
        }
    }

    @Test("Sessions live in the database: a second app instance on the same database accepts the cookie")
    func sessionsShared() async throws {
        let database = try await TestDatabase.make()
        var cookies: [String: String] = [:]
        try await TestApp.with(database: database) { t in
            _ = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            cookies = browser.cookies
        }
        try await TestApp.with(database: database) { t in
            let browser = Browser(t)
            browser.cookies = cookies
            let page = try await browser.get("/console/profile")
            #expect(page.status == .ok && page.body.string.contains("anna@example.ch"))
        }
        await database.drop()
    }

    @Test("The profile shows the support code; regenerating gives a new one (R-S1)")
    func supportCode() async throws {
        try await TestApp.with { t in
            let account = try await t.signUp("anna@example.ch")
            let code = try await t.store.user(UserID(string: account.userID)!)!.supportCode
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            #expect(try await browser.get("/console/profile").body.string.contains(code.grouped))
            try await browser.post("/console/profile/support-code", [:])
            let newCode = try await t.store.user(UserID(string: account.userID)!)!.supportCode
            #expect(newCode != code)
            #expect(try await browser.get("/console/profile").body.string.contains(newCode.grouped))
        }
    }

    @Test("A token created in the console is shown once and works on the API")
    func consoleToken() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            let created = try await browser.post("/console/profile/tokens", ["token_name": "laptop"])
            let html = created.body.string
            let range = try #require(html.range(of: #"ph_[A-Za-z0-9_-]{40,}"#, options: .regularExpression))
            let secret = String(html[range])
            #expect(try await t.send(.GET, "/api/v1/me", token: secret).status == .ok)
            #expect(!(try await browser.get("/console/profile").body.string.contains(secret)))
        }
    }

    @Test("The language follows Accept-Language, and the switcher's choice is remembered",
          arguments: [("de", "Anmelden"), ("fr", "Se connecter"), ("en", "Sign in")])
    func languages(code: String, title: String) async throws {
        try await TestApp.with { t in
            let browser = Browser(t, language: "\(code);q=0.9")
            #expect(try await browser.get("/login").body.string.contains("<h1>\(title)</h1>"))
            let other = Browser(t)
            try await other.get("/lang/\(code)?back=/login")
            #expect(other.cookies["ph_lang"] == code)
            #expect(try await other.get("/login").body.string.contains(#"<html lang="\#(code)">"#))
        }
    }

    @Test("Every console text exists in German, English and French")
    func translations() {
        for (key, entry) in Strings.table {
            #expect(!entry.0.isEmpty && !entry.1.isEmpty && !entry.2.isEmpty, "\(key)")
        }
        for role in OrganisationRole.allCases { #expect(Strings.table["role.\(role.rawValue)"] != nil) }
        for code in FieldError.Code.allCases {
            #expect(Strings.table["error.\(code.rawValue)"] != nil, "\(code)")
        }
    }

    @Test("Every text key the sources name literally exists (a missing one would show as the key itself)")
    func literalKeysExist() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PartnerWeb")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 20)
        // s("key"), strings("key"), en("key"), and the keys errors carry: refused/forbidden/gone("key"), flash: "key", ("nav.x", …).
        let pattern = try NSRegularExpression(pattern: #"(?:\b(?:s|strings|en|english)\(|(?:refused|forbidden|gone)\(|flash: |\(\")"?([a-z_]+\.[a-z0-9_.\-]+)""#)
        var missing: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let key = String(text[range])
                // Keys built from a prefix and a value end in a dot; field paths (lines.0.quantity) and domain names are no keys.
                if key.range(of: #"\.[0-9]"#, options: .regularExpression) != nil || key.hasSuffix(".") || key.contains(".example") || key.hasSuffix(".ch") || key.hasSuffix(".css") || key.hasSuffix(".json") || key.hasSuffix(".csv") { continue }
                if Strings.table[key] == nil { missing.append("\(file.lastPathComponent): \(key)") }
            }
        }
        #expect(missing.isEmpty, "\(Set(missing).sorted())")
    }

    @Test("R-O3 provider staff sign in apart; customers cannot open the provider console, staff not the customer console")
    func providerConsole() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            _ = try await t.app.partnerHub.accounts.addStaff(email: "admin@provider.test", name: "Petra", role: .programAdmin,
                                                             password: "provider-secret-1", store: t.store)
            let customer = Browser(t)
            try await customer.logIn("anna@example.ch")
            let refused = try await customer.get("/provider")
            #expect(refused.status == .seeOther && refused.headers.first(name: .location)?.hasPrefix("/provider/login") == true)
            // Staff credentials do not open the customer console.
            let wrongDoor = Browser(t)
            try await wrongDoor.get("/login")
            #expect(try await wrongDoor.post("/login", ["email": "admin@provider.test", "password": "provider-secret-1"]).status == .unauthorized)
            let staff = Browser(t)
            try await staff.get("/provider/login")
            #expect(try await staff.post("/provider/login", ["email": "admin@provider.test", "password": "provider-secret-1"]).status == .seeOther)
            let home = try await staff.get("/provider")
            #expect(home.status == .ok && home.body.string.contains("Alpen AG"))
            #expect(try await staff.get("/console").status == .seeOther)
        }
    }

    @Test("R-N1 the development mailbox exists in demo mode only")
    func mailboxDemoOnly() async throws {
        try await TestApp.with { t in
            let response = try await t.send(.GET, "/dev/mailbox")
            #expect(response.status == .notFound)
        }
        try await TestApp.with(demo: true) { t in
            _ = try await t.signUp("anna@example.ch")
            let page = try await t.send(.GET, "/dev/mailbox")
            #expect(page.status == .ok && page.body.string.contains("anna@example.ch"))
        }
    }

    @Test("The demo seed runs once and leaves an intact audit chain")
    func demoSeed() async throws {
        try await TestApp.with(demo: true) { t in
            _ = try await DemoSeed.seedIfNeeded(t.app)
            let users = try await t.store.userCount()
            _ = try await DemoSeed.seedIfNeeded(t.app)
            #expect(try await t.store.userCount() == users)
            // 12 people of the partners and clients; issue #5: Webstudio Bern's applicant, the affiliate, the referred Konditorei.
            #expect(users == 12 + 3)
            #expect(try await t.store.clientListings(partner: try #require(try await t.store.allOrganisations().first { $0.name == "Alpenweb GmbH" }).id, onlyAssignedTo: nil).count == 4)
            #expect(try await t.store.allOrganisations().count == 7 + 3)
            #expect(try await t.store.verifyAudit().firstBreak == nil)
            // Issue #5: one pending application; the open tender reached Alpenweb alone; both partners are listed.
            #expect(try await t.store.applications(status: .pending).map(\.organisationName) == ["Webstudio Bern"])
            let listed = try await t.store.publishedDirectoryProfiles().map(\.name)
            #expect(listed == ["Agence Lumière SARL", "Alpenweb GmbH"])
            // Money through the real flows: Alpenweb paid 3 × 9.92 = 29.76 − 20 % = 23.81 + VAT 1.93 = 25.74
            // from 1000.00; Lumière earned 2 × 2.75 = 5.50 − 4.40 = 1.10 EUR cashback.
            let organisations = try await t.store.allOrganisations()
            let alpenweb = try #require(organisations.first { $0.name == "Alpenweb GmbH" }).id
            let lumiere = try #require(organisations.first { $0.name == "Agence Lumière SARL" }).id
            #expect(try await t.store.walletBalance(alpenweb, currency: .chf) == Money(minorUnits: 97426, currency: .chf))
            #expect(try await t.store.walletBalance(lumiere, currency: .eur) == Money(minorUnits: 110, currency: .eur))
            #expect(try await t.store.tenderMatches(alpenweb).map(\.tender.tender.title) == ["Neue Website für unsere Schreinerei"])
            #expect(try await t.store.tenderMatches(lumiere).isEmpty)
            // R-S2, R-X1, R-A1 in the demo: Huber's VIP code, Alpenweb's group for Weingut Keller, the referred Konditorei's
            // commission (2 × 9.92 = 19.84 net → 25 % = 4.96).
            let huber = try #require(organisations.first { $0.name == "Bäckerei Huber" }).id
            #expect(try await t.store.vipCode(huber) != nil)
            #expect(try await t.store.backupGroups(partner: alpenweb).map(\.name) == ["Weingut Keller"])
            let alexUser = try #require(try await t.store.user(email: EmailAddress("alex@affiliate.demo")!))
            let alex = try #require(try await t.store.affiliate(user: alexUser.id))
            #expect(try await t.store.commissions(of: alex.id).map(\.amount.minorUnits) == [496])
            #expect(try await t.store.verifyLedger().isEmpty)
        }
    }
}

@Suite("Console: invitations and further organisations")
struct ConsoleInvitationTests {
    @Test("A person invited by e-mail signs up from the invitation page and lands back on it to accept")
    func signUpFromInvitation() async throws {
        try await TestApp.with { t in
            let owner = try await t.signUp("anna@example.ch", organisation: "Alpen AG")
            _ = try await t.send(.POST, "/api/v1/organisations/\(owner.organisationID)/invitations", token: owner.token, json: #"{"email":"ben@example.ch","role":"employee"}"#)
            let token = try await t.invitationToken(to: "ben@example.ch")
            let browser = Browser(t)
            let page = try await browser.get("/invitations/\(token)")
            #expect(page.body.string.contains("Alpen AG"))
            try await browser.get("/signup?next=/invitations/\(token)&email=ben%40example.ch")
            let signedUp = try await browser.post("/signup", ["name": "Ben", "email": "ben@example.ch", "password": TestApp.password,
                                                              "organisation_name": "Ben GmbH", "country": "DE", "currency": "", "next": "/invitations/\(token)"])
            #expect(signedUp.status == .ok && signedUp.body.string.contains(#"name="next" value="/invitations/\#(token)""#))
            let signedIn = try await browser.post("/login", ["email": "ben@example.ch", "password": TestApp.password, "next": "/invitations/\(token)"])
            #expect(signedIn.headers.first(name: .location) == "/invitations/\(token)")
            try await browser.get("/invitations/\(token)")
            let accepted = try await browser.post("/invitations/\(token)/accept", [:])
            #expect(accepted.headers.first(name: .location) == "/console/orgs/\(owner.organisationID)")
            #expect(try await browser.get("/console/orgs/\(owner.organisationID)/members").body.string.contains("ben@example.ch"))
            // A used link shows a clear page.
            let used = try await browser.get("/invitations/\(token)")
            #expect(used.status == .gone && used.body.string.contains("already been used"))
        }
    }

    @Test("Redirect targets from the request stay on this site", arguments: ["//evil.example", "/\\evil.example", "https://evil.example", "evil"])
    func openRedirect(target: String) {
        #expect(localPath(target) == nil)
        #expect(localPath("/console/profile") == "/console/profile")
    }

    @Test("A user creates a further organisation and becomes its legal representative")
    func newOrganisation() async throws {
        try await TestApp.with { t in
            let account = try await t.signUp("anna@example.ch")
            let browser = Browser(t)
            try await browser.logIn("anna@example.ch")
            try await browser.get("/console/organisations/new")
            let response = try await browser.post("/console/organisations", ["name": "Zweite AG", "country": "FR", "currency": ""])
            #expect(response.status == .seeOther)
            let list = try t.json(try await t.send(.GET, "/api/v1/organisations", token: account.token)) as! [[String: Any]]
            let second = try #require(list.first { ($0["organisation"] as! [String: Any])["name"] as? String == "Zweite AG" })
            #expect(second["role"] as? String == "legal_representative")
            #expect((second["organisation"] as! [String: Any])["currency"] as? String == "EUR")
        }
    }
}
