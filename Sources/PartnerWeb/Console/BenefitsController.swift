import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-X2: the partner's benefits — its discount rates, the domain price list with preferential
/// prices, and the free premium theme licence (requested here, fulfilled by a program admin).
struct BenefitsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("console", "orgs", ":org", "benefits", use: page).named(.runPartnerBusiness)
        routes.post("console", "orgs", ":org", "benefits", "theme", use: requestTheme).named(.runPartnerBusiness)
        routes.get("api", "v1", "organisations", ":org", "benefits", use: api).named(.runPartnerBusiness)
        routes.post("provider", "theme-requests", ":request", use: fulfil).named(.administerProgram)
    }

    /// Members of an approved partner see the page; anyone else 404.
    func partnerContext(_ req: Request) async throws -> (OrganisationContext, Organisation) {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        guard organisation.isPartner else { throw AppError.notFound }
        return (context, organisation)
    }

    func page(req: Request) async throws -> Response {
        let (context, organisation) = try await partnerContext(req)
        let rates = try await req.store.partnerRates(organisation.id)
        let list = try await req.store.priceList()
        let theme = try await req.store.themeRequest(organisation.id)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func money(_ m: Money?) -> String { m.map { MoneyFormat.display($0, language: ctx.language) } ?? "" }
        let currency = organisation.currency
        return Layout.page(s("benefits.title"), ctx) {
            tag("h1") { text(s("benefits.title")) }
            tag("section", cls("card"), attr("aria-labelledby", "rates")) {
                tag("h2", attr("id", "rates")) { text(s("benefits.rates")) }
                tag("table", cls("table")) {
                    tableHead([s("field.category"), s("benefits.rate"), s("benefits.example", ["currency": currency.rawValue])])
                    tag("tbody") {
                        for category in ProductCategory.allCases where category != .domain {
                            if let entry = list.entries[category], let list = try? entry.price(in: currency) {
                                tag("tr") {
                                    tag("td") { text(s("category.\(category.rawValue)")) }
                                    tag("td", cls("number")) { text(rates.rate(category).description) }
                                    tag("td", cls("number")) {
                                        text(money(list) + " → " + money(try? list.discounted(by: rates.rate(category))))
                                    }
                                }
                            }
                        }
                    }
                }
                tag("p", cls("hint")) { text(s("benefits.tiers_note")) }
            }
            tag("section", cls("card"), attr("aria-labelledby", "domains")) {
                tag("h2", attr("id", "domains")) { text(s("benefits.domains")) }
                tag("table", cls("table")) {
                    tableHead([s("catalogue.extension"), s("catalogue.list"), s("catalogue.preferential")])
                    tag("tbody") {
                        for domain in list.domains.values.sorted(by: { $0.extensionName < $1.extensionName }) {
                            tag("tr") {
                                tag("td") { text("." + domain.extensionName) }
                                tag("td", cls("number")) { text(money(domain.list[currency])) }
                                tag("td", cls("number")) { tag("strong") { text(money(domain.preferential[currency])) } }
                            }
                        }
                    }
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "theme")) {
                tag("h2", attr("id", "theme")) { text(s("benefits.theme")) }
                tag("p") { text(s("benefits.theme_help")) }
                if let theme, let key = theme.licenceKey {
                    tag("p") { text(s("benefits.theme_key") + " ") ; tag("code") { text(key) } }
                } else if theme != nil {
                    tag("p", attr("role", "status")) { text(s("benefits.theme_pending")) }
                } else if context.may(.billing) {
                    postForm("/console/orgs/\(organisation.id.string)/benefits/theme", csrf: ctx.csrf) { button(s("benefits.theme_request")) }
                }
            }
        }
    }

    func requestTheme(req: Request) async throws -> Response {
        // Who may: the route's action (R-O5 run_partner_business).
        let (_, organisation) = try await partnerContext(req)
        let user = try req.requireUser()
        let now = req.partnerHub.configuration.clock.now()
        if try await req.store.themeRequest(organisation.id) == nil {
            try await req.store.write { tx in
                let request = try await tx.requestTheme(organisation.id, by: user.id, now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: organisation.id.string, action: "benefits.theme_requested",
                                                    target: "theme-request:\(request.id.uuidString.lowercased())"), now: now)
            }
        }
        return .redirect("/console/orgs/\(organisation.id.string)/benefits", flash: "benefits.theme_requested")
    }

    /// A program admin enters the licence key; the partner's legal representatives are e-mailed.
    func fulfil(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard staff.role == .programAdmin else { throw AppError.forbidden("error.not_allowed") }
        guard let id = req.parameters.get("request").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        var errors = ValidationErrors()
        let key = TextInput.field(req.formValue("licence_key"), "licence_key", max: 200, into: &errors)
        // A licence key is one line (it is mailed and shown): anything else is refused naming the field.
        if let problem = errors.errors.first, problem.code != .required { throw AppError.validation([problem]) }
        guard !key.isEmpty else { return .redirect("/provider", flash: "benefits.key_required") }
        let now = req.partnerHub.configuration.clock.now()
        let baseURL = req.partnerHub.configuration.baseURL
        try await req.store.write { tx in
            let request = try await tx.fulfilTheme(id, licenceKey: key, staff: staff.id, now: now)
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: request.organisationID.string, action: "benefits.theme_fulfilled",
                                                target: "theme-request:\(id.uuidString.lowercased())"), now: now)
            for (member, language) in try await tx.membersOf(request.organisationID) where member.role == .legalRepresentative {
                let s = Strings(language: language ?? .en)
                try await tx.enqueueMail(to: member.email, subject: s("mail.theme.subject"),
                                         body: s("mail.theme.body", ["link": "\(baseURL)/console/orgs/\(request.organisationID.string)/benefits"]), now: now)
            }
        }
        return .redirect("/provider", flash: "benefits.theme_fulfilled")
    }

    func api(req: Request) async throws -> Response {
        let (_, organisation) = try await partnerContext(req)
        let rates = try await req.store.partnerRates(organisation.id)
        let list = try await req.store.priceList()
        let theme = try await req.store.themeRequest(organisation.id)
        struct Rate: Content { var category: String; var rateBasisPoints: Int }
        struct Domain: Content { var extensionName: String; var list: MoneyJSON; var preferential: MoneyJSON }
        struct Theme: Content {
            var requestedAt: Date; var fulfilledAt: Date?; var licenceKey: String?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(requestedAt, forKey: .requestedAt); try c.encode(fulfilledAt, forKey: .fulfilledAt); try c.encode(licenceKey, forKey: .licenceKey)
            }
        }
        struct Benefits: Content {
            var rates: [Rate]; var domains: [Domain]; var themeRequest: Theme?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(rates, forKey: .rates); try c.encode(domains, forKey: .domains); try c.encode(themeRequest, forKey: .themeRequest)
            }
        }
        let currency = organisation.currency
        return try APIController().json(Benefits(
            rates: ProductCategory.allCases.filter { $0 != .domain }.map { Rate(category: $0.rawValue, rateBasisPoints: rates.rate($0).value) },
            domains: try list.domains.values.sorted { $0.extensionName < $1.extensionName }.map {
                Domain(extensionName: $0.extensionName, list: MoneyJSON(try $0.listPrice(in: currency)), preferential: MoneyJSON(try $0.preferentialPrice(in: currency)))
            },
            themeRequest: theme.map { Theme(requestedAt: $0.requestedAt, fulfilledAt: $0.fulfilledAt, licenceKey: $0.licenceKey) }))
    }
}
