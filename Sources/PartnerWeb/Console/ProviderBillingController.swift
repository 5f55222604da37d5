import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-B4 for program admins: the catalogue (list prices per currency and period, the tier table,
/// domain extensions with preferential prices) and each partner's rates per category (≤ 35 %).
/// Every change bumps the catalogue version (quotes made before no longer confirm) and is audited
/// (R-B10), in one transaction.
struct ProviderBillingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let provider = routes.grouped("provider")
        provider.get("catalogue", use: cataloguePage).named(.administerProgram)
        provider.post("catalogue", "products", ":category", use: saveEntry).named(.administerProgram)
        provider.post("catalogue", "tiers", use: saveTiers).named(.administerProgram)
        provider.post("catalogue", "domains", use: saveDomain).named(.administerProgram)
        provider.get("organisations", ":org", "orders", use: ordersPage).named(.administerProgram)
        provider.get("orders", ":order", "refund", use: refundPage).named(.administerProgram)
        provider.post("orders", ":order", "refund", use: refund).named(.administerProgram)
        provider.get("organisations", ":org", "rates", use: ratesPage).named(.administerProgram)
        provider.post("organisations", ":org", "rates", use: saveRates).named(.administerProgram)
    }


    static func amount(_ raw: String, _ field: String, _ errors: inout ValidationErrors) -> Int64 {
        guard let value = MoneyFormat.parseAmount(raw.trimmingCharacters(in: .whitespaces)), value >= 0, value <= 100_000_000 else {
            errors.add(field, raw.isEmpty ? .required : .invalidValue)
            return 0
        }
        return value
    }

    /// A rates form (`rate_<category>` in percent) as basis points, with each bad or too high
    /// rate named once (R-B4: ≤ 35 %).
    static func rates(_ req: Request) -> ([ProductCategory: BasisPoints], [FieldError]) {
        var errors = ValidationErrors()
        var rates: [ProductCategory: BasisPoints] = [:]
        for category in ProductCategory.allCases where category != .domain {
            rates[category] = percent(req.formValue("rate_\(category.rawValue)"), "rate_\(category.rawValue)", &errors)
        }
        return (rates, errors.errors + ProviderService.rateErrors(rates).filter { error in !errors.errors.contains { $0.field == error.field } })
    }

    /// "20", "12.5" → basis points.
    static func percent(_ raw: String, _ field: String, _ errors: inout ValidationErrors) -> BasisPoints {
        guard let value = MoneyFormat.parseAmount(raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")), value >= 0, value <= 10_000 else {
            errors.add(field, raw.isEmpty ? .required : .invalidValue)
            return .zero
        }
        return BasisPoints(Int(value))
    }

    // MARK: catalogue

    func cataloguePage(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try await catalogueView(req, errors: [], message: nil)
    }

    func catalogueView(_ req: Request, errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let list = try await req.store.priceList()
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        func plain(_ m: Money?) -> String { m.map { MoneyFormat.plain($0, withCurrency: false) } ?? "" }
        return Layout.page(s("catalogue.title"), ctx, status: status) {
            tag("p") { link("← " + s("provider.title"), "/provider") }
            tag("h1") { text(s("catalogue.title")) }
            tag("p", cls("hint")) { text(s("catalogue.help", ["version": String(list.version)])) }
            if let message { tag("div", cls("flash"), attr("role", "status")) { text(message) } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: [:]) }
            tag("section", cls("card"), attr("aria-labelledby", "products")) {
                tag("h2", attr("id", "products")) { text(s("catalogue.products")) }
                for category in ProductCategory.allCases {
                    let entry = list.entries[category]
                    postForm("/provider/catalogue/products/\(category.rawValue)", csrf: ctx.csrf, classes: "form inline-fields") {
                        tag("h3") { text(s("category.\(category.rawValue)")) }
                        field("price_chf", label: "CHF", value: plain(entry?.prices[.chf]), error: error("\(category.rawValue).price_chf"))
                        field("price_eur", label: "EUR", value: plain(entry?.prices[.eur]), error: error("\(category.rawValue).price_eur"))
                        selectField("period", label: s("catalogue.period"), options: BillingPeriod.allCases.map { ($0.rawValue, s("period.\($0.rawValue)")) },
                                    selected: entry?.period.rawValue ?? BillingPeriod.monthly.rawValue)
                        tag("label", cls("choice")) {
                            VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "tiered"), .flag("checked", entry?.tiered ?? false)])
                            text(" " + s("catalogue.tiered"))
                        }
                        button(s("settings.save"), style: "secondary")
                    }
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "tiers")) {
                tag("h2", attr("id", "tiers")) { text(s("catalogue.tiers")) }
                tag("p", cls("hint")) { text(s("catalogue.tiers_help")) }
                postForm("/provider/catalogue/tiers", csrf: ctx.csrf) {
                    for index in 0..<6 {
                        let tier = index < list.tiers.count ? list.tiers[index] : nil
                        tag("div", cls("inline-fields")) {
                            field("from_\(index)", label: s("catalogue.tier_from", ["n": String(index + 1)]), value: tier.map { String($0.minimumCount) } ?? "",
                                  error: error("tiers.\(index).from"), required: false)
                            field("rate_\(index)", label: s("catalogue.tier_rate", ["n": String(index + 1)]), value: tier.map { MoneyFormat.plain(Money(minorUnits: Int64($0.rate.value), currency: .chf), withCurrency: false) } ?? "",
                                  error: error("tiers.\(index).rate"), required: false)
                        }
                    }
                    button(s("settings.save"), style: "secondary")
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "domains")) {
                tag("h2", attr("id", "domains")) { text(s("catalogue.domains")) }
                tag("table", cls("table")) {
                    tableHead([s("catalogue.extension"), s("catalogue.list") + " CHF", s("catalogue.list") + " EUR", s("catalogue.preferential") + " CHF", s("catalogue.preferential") + " EUR"])
                    tag("tbody") {
                        for domain in list.domains.values.sorted(by: { $0.extensionName < $1.extensionName }) + [list.otherDomain] {
                            tag("tr") {
                                tag("td") { text(domain.extensionName == "*" ? s("catalogue.other_extensions") : "." + domain.extensionName) }
                                for value in [domain.list[.chf], domain.list[.eur], domain.preferential[.chf], domain.preferential[.eur]] {
                                    tag("td", cls("number")) { text(plain(value)) }
                                }
                            }
                        }
                    }
                }
                tag("h3") { text(s("catalogue.domain_edit")) }
                postForm("/provider/catalogue/domains", csrf: ctx.csrf, classes: "form inline-fields") {
                    field("extension", label: s("catalogue.extension"), value: "", error: error("extension"))
                    field("list_chf", label: s("catalogue.list") + " CHF", value: "", error: error("list_chf"))
                    field("list_eur", label: s("catalogue.list") + " EUR", value: "", error: error("list_eur"))
                    field("preferential_chf", label: s("catalogue.preferential") + " CHF", value: "", error: error("preferential_chf"))
                    field("preferential_eur", label: s("catalogue.preferential") + " EUR", value: "", error: error("preferential_eur"))
                    button(s("settings.save"), style: "secondary")
                }
            }
        }
    }

    func saveEntry(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        guard let category = req.parameters.get("category").flatMap(ProductCategory.init(rawValue:)) else { throw AppError.notFound }
        var errors = ValidationErrors()
        let chf = Self.amount(req.formValue("price_chf"), "\(category.rawValue).price_chf", &errors)
        let eur = Self.amount(req.formValue("price_eur"), "\(category.rawValue).price_eur", &errors)
        let period = BillingPeriod(rawValue: req.formValue("period")) ?? .monthly
        if !errors.isEmpty { return try await catalogueView(req, errors: errors.errors, message: nil, status: .unprocessableEntity) }
        let entry = PriceListEntry(category: category, period: period, prices: [.chf: Money(minorUnits: chf, currency: .chf), .eur: Money(minorUnits: eur, currency: .eur)],
                                   tiered: req.formValue("tiered") == "on")
        do { try await req.provider.setCatalogueEntry(staff: staff, entry, store: req.store) } catch AppError.validation(let errors) {
            return try await catalogueView(req, errors: errors, message: nil, status: .unprocessableEntity)
        }
        return .redirect("/provider/catalogue", flash: "settings.saved")
    }

    func saveTiers(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        var errors = ValidationErrors()
        var tiers: [Tier] = []
        for index in 0..<6 {
            let from = req.formValue("from_\(index)").trimmingCharacters(in: .whitespaces), rate = req.formValue("rate_\(index)")
            if from.isEmpty && rate.isEmpty { continue }
            guard let count = Int64(from), count >= 1 else { errors.add("tiers.\(index).from", .invalidValue); continue }
            tiers.append(Tier(from: count, rate: Self.percent(rate, "tiers.\(index).rate", &errors)))
        }
        if errors.isEmpty, PriceList.validate(tiers: tiers) != nil { errors.add("tiers.0.from", .invalidValue) }
        if !errors.isEmpty { return try await catalogueView(req, errors: errors.errors, message: req.strings("catalogue.tiers_invalid"), status: .unprocessableEntity) }
        try await req.provider.setTiers(staff: staff, tiers, store: req.store)
        return .redirect("/provider/catalogue", flash: "settings.saved")
    }

    func saveDomain(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        var errors = ValidationErrors()
        let raw = req.formValue("extension")
        let ext = ProviderService.domainExtension(raw)
        if ext == nil { errors.add("extension", raw.trimmingCharacters(in: .whitespaces).isEmpty ? .required : .invalidValue) }
        let values = ["list_chf", "list_eur", "preferential_chf", "preferential_eur"].map { Self.amount(req.formValue($0), $0, &errors) }
        guard errors.isEmpty, let ext else { return try await catalogueView(req, errors: errors.errors, message: nil, status: .unprocessableEntity) }
        let price = DomainPrice(extensionName: ext, list: [.chf: Money(minorUnits: values[0], currency: .chf), .eur: Money(minorUnits: values[1], currency: .eur)],
                                preferential: [.chf: Money(minorUnits: values[2], currency: .chf), .eur: Money(minorUnits: values[3], currency: .eur)])
        do { try await req.provider.setDomainPrice(staff: staff, price, store: req.store) } catch AppError.validation(let errors) {
            return try await catalogueView(req, errors: errors, message: nil, status: .unprocessableEntity)
        }
        return .redirect("/provider/catalogue", flash: "settings.saved")
    }

    // MARK: orders and refunds (R-B6)

    func ordersPage(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        guard let id = req.parameters.get("org").flatMap(OrganisationID.init(string:)), let organisation = try await req.store.organisation(id: id) else {
            throw AppError.notFound
        }
        let orders = try await req.store.orders(client: id)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("provider.orders", ["org": organisation.name]), ctx) {
            tag("p") { link("← " + s("provider.title"), "/provider") }
            tag("h1") { text(s("provider.orders", ["org": organisation.name])) }
            if orders.isEmpty {
                tag("p", cls("empty")) { text(s("provider.no_orders")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("invoice.date"), s("field.product"), s("order.payer"), s("order.benefit"), s("invoice.net"), s("members.actions")])
                    tag("tbody") {
                        for order in orders {
                            tag("tr") {
                                tag("td") { text(BillingConsoleController.day(order.createdAt)) }
                                tag("td") { text(order.priced.lines.map { "\($0.name) × \($0.quantity)" }.joined(separator: ", ")) }
                                tag("td") { text(s("payer.\(order.priced.payer.rawValue)")) }
                                tag("td") { text(s("benefit.\(order.priced.benefit.rawValue)")) }
                                tag("td", cls("number")) { text(MoneyFormat.display(order.priced.net, language: ctx.language)) }
                                tag("td") { link(s("refund.action"), "/provider/orders/\(order.id.string)/refund", classes: "danger-link") }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The confirmation step before a refund (a destructive, money-moving action).
    func refundPage(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try await refundView(req, message: nil, status: .ok)
    }

    func refundView(_ req: Request, message: String?, status: HTTPResponseStatus) async throws -> Response {
        guard let id = req.parameters.get("order").flatMap(OrderID.init(string:)), let order = try await req.store.order(id),
              let invoice = try await req.store.invoice(order: id) else { throw AppError.notFound }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("refund.title"), ctx, status: status) {
            tag("div", cls("narrow")) {
                tag("h1") { text(s("refund.title")) }
                if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                tag("p") {
                    text(s("refund.explain", ["number": invoice.number, "total": MoneyFormat.display(invoice.totals.total, language: ctx.language),
                                              "cashback": MoneyFormat.display(order.priced.cashback, language: ctx.language)]))
                }
                postForm("/provider/orders/\(id.string)/refund", csrf: ctx.csrf) { button(s("refund.confirm")) }
                tag("p") { link(s("confirm.cancel"), "/provider/organisations/\(order.organisationID.string)/orders") }
            }
        }
    }

    func refund(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        guard let id = req.parameters.get("order").flatMap(OrderID.init(string:)), let order = try await req.store.order(id) else { throw AppError.notFound }
        do {
            _ = try await req.billing.refund(id, staff: staff, store: req.store)
            return .redirect("/provider/organisations/\(order.organisationID.string)/orders", flash: "refund.done")
        } catch AppError.refused(let key) {
            return try await refundView(req, message: req.strings(key), status: .conflict)
        }
    }

    // MARK: partner rates (R-B4)

    func ratesPage(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try await ratesView(req, errors: [], status: .ok)
    }

    func partner(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("org").flatMap(OrganisationID.init(string:)), let organisation = try await req.store.organisation(id: id),
              organisation.isPartner else { throw AppError.notFound }
        return organisation
    }

    func ratesView(_ req: Request, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let organisation = try await partner(req)
        let rates = try await req.store.partnerRates(organisation.id)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("rates.title", ["partner": organisation.name]), ctx, status: status) {
            tag("p") { link("← " + s("provider.title"), "/provider") }
            tag("h1") { text(s("rates.title", ["partner": organisation.name])) }
            tag("p", cls("hint")) { text(s("rates.help")) }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: [:]) }
            postForm("/provider/organisations/\(organisation.id.string)/rates", csrf: ctx.csrf) {
                for category in ProductCategory.allCases where category != .domain {
                    field("rate_\(category.rawValue)", label: s("category.\(category.rawValue)") + " (%)",
                          value: MoneyFormat.plain(Money(minorUnits: Int64(rates.rate(category).value), currency: .chf), withCurrency: false),
                          error: error("rate_\(category.rawValue)"))
                }
                button(s("settings.save"))
            }
        }
    }

    func saveRates(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let organisation = try await partner(req)
        let (rates, errors) = Self.rates(req)
        if !errors.isEmpty { return try await ratesView(req, errors: errors, status: .unprocessableEntity) }
        try await req.provider.setPartnerRates(staff: staff, partner: organisation.id, rates, store: req.store)
        return .redirect("/provider/organisations/\(organisation.id.string)/rates", flash: "settings.saved")
    }
}
