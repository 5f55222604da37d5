import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-O4 two-factor sign-in through the console and the API. Codes are computed outside the
/// program: Debian's `oathtool` (installed by CI), or — where it is missing — Python's standard
/// library, never PartnerHub's own TOTP.
@Suite("R-O4 two-factor sign-in")
struct TwoFactorSignInTests {
    /// The RFC 6238 code of `secret` (base32) at `date`, from a tool that is not this program.
    static func independentCode(_ secret: String, at date: Date) throws -> String {
        let seconds = String(Int64(date.timeIntervalSince1970.rounded(.down)))
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: directory + "/oathtool") {
            return try run(directory + "/oathtool", ["--totp", "-b", secret, "-N", "@" + seconds])
        }
        let script = """
            import base64,hmac,hashlib,struct,sys
            k=base64.b32decode(sys.argv[1]+'='*(-len(sys.argv[1])%8)); c=int(sys.argv[2])//30
            h=hmac.new(k,struct.pack('>Q',c),hashlib.sha1).digest(); o=h[-1]&15
            print('%06d'%((struct.unpack('>I',h[o:o+4])[0]&0x7fffffff)%1000000))
            """
        return try run("/usr/bin/python3", ["-c", script, secret, seconds])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(process.terminationStatus == 0 && output.count == 6, "\(tool) said \(output)")
        return output
    }

    /// Sets two-factor sign-in up through the console page; returns the secret and the recovery codes.
    static func enrol(_ t: TestApp, _ browser: Browser, settings: String = "/console/profile/two-factor") async throws -> (String, [String]) {
        let page = try await browser.post(settings + "/setup", [:])
        #expect(page.status == .ok)
        let html = page.body.string
        let secretRange = try #require(html.range(of: #"id="totp-secret">[A-Z2-7 ]+<"#, options: .regularExpression))
        let secret = String(html[secretRange].dropFirst(#"id="totp-secret">"#.count).dropLast()).replacingOccurrences(of: " ", with: "")
        #expect(html.contains("otpauth://totp/PartnerHub:"))
        let confirmed = try await browser.post(settings + "/confirm", ["code": try independentCode(secret, at: t.clock.now())])
        #expect(confirmed.status == .created, "\(confirmed.body.string.prefix(300))")
        let codes = confirmed.body.string.matches(of: /<li><code>([2-9a-z]{5}-[2-9a-z]{5})<\/code><\/li>/).map { String($0.output.1) }
        #expect(codes.count == 10, "ten recovery codes shown once")
        return (secret, codes)
    }

    /// Signs in with the password; returns the response that follows it (the code step or the console).
    static func password(_ browser: Browser, _ email: String, password: String = TestApp.password, door: String = "/login") async throws -> TestingHTTPResponse {
        try await browser.get(door)
        return try await browser.post(door, ["email": email, "password": password])
    }

    @Test("R-O4 after set-up, signing in asks for the code: ±1 step accepted, ±2 refused, a used code refused, a recovery code works once")
    func consoleSignIn() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("hanna@client.test")
            let browser = Browser(t)
            try await browser.logIn("hanna@client.test")
            let (secret, recovery) = try await Self.enrol(t, browser)
            #expect(try await t.store.providerAuditEvents(limit: 50).contains { $0.action == "two_factor.enabled" })

            func attempt(_ code: String) async throws -> TestingHTTPResponse {
                let fresh = Browser(t)
                let afterPassword = try await Self.password(fresh, "hanna@client.test")
                #expect(afterPassword.status == .seeOther && afterPassword.headers.first(name: .location)?.hasPrefix("/login/code") == true)
                // Between password and code the session is nobody: the console sends it to sign in.
                #expect(try await fresh.get("/console/profile").status == .seeOther)
                try await fresh.get("/login/code")
                return try await fresh.post("/login/code", ["code": code, "next": "/console/profile"])
            }
            t.clock.advance(300)
            let now = try Self.independentCode(secret, at: t.clock.now())
            let signedIn = try await attempt(now)
            #expect(signedIn.status == .seeOther && signedIn.headers.first(name: .location) == "/console/profile")
            #expect(try await attempt(now).status == .unauthorized, "the same code (same step) again is refused")

            t.clock.advance(300)
            #expect(try await attempt(try Self.independentCode(secret, at: t.clock.now().addingTimeInterval(-30))).status == .seeOther, "one step behind")
            t.clock.advance(300)
            #expect(try await attempt(try Self.independentCode(secret, at: t.clock.now().addingTimeInterval(30))).status == .seeOther, "one step ahead")
            t.clock.advance(300)
            #expect(try await attempt(try Self.independentCode(secret, at: t.clock.now().addingTimeInterval(-60))).status == .unauthorized, "two behind")
            #expect(try await attempt(try Self.independentCode(secret, at: t.clock.now().addingTimeInterval(60))).status == .unauthorized, "two ahead")

            #expect(try await attempt(recovery[3].uppercased()).status == .seeOther, "a recovery code, typed in capitals")
            #expect(try await attempt(recovery[3]).status == .unauthorized, "a recovery code works once")
        }
    }

    @Test("R-O4/R-H1 five wrong codes end the pending sign-in; the password must be given again")
    func wrongCodes() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("hanna@client.test")
            let browser = Browser(t)
            try await browser.logIn("hanna@client.test")
            _ = try await Self.enrol(t, browser)
            let fresh = Browser(t)
            _ = try await Self.password(fresh, "hanna@client.test")
            try await fresh.get("/login/code")
            for _ in 1..<TwoFactorService.attemptsPerSignIn { #expect(try await fresh.post("/login/code", ["code": "000000"]).status == .unauthorized) }
            let last = try await fresh.post("/login/code", ["code": "000000"])
            #expect(last.status == .seeOther && last.headers.first(name: .location) == "/login")
            #expect(try await fresh.get("/login/code").headers.first(name: .location) == "/login", "nothing left to enter a code for")
        }
    }

    @Test("R-O4 an API token needs the code once two-factor sign-in is on; missing or wrong is 401 naming otp; a used code is refused")
    func apiToken() async throws {
        try await TestApp.with { t in
            _ = try await t.signUp("hanna@client.test")
            let browser = Browser(t)
            try await browser.logIn("hanna@client.test")
            let (secret, _) = try await Self.enrol(t, browser)
            t.clock.advance(300)
            let missing = try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"hanna@client.test","password":"\#(TestApp.password)"}"#)
            #expect(missing.status == .unauthorized && missing.body.string.contains("\"otp\""))
            let code = try Self.independentCode(secret, at: t.clock.now())
            let body = #"{"email":"hanna@client.test","password":"\#(TestApp.password)","otp":"\#(code)"}"#
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: body).status == .created)
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: body).status == .unauthorized)
        }
    }

    @Test("R-O4 required for staff and partners' legal representatives and admins: nothing else until set up, never turned off; clients may")
    func required() async throws {
        try await TestApp.with(configure: { $0.twoFactorRequired = true }) { t in
            // Staff: the console leads to the set-up and nowhere else; the API gives no token.
            _ = try await t.app.partnerHub.accounts.addStaff(email: "petra@provider.test", name: "Petra", role: .programAdmin, password: "provider-secret-1", store: t.store)
            let petra = Browser(t)
            let afterPassword = try await Self.password(petra, "petra@provider.test", password: "provider-secret-1", door: "/provider/login")
            #expect(afterPassword.headers.first(name: .location) == "/provider/two-factor")
            #expect(try await petra.get("/provider/catalogue").headers.first(name: .location) == "/provider/two-factor")
            let staffToken = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"petra@provider.test","password":"provider-secret-1"}"#)
            #expect(staffToken.status == .forbidden)
            try await petra.get("/provider/two-factor")
            _ = try await Self.enrol(t, petra, settings: "/provider/two-factor")
            #expect(try await petra.get("/provider/catalogue").status == .ok, "set up: the console opens")

            // A partner's legal representative: the same; a client's is free to choose.
            let partner = try await t.signUp("paul@partner.test", organisation: "Partner GmbH")
            let client = try await t.signUp("clara@client.test", organisation: "Client AG")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: partner.organisationID)!, actor: "test", store: t.store)
            let paul = Browser(t)
            #expect(try await Self.password(paul, "paul@partner.test").headers.first(name: .location) == "/console/profile/two-factor")
            #expect(try await paul.get("/console/orgs/\(partner.organisationID)").headers.first(name: .location) == "/console/profile/two-factor")
            #expect(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"paul@partner.test","password":"\#(TestApp.password)"}"#).status == .forbidden)
            try await paul.get("/console/profile/two-factor")
            let (secret, _) = try await Self.enrol(t, paul)
            #expect(try await paul.get("/console/orgs/\(partner.organisationID)").status == .ok)
            t.clock.advance(120)
            let off = try await paul.post("/console/profile/two-factor/disable", ["code": try Self.independentCode(secret, at: t.clock.now())])
            #expect(off.status == .conflict, "who must use it cannot turn it off")
            #expect(try await t.store.twoFactor(.user(UserID(string: partner.userID)!))?.enabledAt != nil)

            let clara = Browser(t)
            #expect(try await Self.password(clara, "clara@client.test").headers.first(name: .location) == "/console")
            _ = client
        }
    }

    @Test("R-O4/R-H1 every two-factor form takes the hostile corpus in its code field: refused, nothing changed, never a server error")
    func hostileForms() async throws {
        try await TestApp.with { t in
            _ = try await t.app.partnerHub.accounts.addStaff(email: "sam@provider.test", name: "Sam", role: .support, password: "provider-secret-1", store: t.store)
            _ = try await t.signUp("hanna@client.test")
            var sent = 0
            for (door, login, email, password) in [("/console/profile/two-factor", "/login", "hanna@client.test", TestApp.password),
                                                   ("/provider/two-factor", "/provider/login", "sam@provider.test", "provider-secret-1")] {
                let browser = Browser(t)
                _ = try await Self.password(browser, email, password: password, door: login)
                try await browser.get(door)
                // A set-up begun: the confirm form refuses every value and nothing is switched on.
                _ = try await browser.post(door + "/setup", [:])
                for value in HostileFormTests.corpus {
                    let response = try await browser.post(door + "/confirm", ["code": value.text])
                    sent += 1
                    #expect([.unprocessableEntity, .payloadTooLarge].contains(response.status), "\(door)/confirm \(value): \(response.status)")
                }
                let owner: Principal = door.hasPrefix("/provider") ? .staff(try #require(try await t.store.staffCredentials(email: EmailAddress(email)!)?.0.id))
                    : .user(try #require(try await t.store.user(email: EmailAddress(email)!)).id)
                #expect(try await t.store.twoFactor(owner)?.enabledAt == nil)
                let (_, recovery) = try await Self.enrol(t, browser, settings: door)
                for action in ["/recovery-codes", "/disable"] {
                    for value in HostileFormTests.corpus {
                        let response = try await browser.post(door + action, ["code": value.text])
                        sent += 1
                        #expect([.unprocessableEntity, .payloadTooLarge, .conflict, .tooManyRequests].contains(response.status), "\(door)\(action) \(value): \(response.status)")
                    }
                }
                let state = try await t.store.twoFactor(owner)
                #expect(state?.enabledAt != nil && state?.unusedRecoveryCodes == recovery.count)
                // The code step: its one reflected value (`next`) stays inside its attribute; wrong
                // values count as wrong codes; after five the sign-in ends.
                let fresh = Browser(t)
                _ = try await Self.password(fresh, email, password: password, door: login)
                for hostile in ["/\"><b>x</b>", "//evil.example/", "/console?a=<i>&b=\"'"] {
                    let page = try await fresh.get(login + "/code?next=" + (hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                    #expect(page.status == .ok && !page.body.string.contains("<b>x</b>") && !page.body.string.contains("<i>") && !page.body.string.contains("evil.example"),
                            "\(hostile)")
                }
                try await fresh.get(login + "/code")
                for value in HostileFormTests.corpus {
                    let response = try await fresh.post(login + "/code", ["code": value.text])
                    sent += 1
                    #expect([.unauthorized, .seeOther, .unprocessableEntity, .payloadTooLarge, .tooManyRequests].contains(response.status), "\(login)/code \(value): \(response.status)")
                    #expect(response.headers.first(name: .location) != "/console" && response.headers.first(name: .location) != "/provider")
                }
            }
            #expect(try await t.healthy())
            print("R-O4/R-H1 two-factor forms: 8 forms, \(sent) hostile requests, every one refused")
        }
    }

    @Test("R-O4 a set-up is its session's: another password-only session sees no key and ends when it is confirmed; the owner is e-mailed; codes are throttled per person")
    func setUpTakeover() async throws {
        try await TestApp.with(configure: { $0.twoFactorRequired = true }) { t in
            let partner = try await t.signUp("paul@partner.test", organisation: "Partner GmbH")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: partner.organisationID)!, actor: "test", store: t.store)
            let owner = Browser(t), other = Browser(t)
            _ = try await Self.password(owner, "paul@partner.test")
            _ = try await Self.password(other, "paul@partner.test")
            try await owner.get("/console/profile/two-factor")
            try await other.get("/console/profile/two-factor")
            let (secret, _) = try await Self.enrol(t, owner)
            #expect(!(try await other.get("/console/profile/two-factor").body.string.contains(secret)))
            #expect(try await other.get("/console/orgs/\(partner.organisationID)").headers.first(name: .location)?.hasPrefix("/login") == true,
                    "the other password-only session ended")
            #expect(try await owner.get("/console/orgs/\(partner.organisationID)").status == .ok)
            #expect(try await t.store.outbox(recipient: EmailAddress(partner.email)!).contains { $0.subject == "Two-factor sign-in turned on" })
            // Guessing: ten codes per person in 15 minutes, then 429, whatever the door.
            var statuses: [HTTPStatus] = []
            for _ in 0..<11 {
                statuses.append(try await t.send(.POST, "/api/v1/auth/tokens", json: #"{"email":"paul@partner.test","password":"\#(TestApp.password)","otp":"000000"}"#).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .unauthorized } && statuses.last == .tooManyRequests, "\(statuses)")
        }
    }
}
