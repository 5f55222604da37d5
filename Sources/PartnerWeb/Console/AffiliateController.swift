import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-A1 in the console and the API: the public scheme page with sign-up, referral links,
/// the affiliate's own page (anonymous order numbers and commissions only).
struct AffiliateController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        routes.get("affiliates", use: schemePage).named(.visitPublic)
        routes.post("affiliates", "join", use: join).named(.openAccount)
        routes.get("r", ":code", use: click).named(.visitPublic)
        routes.get("console", "affiliate", use: dashboard).named(.manageOwnAccount)
        let v1 = routes.grouped("api", "v1")
        v1.post("affiliates", "signup", use: apiSignUp).named(.openAccount)
        v1.get("me", "affiliate", use: apiMe).named(.manageOwnAccount)
        v1.post("me", "affiliate", use: apiJoin).named(.manageOwnAccount)
    }

    static func percent(_ rate: BasisPoints) -> String { "\(rate.value / 100) %" }

    func schemePage(req: Request) async throws -> Response {
        try await schemeView(req, values: [:], errors: [], message: nil)
    }

    func schemeView(_ req: Request, values: [String: String], errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = req.identity?.user
        if let user, try await req.store.affiliate(user: user.id) != nil, status == .ok { return .redirect("/console/affiliate") }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        let labels = ["name": s("field.name"), "email": s("field.email"), "password": s("field.password"), "country": s("field.country")]
        return Layout.page(s("affiliate.title"), ctx, status: status) {
            tag("h1") { text(s("affiliate.title")) }
            tag("p") { text(s("affiliate.intro")) }
            tag("table", cls("table"), attr("id", "scheme")) {
                tableHead([s("affiliate.earned_so_far"), s("affiliate.rate")])
                tag("tbody") {
                    for (index, tier) in AffiliateScheme.tiers.enumerated() {
                        tag("tr") {
                            tag("td") {
                                let next = index + 1 < AffiliateScheme.tiers.count ? AffiliateScheme.tiers[index + 1].from : nil
                                text(next.map { s("affiliate.range", ["from": MoneyFormat.plain(Money(minorUnits: tier.from, currency: .chf), withCurrency: false),
                                                                      "to": MoneyFormat.plain(Money(minorUnits: $0, currency: .chf), withCurrency: false)]) }
                                     ?? s("affiliate.from", ["from": MoneyFormat.plain(Money(minorUnits: tier.from, currency: .chf), withCurrency: false)]))
                            }
                            tag("td", cls("number")) { text(Self.percent(tier.rate)) }
                        }
                    }
                }
            }
            tag("ul") {
                tag("li") { text(s("affiliate.rule_click")) }
                tag("li") { text(s("affiliate.rule_year")) }
                tag("li") { text(s("affiliate.rule_payout")) }
                tag("li") { text(s("affiliate.rule_exclusive")) }
            }
            if let message { tag("p", cls("error-summary"), attr("role", "alert")) { text(message) } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
            tag("section", cls("card"), attr("aria-labelledby", "join")) {
                tag("h2", attr("id", "join")) { text(s("affiliate.join")) }
                postForm("/affiliates/join", csrf: ctx.csrf) {
                    if user == nil {
                        field("name", label: labels[field: "name"], value: values["name"] ?? "", error: error("name"), autocomplete: "name")
                        field("email", label: labels[field: "email"], type: "email", value: values["email"] ?? "", error: error("email"), autocomplete: "email")
                        field("password", label: labels[field: "password"], type: "password", error: error("password"), hint: s("field.password_hint"), autocomplete: "new-password")
                    }
                    selectField("country", label: labels[field: "country"], options: ConsoleController.countries, selected: values["country"] ?? "CH", error: error("country"))
                    button(s("affiliate.join"))
                }
            }
        }
    }

    func join(req: Request) async throws -> Response {
        let values = ["name": req.formValue("name"), "email": req.formValue("email"), "country": req.formValue("country")]
        do {
            if let user = req.identity?.user {
                _ = try await req.affiliates.join(user: user, country: values[field: "country"], store: req.store)
                return .redirect("/console/affiliate", flash: "affiliate.welcome")
            }
            _ = try await signUpAffiliate(req, name: values[field: "name"], email: values[field: "email"], password: req.formValue("password"), country: values[field: "country"])
            // R-H1: the same page whether the address was new or registered.
            return ConsoleController().checkInbox(try await req.pageContext(), email: EmailAddress(values[field: "email"])?.value ?? "", next: "/console/affiliate")
        } catch AppError.validation(let errors) {
            return try await schemeView(req, values: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.conflict(let field, let code) {
            return try await schemeView(req, values: values, errors: [FieldError(field, code)], message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await schemeView(req, values: values, errors: [], message: req.strings(key), status: .conflict)
        }
    }

    /// A new person: the account, an organisation of theirs for the payouts' wallet, and the
    /// enrolment — one transaction.
    func signUpAffiliate(_ req: Request, name: String, email: String, password: String, country: String) async throws -> AccountService.SignUpOutcome {
        let affiliates = req.affiliates
        let now = req.partnerHub.configuration.clock.now()
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await req.accounts.signUp(SignUpInput(name: trimmed, email: email, password: password, organisationName: "\(trimmed.isEmpty ? "–" : trimmed) (affiliate)",
                                                         country: country, currency: nil), language: req.language, ip: req.clientIP, store: req.store) { tx, result in
            _ = try await affiliates.enrol(tx, user: result.user, wallet: result.organisation.id, now: now)
        }
    }

    /// `/r/{code}`: remembers the click (last click wins) and goes on to sign-up; an unknown
    /// code goes there too, unattributed.
    func click(req: Request) async throws -> Response {
        let token = try await req.affiliates.click(code: req.parameters.get("code") ?? "", existing: req.cookies[Cookies.referral]?.string,
                                                   ip: req.clientIP, store: req.store)
        let response = Response.redirect("/signup")
        if let token {
            response.cookies[Cookies.referral] = HTTPCookies.Value(string: token, expires: Date().addingTimeInterval(AffiliateScheme.attributionWindow),
                                                                   path: "/", isSecure: req.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }

    /// What the affiliate's page and `GET /api/v1/me/affiliate` both show: commissions with their
    /// status by time (R-A1), totals per status and currency, the next commission's rate.
    struct Overview {
        let commissions: [AffiliateCommission]
        let clicks: Int
        let organisations: Int
        let now: Date
        var byStatus: [CommissionStatus: [Currency: Int64]] = [:]
        var rates: [Currency: BasisPoints] = [:]

        /// The currencies the affiliate earned in, in a fixed order.
        var currencies: [Currency] { Currency.allCases.filter { c in commissions.contains { $0.amount.currency == c } } }

        func status(_ c: AffiliateCommission) -> CommissionStatus { AffiliateScheme.status(c.status, createdAt: c.createdAt, now: now) }
        func total(_ status: CommissionStatus, _ currency: Currency) -> Int64 { byStatus[status]?[currency] ?? 0 }
        func rate(_ currency: Currency) -> BasisPoints { rates[currency] ?? AffiliateScheme.tiers[0].rate }
    }

    func overview(_ req: Request, _ affiliate: Affiliate) async throws -> Overview {
        let stats = try await req.store.affiliateStats(affiliate.id)
        var overview = Overview(commissions: try await req.store.commissions(of: affiliate.id), clicks: stats.clicks, organisations: stats.organisations,
                                now: req.partnerHub.configuration.clock.now())
        var earned: [Currency: Int64] = [:]
        for c in overview.commissions {
            let status = overview.status(c)
            overview.byStatus[status, default: [:]][c.amount.currency, default: 0] += c.amount.minorUnits
            if status != .reversed { earned[c.amount.currency, default: 0] += c.amount.minorUnits }
        }
        for currency in Currency.allCases { overview.rates[currency] = AffiliateScheme.rate(cumulative: Money(minorUnits: earned[currency] ?? 0, currency: currency)) }
        return overview
    }

    func dashboard(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let affiliate = try await req.store.affiliate(user: user.id) else { return .redirect("/affiliates") }
        let overview = try await overview(req, affiliate)
        let commissions = overview.commissions
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func money(_ minor: Int64, _ currency: Currency) -> String { MoneyFormat.display(Money(minorUnits: minor, currency: currency), language: ctx.language) }
        return Layout.page(s("affiliate.dashboard"), ctx) {
            tag("h1") { text(s("affiliate.dashboard")) }
            tag("section", cls("card"), attr("aria-labelledby", "link")) {
                tag("h2", attr("id", "link")) { text(s("affiliate.your_link")) }
                tag("p") { tag("code", attr("id", "referral-link")) { text(req.affiliates.referralLink(affiliate)) } }
                tag("p", cls("muted")) { text(s("affiliate.stats", ["clicks": String(overview.clicks), "organisations": String(overview.organisations)])) }
            }
            if commissions.isEmpty {
                tag("p", cls("empty")) { text(s("affiliate.no_commissions")) }
            } else {
                tag("h2") { text(s("affiliate.totals")) }
                tag("table", cls("table"), attr("id", "affiliate-totals")) {
                    tableHead([s("field.currency"), s("affiliate.status.pending"), s("affiliate.status.payable"), s("affiliate.status.paid"), s("affiliate.next_rate")])
                    tag("tbody") {
                        for currency in overview.currencies {
                            tag("tr") {
                                tag("td") { text(currency.rawValue) }
                                for status in [CommissionStatus.pending, .payable, .paid] {
                                    tag("td", cls("number")) { text(money(overview.total(status, currency), currency)) }
                                }
                                tag("td", cls("number")) { text(Self.percent(overview.rate(currency))) }
                            }
                        }
                    }
                }
                tag("h2") { text(s("affiliate.commissions")) }
                tag("table", cls("table"), attr("id", "commissions")) {
                    tableHead([s("affiliate.number"), s("mailbox.date"), s("affiliate.rate"), s("affiliate.commission"), s("field.status")])
                    tag("tbody") {
                        for c in commissions {
                            tag("tr") {
                                tag("td") { tag("code") { text(AffiliateScheme.anonymousNumber(c.id)) } }
                                tag("td") { text(BillingConsoleController.day(c.createdAt)) }
                                tag("td", cls("number")) { text(Self.percent(c.rate)) }
                                tag("td", cls("number")) { text(MoneyFormat.display(c.amount, language: ctx.language)) }
                                tag("td") { text(s("affiliate.status.\(overview.status(c).rawValue)")) }
                            }
                        }
                    }
                }
            }
            tag("p") { link(s("affiliate.wallet"), "/console/orgs/\(affiliate.organisationID.string)/billing") }
        }
    }

    // MARK: API

    struct JoinRequest: Content { var country: String }
    struct SignUpAffiliateRequest: Content { var name: String; var email: String; var password: String; var country: String }
    struct TotalJSON: Content { var currency: String; var pending: Int64; var payable: Int64; var paid: Int64; var nextRateBasisPoints: Int }
    struct CommissionJSON: Content { var number: String; var createdAt: Date; var rateBasisPoints: Int; var amount: Int64; var currency: String; var status: String }
    struct AffiliateJSON: Content {
        var id: String; var referralLink: String; var walletOrganisationId: String; var clicks: Int; var organisations: Int
        var totals: [TotalJSON]; var commissions: [CommissionJSON]
    }

    func affiliateJSON(_ req: Request, _ affiliate: Affiliate) async throws -> AffiliateJSON {
        let overview = try await overview(req, affiliate)
        return AffiliateJSON(id: affiliate.id.string, referralLink: req.affiliates.referralLink(affiliate), walletOrganisationId: affiliate.organisationID.string,
                             clicks: overview.clicks, organisations: overview.organisations,
                             totals: overview.currencies.map { currency in
                                 TotalJSON(currency: currency.rawValue, pending: overview.total(.pending, currency), payable: overview.total(.payable, currency),
                                           paid: overview.total(.paid, currency), nextRateBasisPoints: overview.rate(currency).value)
                             },
                             commissions: overview.commissions.map { c in
                                 CommissionJSON(number: AffiliateScheme.anonymousNumber(c.id), createdAt: c.createdAt, rateBasisPoints: c.rate.value, amount: c.amount.minorUnits,
                                                currency: c.amount.currency.rawValue, status: overview.status(c).rawValue)
                             })
    }

    func apiMe(req: Request) async throws -> Response {
        guard let affiliate = try await req.store.affiliate(user: try req.requireUser().id) else { throw AppError.notFound }
        return try api.json(try await affiliateJSON(req, affiliate))
    }

    func apiJoin(req: Request) async throws -> Response {
        let input = try api.body(req, JoinRequest.self)
        let affiliate = try await req.affiliates.join(user: try req.requireUser(), country: input.country, store: req.store)
        return try api.json(try await affiliateJSON(req, affiliate), .created)
    }

    func apiSignUp(req: Request) async throws -> Response {
        let input = try api.body(req, SignUpAffiliateRequest.self)
        _ = try await signUpAffiliate(req, name: input.name, email: input.email, password: input.password, country: input.country)
        return try APIController.signUpAccepted(input.email)
    }
}
