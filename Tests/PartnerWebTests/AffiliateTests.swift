import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-A1 affiliates through the public pages, the API and the order path: attribution by the
/// last click within 30 days, commissions on the attributed organisation's paid orders for 365
/// days at the published rates, 30 days' hold, monthly payouts from 50, reversal by refund.
@Suite("R-A1 affiliates")
struct AffiliateTests {
    let billing = BillingTests()
    static let vps = #"{"lines":[{"category":"vps","name":"VPS","quantity":1}]}"#

    struct Referrer { let token: String; let code: String; let json: [String: Any] }

    func affiliate(_ t: TestApp, _ email: String = "alex@private.test") async throws -> Referrer {
        let response = try await t.send(.POST, "/api/v1/affiliates/signup",
                                        json: #"{"name":"Alex Private","email":"\#(email)","password":"\#(TestApp.password)","country":"CH"}"#)
        // R-H1: the same answer for a new or a registered address; the affiliate shows after signing in.
        try #require(response.status == .accepted, "\(response.body.string)")
        let token = try await t.token(email)
        let json = try #require(try t.json(try await t.send(.GET, "/api/v1/me/affiliate", token: token)) as? [String: Any])
        let link = try #require(json["referral_link"] as? String)
        return Referrer(token: token, code: String(link.split(separator: "/").last ?? ""), json: json)
    }

    /// A visitor follows `code`'s link (if any) and signs up in the console.
    func signUp(_ t: TestApp, via code: String?, email: String, organisation: String = "Referred AG") async throws -> TestApp.Account {
        let browser = Browser(t)
        if let code {
            let click = try await browser.get("/r/\(code)")
            #expect(click.status == .seeOther && click.headers.first(name: .location) == "/signup")
        }
        try await browser.get("/signup")
        let done = try await browser.post("/signup", ["name": "Rita", "email": email, "password": TestApp.password, "organisation_name": organisation,
                                                      "country": "CH", "currency": "", "next": ""])
        try #require(done.status == .ok && done.body.string.contains("Check your inbox"), "\(done.body.string)")
        let token = try await t.token(email)
        let orgs = try #require(try t.json(try await t.send(.GET, "/api/v1/organisations", token: token)) as? [[String: Any]])
        let org = try #require((orgs.first?["organisation"] as? [String: Any])?["id"] as? String)
        return TestApp.Account(token: token, userID: "", organisationID: org, email: email)
    }

    func attribution(_ t: TestApp, _ account: TestApp.Account) async throws -> AffiliateID? {
        try await t.store.attributions([OrganisationID(string: account.organisationID)!])[OrganisationID(string: account.organisationID)!]?.0
    }

    func order(_ t: TestApp, _ account: TestApp.Account, _ body: String = AffiliateTests.vps) async throws -> String {
        let q = try await billing.quote(t, account, client: account.organisationID, body)
        let response = try await billing.confirm(t, account, client: account.organisationID, quote: q)
        try #require(response.status == .created, "\(response.body.string)")
        return (try t.json(response) as! [String: Any])["id"] as! String
    }

    func me(_ t: TestApp, _ referrer: Referrer) async throws -> [String: Any] {
        try #require(try t.json(try await t.send(.GET, "/api/v1/me/affiliate", token: referrer.token)) as? [String: Any])
    }

    @Test("R-A1 a sign-up within 30 days of the click is attributed, the last click wins; after 30 days or with an unknown code there is none, and sign-up works")
    func attributionRules() async throws {
        try await TestApp.with { t in
            let alex = try await affiliate(t)
            let bea = try await affiliate(t, "bea@private.test")
            let first = try await signUp(t, via: alex.code, email: "rita@referred.test")
            #expect(try await attribution(t, first)?.string == alex.json["id"] as? String)
            // Last click: Alex's link, then Bea's, in the same browser.
            let browser = Browser(t)
            try await browser.get("/r/\(alex.code)")
            try await browser.get("/r/\(bea.code)")
            try await browser.get("/signup")
            #expect(try await browser.post("/signup", ["name": "Lou", "email": "lou@referred.test", "password": TestApp.password, "organisation_name": "Lou AG",
                                                       "country": "CH", "currency": "", "next": ""]).status == .ok)
            let lou = try await t.store.organisations(of: try #require(try await t.store.user(email: EmailAddress("lou@referred.test")!)).id)[0].0.id
            #expect(try await t.store.attributions([lou])[lou]?.0.string == bea.json["id"] as? String)
            // 31 days after the click: no attribution.
            let late = Browser(t)
            try await late.get("/r/\(alex.code)")
            t.clock.advance(31 * 86_400)
            try await late.get("/signup")
            #expect(try await late.post("/signup", ["name": "Max", "email": "max@late.test", "password": TestApp.password, "organisation_name": "Late AG",
                                                    "country": "CH", "currency": "", "next": ""]).status == .ok)
            let maxOrg = try await t.store.organisations(of: try #require(try await t.store.user(email: EmailAddress("max@late.test")!)).id)[0].0.id
            #expect(try await t.store.attributions([maxOrg]).isEmpty)
            // An unknown code: redirected to sign-up without a cookie; sign-up works, unattributed.
            let unknown = Browser(t)
            let click = try await unknown.get("/r/zzzzzzzzzz")
            #expect(click.status == .seeOther && unknown.cookies["ph_ref"] == nil)
            let plain = try await signUp(t, via: nil, email: "nina@plain.test", organisation: "Plain AG")
            #expect(try await attribution(t, plain) == nil)
            let stats = try await me(t, alex)
            #expect(stats["clicks"] as? Int == 3 && stats["organisations"] as? Int == 1)
        }
    }

    @Test("R-A1 commissions: 25 % of the net (no VAT) until 50 earned, then 30 %; none after the organisation's first 365 days; the affiliate sees anonymous numbers only")
    func commissions() async throws {
        try await TestApp.with { t in
            let alex = try await affiliate(t)
            let rita = try await signUp(t, via: alex.code, email: "rita@referred.test")
            // 35 web hostings: 347.20 − 25 % tier = 260.40 net → 25 % = 65.10.
            let firstOrder = try await order(t, rita, billing.webHostings(35))
            // Then a VPS at 25.00 net: earned 65.10 ≥ 50 → 30 % = 7.50.
            _ = try await order(t, rita)
            var json = try await me(t, alex)
            let commissions = try #require(json["commissions"] as? [[String: Any]])
            #expect(Set(commissions.map { $0["amount"] as? Int }) == [6510, 750])
            #expect(Set(commissions.map { $0["rate_basis_points"] as? Int }) == [2500, 3000])
            #expect(commissions.allSatisfy { $0["status"] as? String == "pending" && ($0["number"] as? String)?.hasPrefix("K-") == true })
            // Anonymous: no order id, no organisation, no amount of the order itself.
            let body = try await t.send(.GET, "/api/v1/me/affiliate", token: alex.token).body.string
            #expect(!body.contains(firstOrder) && !body.contains(rita.organisationID) && !body.contains("Referred AG") && !body.contains("26040"))
            let page = Browser(t)
            try await page.logIn("alex@private.test")
            let dashboard = try await page.get("/console/affiliate")
            #expect(dashboard.body.string.contains("/r/\(alex.code)") && !dashboard.body.string.contains("Referred AG"))
            // After the organisation's first year, orders earn nothing.
            t.clock.advance(366 * 86_400)
            _ = try await order(t, rita)
            json = try await me(t, alex)
            #expect((json["commissions"] as? [Any])?.count == 2)
        }
    }

    @Test("R-A1 payouts: nothing before 30 days; then the payable sum reaches the wallet once a month; below 50 it waits")
    func payouts() async throws {
        try await TestApp.with { t in
            let alex = try await affiliate(t)
            let bea = try await affiliate(t, "bea@private.test")
            let rita = try await signUp(t, via: alex.code, email: "rita@referred.test")
            let small = try await signUp(t, via: bea.code, email: "sam@small.test", organisation: "Small AG")
            _ = try await order(t, rita, billing.webHostings(35))   // 65.10 for Alex
            _ = try await order(t, small)                            // 6.25 for Bea: below 50
            let payouts = t.app.partnerHub.affiliates
            #expect(try await payouts.payOut(store: t.store).paid == 0)
            t.clock.advance(30 * 86_400)
            let report = try await payouts.payOut(store: t.store)
            #expect(report.paid == 1 && report.belowMinimum == 1)
            let wallet = OrganisationID(string: alex.json["wallet_organisation_id"] as! String)!
            #expect(try await t.store.walletBalance(wallet, currency: .chf) == Money(minorUnits: 6510, currency: .chf))
            let again = try await payouts.payOut(store: t.store)
            #expect(again.paid == 0)
            #expect(try await t.store.walletBalance(wallet, currency: .chf) == Money(minorUnits: 6510, currency: .chf))
            let totals = try #require((try await me(t, alex))["totals"] as? [[String: Any]])
            #expect(totals.first?["paid"] as? Int == 6510 && totals.first?["payable"] as? Int == 0)
            let beaTotals = try #require((try await me(t, bea))["totals"] as? [[String: Any]])
            #expect(beaTotals.first?["payable"] as? Int == 625)
            #expect(try await t.store.verifyLedger().isEmpty)
        }
    }

    @Test("R-A1 a refund reverses an unpaid commission, and leaves a paid one alone")
    func refundReverses() async throws {
        try await TestApp.with { t in
            let alex = try await affiliate(t)
            let rita = try await signUp(t, via: alex.code, email: "rita@referred.test")
            let admin = try await ProviderAPITests().staffToken(t)
            let unpaid = try await order(t, rita)
            #expect(try await t.send(.POST, "/api/v1/provider/orders/\(unpaid)/refund", token: admin).status == .created)
            var commissions = try #require((try await me(t, alex))["commissions"] as? [[String: Any]])
            #expect(commissions.map { $0["status"] as? String } == ["reversed"])
            let big = try await order(t, rita, billing.webHostings(35))
            t.clock.advance(30 * 86_400)
            #expect(try await t.app.partnerHub.affiliates.payOut(store: t.store).paid == 1)
            #expect(try await t.send(.POST, "/api/v1/provider/orders/\(big)/refund", token: admin).status == .created)
            commissions = try #require((try await me(t, alex))["commissions"] as? [[String: Any]])
            #expect(commissions.first { $0["amount"] as? Int == 6510 }?["status"] as? String == "paid")
        }
    }

    @Test("R-E4 a member of a partner organisation cannot become an affiliate; nothing is written; a non-affiliate has no affiliate page")
    func partnerExcluded() async throws {
        try await TestApp.with { t in
            let paul = try await t.signUp("paul@partner.test", organisation: "Partner GmbH")
            try await t.app.partnerHub.partnerships.approvePartner(OrganisationID(string: paul.organisationID)!, actor: "test", store: t.store)
            #expect(try await t.send(.GET, "/api/v1/me/affiliate", token: paul.token).status == .notFound)
            let refused = try await t.send(.POST, "/api/v1/me/affiliate", token: paul.token, json: #"{"country":"CH"}"#)
            #expect(refused.status == .conflict && refused.body.string.contains("cannot become affiliates"), "\(refused.body.string)")
            #expect(try await t.store.affiliate(user: UserID(string: paul.userID)!) == nil)
            #expect(try await t.store.organisations(of: UserID(string: paul.userID)!).count == 1)
            // The console form says the same.
            let browser = Browser(t)
            try await browser.logIn("paul@partner.test")
            let form = try await browser.post("/affiliates/join", ["country": "CH"])
            #expect(form.status == .conflict && form.body.string.contains("cannot become affiliates"))
            // A bad sign-up names the field and writes nothing.
            let bad = try await t.send(.POST, "/api/v1/affiliates/signup", json: #"{"name":"Al","email":"not-an-address","password":"\#(TestApp.password)","country":"CH"}"#)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"email\""))
            #expect(try await t.store.user(email: EmailAddress("al@x.test")!) == nil)
        }
    }
}
