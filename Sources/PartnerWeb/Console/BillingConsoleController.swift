import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The console's money pages: ordering (with the breakdown before confirming), the organisation's
/// billing (wallet, top-up, ledger, invoices, charts for partners), printable invoices, CSV exports.
struct BillingConsoleController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("console", "orgs", ":org")
        org.get("billing", use: billingPage).named(.billing)
        org.post("billing", "top-up", use: topUp).named(.billing)
        org.get("invoices", ":invoice", use: invoicePage).named(.billing)
        org.get("invoices.csv", use: invoicesCSV).named(.billing)
        org.get("ledger.csv", use: ledgerCSV).named(.billing)
        org.get("earnings.csv", use: earningsCSV).named(.billing)
        org.get("clients", ":partnership", "billing.csv", use: clientBillingCSV).named(.billing)
        org.get("order", use: orderPage).named(.order)
        org.post("order", "quote", use: quote).named(.order)
        org.post("order", "confirm", use: confirm).named(.order)
        org.get("orders", ":order", use: orderDetail).named(.order)
        // The same streamed exports for API clients (token auth; problems as JSON under /api).
        let api = routes.grouped("api", "v1", "organisations", ":org")
        api.get("invoices.csv", use: invoicesCSV).named(.billing)
        api.get("wallet", "entries.csv", use: ledgerCSV).named(.billing)
        api.get("earnings.csv", use: earningsCSV).named(.billing)
        api.get("clients", ":partnership", "billing.csv", use: clientBillingCSV).named(.billing)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)" }
    func orgID(_ req: Request) throws -> OrganisationID { try api.param(req, "org", OrganisationID.init(string:)) }

    // MARK: ordering (R-B2, R-B3)

    /// The page header for a client organisation: a member's own, or the partner's client context.
    /// Every page about a client is for those who reach it (R-P10) — whichever path led here, a
    /// form refused before its handler's own check included: everyone else gets 404, never the
    /// client's name or prices.
    func clientPage(_ req: Request, client: OrganisationID) async throws -> (PageContext, Organisation) {
        let user = try req.requireUser()
        let access = try await req.store.clientAccess(user: user.id, organisation: client)
        guard access.reachesOrganisation(now: req.partnerHub.configuration.clock.now()),
              let organisation = try await req.store.organisation(id: client) else { throw AppError.notFound }
        let isMember = access.clientMembership != nil
        return (try await req.pageContext(current: isMember ? organisation : nil), organisation)
    }

    func orderPage(req: Request) async throws -> Response {
        let client = try orgID(req)
        let user = try req.requireUser()
        // Visible to whoever may act for the client at all (R-P10); everyone else 404.
        let access = try await req.store.clientAccess(user: user.id, organisation: client)
        guard access.reachesOrganisation(now: req.partnerHub.configuration.clock.now()) else { throw AppError.notFound }
        return try await orderForm(req, client: client, values: [:], errors: [], message: nil, isPartner: access.clientMembership == nil)
    }

    func orderForm(_ req: Request, client: OrganisationID, values: [String: String], errors: [FieldError], message: String?, isPartner: Bool,
                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let (ctx, organisation) = try await clientPage(req, client: client)
        let s = ctx.strings
        func error(_ f: String) -> String? { errors.first { $0.field == f || $0.field.hasPrefix(f + ".") || $0.field.hasPrefix("lines.0.\(f)") }.map { s.fieldError($0) } }
        // R-B11: an employee with a spending limit orders on the partner's money only; the client's
        // means are not offered (they would be refused).
        let sides = req.storage[ClientAccessKey.self]?.partnerSides ?? []
        let ownMeansOnly = isPartner && !sides.isEmpty && sides.allSatisfy { RoleRules.permission($0.role, .orderAndRenew) != .whole }
        let means: [(String, String)] = ownMeansOnly ? [("own", s("order.means_own"))]
            : [("", s("order.means_default")), ("client", s("order.means_client")), ("own", s("order.means_own"))]
        let list = try await req.store.priceList()
        return Layout.page(s("order.title"), ctx, status: status) {
            tag("div", cls("narrow wide")) {
                tag("h1") { text(s("order.title_for", ["client": organisation.name])) }
                if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["lines": s("field.product"), "lines.0.name": s("field.product"), "lines.0.quantity": s("field.quantity"), "means": s("order.means")]) }
                tag("p", cls("hint")) { text(s("order.help", ["currency": organisation.currency.rawValue])) }
                postForm(base(client) + "/order/quote", csrf: ctx.csrf) {
                    selectField("category", label: s("field.category"), options: ProductCategory.allCases.compactMap { category in
                        guard let entry = list.entries[category], let price = try? entry.price(in: organisation.currency) else { return nil }
                        return (category.rawValue, s("category.\(category.rawValue)") + " — " + MoneyFormat.display(price, language: ctx.language)
                            + " / " + s("period.\(entry.period.rawValue)"))
                    }, selected: values["category"] ?? ProductCategory.webHosting.rawValue, error: error("category"))
                    field("name", label: s("order.name"), value: values["name"] ?? "", error: error("name"), hint: s("order.name_help"))
                    field("quantity", label: s("field.quantity"), type: "number", value: values["quantity"] ?? "1", error: error("quantity"))
                    if isPartner {
                        selectField("means", label: s("order.means"), options: means, selected: values["means"] ?? (ownMeansOnly ? "own" : ""), error: error("means"))
                    }
                    button(s("order.show_price"))
                }
            }
        }
    }

    func orderInput(_ req: Request) -> (BillingService.OrderInput?, [String: String], [FieldError]) {
        let values = ["category": req.formValue("category"), "name": req.formValue("name"), "quantity": req.formValue("quantity"),
                      "means": req.formValue("means"), "renew": req.formValue("renew")]
        if let renew = ProductID(string: values[field: "renew"]) {
            return (BillingService.OrderInput(lines: [], renew: renew, means: values[field: "means"].isEmpty ? nil : values["means"]), values, [])
        }
        var errors = ValidationErrors()
        let category = ProductCategory(rawValue: values[field: "category"])
        if category == nil { errors.add("category", .invalidValue) }
        let quantity = Int64(values[field: "quantity"].trimmingCharacters(in: .whitespaces))
        if quantity == nil { errors.add("lines.0.quantity", .invalidValue) }
        guard errors.isEmpty, let category, let quantity else { return (nil, values, errors.errors) }
        return (BillingService.OrderInput(lines: [LineRequest(category: category, name: values[field: "name"], quantity: quantity)], renew: nil,
                                          means: values[field: "means"].isEmpty ? nil : values["means"]), values, [])
    }

    func quote(req: Request) async throws -> Response {
        let client = try orgID(req)
        let user = try req.requireUser()
        let isPartner = try await req.store.context(user: user.id, organisation: client) == nil
        let (input, values, errors) = orderInput(req)
        guard let input else { return try await orderForm(req, client: client, values: values, errors: errors, message: nil, isPartner: isPartner, status: .unprocessableEntity) }
        do {
            let quote = try await req.billing.quote(user: user, client: client, input: input, store: req.store)
            return try await quotePage(req, quote, message: nil)
        } catch AppError.validation(let errors) {
            return try await orderForm(req, client: client, values: values, errors: errors, message: nil, isPartner: isPartner, status: .unprocessableEntity)
        } catch AppError.forbidden(let key) where key.hasPrefix("billing.") {
            return try await orderForm(req, client: client, values: values, errors: [], message: req.strings(key), isPartner: isPartner, status: .forbidden)
        }
    }

    /// The breakdown before confirming: every line's list price and discount steps, payer,
    /// benefit and R-B3 row, totals with VAT — the price charged if confirmed within 15 minutes.
    func quotePage(_ req: Request, _ quote: BillingService.Quote, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let (ctx, organisation) = try await clientPage(req, client: quote.clientID)
        let s = ctx.strings
        let payerName = try await req.store.organisation(id: quote.payerID)?.name ?? ""
        let audience = try await BillingAPIController.audience(req, partner: quote.partnerID)
        // R-B11: when the partner pays for the client's order, the client neither sees nor chooses
        // the partner's means: the partner's wallet pays, at a price the client does not see.
        let partnerPays = !PriceDisclosure.showsPayerAmounts(quote.priced, to: audience)
        return Layout.page(s("order.quote_title"), ctx, status: status) {
            tag("div", cls("narrow wide")) {
                tag("h1") { text(s("order.quote_title")) }
                if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                tag("p") { text(s("order.for_client", ["client": organisation.name])) }
                breakdown(quote.priced, totals: quote.totals, payerName: payerName, audience: audience, ctx: ctx)
                tag("p", cls("hint")) { text(s("order.quote_valid")) }
                postForm(base(quote.clientID) + "/order/confirm", csrf: ctx.csrf) {
                    hidden("quote_id", quote.id.string)
                    if partnerPays {
                        hidden("payment_method", PaymentMethod.wallet.rawValue)
                        tag("p") { text(s("order.partner_pays", ["partner": payerName])) }
                        button(s("order.confirm_partner_pays"))
                    } else {
                    tag("fieldset") {
                        tag("legend") { text(s("order.payment")) }
                        for method in PaymentMethod.allCases {
                            tag("label", cls("choice")) {
                                VoidTag(name: "input", attributes: [.value("type", "radio"), .value("name", "payment_method"), .value("value", method.rawValue),
                                                                    .flag("checked", method == .wallet)])
                                text(" " + s("order.method.\(method.rawValue)", ["payer": payerName]))
                            }
                        }
                    }
                    // Only needed when paying by card; the server asks for it then.
                    field("card_number", label: s("field.card_number"), value: "", hint: s("order.card_help"), required: false, autocomplete: "cc-number")
                    button(s("order.confirm", ["total": MoneyFormat.display(quote.totals.total, language: ctx.language)]))
                    }
                }
                tag("p") { link(s("order.change"), base(quote.clientID) + "/order") }
            }
        }
    }

    /// A priced order as a table (R-B2 steps), then payer, benefit and the R-B3 row.
    /// R-B11: `audience` decides what is shown (`PriceDisclosure`): the client sees public prices only.
    func breakdown(_ priced: PricedOrder, totals: InvoiceTotals?, payerName: String, audience: PriceDisclosure.Audience, ctx: PageContext) -> Component {
        let s = ctx.strings
        func money(_ m: Money) -> String { MoneyFormat.display(m, language: ctx.language) }
        return ComponentGroup {
            tag("table", cls("table breakdown"), attr("id", "breakdown")) {
                tableHead([s("field.product"), s("field.quantity"), s("order.steps"), s("order.charged")])
                tag("tbody") {
                    for line in PriceDisclosure.lines(priced, to: audience) {
                        tag("tr") {
                            tag("td") { text("\(line.name) (\(s("category.\(line.category.rawValue)")), \(s("period.\(line.period.rawValue)")))") }
                            tag("td", cls("number")) { text(String(line.quantity)) }
                            tag("td") {
                                tag("ol", cls("steps")) {
                                    for step in line.steps {
                                        tag("li") {
                                            text(s("step.\(step.step.rawValue)", ["rate": step.rate.description, "count": line.tierCount.map(String.init) ?? ""])
                                                 + ": " + money(step.amount))
                                        }
                                    }
                                }
                                if let cashback = line.cashback, cashback.minorUnits > 0 { tag("p", cls("hint")) { text(s("order.line_cashback", ["amount": money(cashback)])) } }
                            }
                            tag("td", cls("number")) { tag("strong") { text(money(line.charged ?? line.publicPrice)) } }
                        }
                    }
                }
            }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("order.payer")) }; tag("dd") { text(payerName + " (" + s("payer.\(priced.payer.rawValue)") + ")") }
                // R-B11: what the partner earns, and by which rule, is the partner's side.
                if audience == .partnerSide {
                    tag("dt") { text(s("order.benefit")) }; tag("dd") { text(s("benefit.\(priced.benefit.rawValue)")) }
                    tag("dt") { text(s("order.rule")) }; tag("dd") { text(s("order.rule_row", ["row": String(priced.row)])) }
                }
                if audience == .partnerSide, priced.cashback.minorUnits > 0 { tag("dt") { text(s("benefit.cashback")) }; tag("dd") { text(money(priced.cashback)) } }
                if let totals, PriceDisclosure.showsPayerAmounts(priced, to: audience) {
                    tag("dt") { text(s("invoice.net")) }; tag("dd") { text(money(totals.net)) }
                    tag("dt") { text(s("invoice.vat", ["rate": totals.vatRate.description])) }; tag("dd") { text(money(totals.vat)) }
                    tag("dt") { text(s("invoice.total")) }; tag("dd", attr("id", "total")) { tag("strong") { text(money(totals.total)) } }
                }
            }
        }
    }

    func confirm(req: Request) async throws -> Response {
        let client = try orgID(req)
        let user = try req.requireUser()
        // A form without a quote is a form not filled in (422), not a missing organisation.
        guard let quoteID = QuoteID(string: req.formValue("quote_id")) else { throw AppError.validation([FieldError("quote_id", .required)]) }
        let method = PaymentMethod(rawValue: req.formValue("payment_method")) ?? .wallet
        do {
            let order = try await req.billing.confirm(user: user, client: client, quoteID: quoteID, method: method, card: req.formValue("card_number"),
                                                      idempotency: nil, store: req.store)
            return .redirect(base(client) + "/orders/\(order.id.string)", flash: "order.placed")
        } catch is AwaitingApproval {
            // R-B11: the partner pays and decides first; nothing was charged.
            return .redirect(base(client) + "/order", flash: "order.awaiting_approval")
        } catch let stale as StaleQuote {
            return try await quotePage(req, stale.fresh, message: req.strings("billing.stale"), status: .conflict)
        } catch AppError.validation(let errors) {
            // Insufficient balance or a declined card: the same quote again, with the reason.
            guard let stored = try await req.store.quote(quoteID, organisation: client, user: user.id),
                  let quote = try? JSONDecoder().decode(BillingService.Quote.self, from: Data(stored.payload.utf8)) else { throw AppError.notFound }
            return try await quotePage(req, quote, message: errors.map { req.strings.fieldError($0) }.joined(separator: " "), status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await orderForm(req, client: client, values: [:], errors: [], message: req.strings(key), isPartner: false, status: .conflict)
        }
    }

    func orderDetail(req: Request) async throws -> Response {
        let client = try orgID(req)
        let user = try req.requireUser()
        let id = try api.param(req, "order", OrderID.init(string:))
        let visible = try await BillingAPIController.visibleOrders(req, user: user, client: client)
        guard let order = visible.first(where: { $0.id == id }) else { throw AppError.notFound }
        let invoice = try await BillingAPIController.invoicesByOrder(req, [order])[order.id]
        let (ctx, organisation) = try await clientPage(req, client: client)
        let s = ctx.strings
        let payerName = try await req.store.organisation(id: order.payerID)?.name ?? ""
        let audience = try await BillingAPIController.audience(req, partner: order.partnerID)
        let shownInvoice = PriceDisclosure.showsPayerAmounts(order.priced, to: audience) ? invoice : nil
        return Layout.page(s("order.detail_title"), ctx) {
            tag("h1") { text(s("order.detail_title")) }
            tag("p") { text(s("order.for_client", ["client": organisation.name]) + " · " + Self.day(order.createdAt)) }
            breakdown(order.priced, totals: shownInvoice?.totals, payerName: payerName, audience: audience, ctx: ctx)
            if let invoice = shownInvoice {
                tag("p") { link(s("invoice.open", ["number": invoice.number]), base(invoice.organisationID) + "/invoices/\(invoice.id.string)", classes: "button secondary") }
            } else {
                tag("p", cls("hint")) { text(s("order.invoice_elsewhere")) }
            }
        }
    }

    static func day(_ date: Date) -> String { String(ISO8601DateFormatter().string(from: date).prefix(10)) }

    // MARK: the organisation's billing (R-B5, R-B6)

    func billingContext(_ req: Request) async throws -> OrganisationContext {
        // Who may: the route's action (R-O5 billing).
        let context = try await req.organisationContext()
        return context
    }

    func billingPage(req: Request) async throws -> Response {
        try await billingView(req, context: try await billingContext(req), values: [:], errors: [])
    }

    func billingView(_ req: Request, context: OrganisationContext, values: [String: String], errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        func money(_ m: Money) -> String { MoneyFormat.display(m, language: ctx.language) }
        var balances: [Money] = []
        for currency in Currency.allCases { balances.append(try await req.store.walletBalance(organisation.id, currency: currency)) }
        let entries = try await req.store.ledger(organisation.id, limit: 50)
        let invoices = try await req.store.invoices(of: organisation.id, limit: 50)
        let earnings = organisation.isPartner ? try await req.store.orders(partner: organisation.id) : []
        let now = req.partnerHub.configuration.clock.now()
        let volume = organisation.isPartner ? try await Charts.managedVolume(req.store, partner: organisation.id, now: now) : []
        let b = base(organisation.id)
        return Layout.page(s("nav.billing"), ctx, status: status) {
            tag("h1") { text(s("nav.billing")) }
            tag("section", cls("card"), attr("aria-labelledby", "wallet")) {
                tag("h2", attr("id", "wallet")) { text(s("billing.wallet")) }
                tag("p", cls("balances")) {
                    for balance in balances where balance.minorUnits != 0 || balance.currency == organisation.currency {
                        tag("span", cls("balance")) { text(money(balance)) }
                    }
                }
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["amount": s("field.amount"), "card_number": s("field.card_number"), "currency": s("field.currency")]) }
                postForm(b + "/billing/top-up", csrf: ctx.csrf, classes: "form inline-fields") {
                    field("amount", label: s("field.amount"), value: values["amount"] ?? "", error: error("amount"))
                    selectField("currency", label: s("field.currency"), options: Currency.allCases.map { ($0.rawValue, $0.rawValue) },
                                selected: values["currency"] ?? organisation.currency.rawValue, error: error("currency"))
                    field("card_number", label: s("field.card_number"), value: "", error: error("card_number"), hint: s("order.card_help"), autocomplete: "cc-number")
                    button(s("billing.top_up"))
                }
            }
            if organisation.isPartner {
                tag("section", cls("card"), attr("aria-labelledby", "earnings")) {
                    tag("h2", attr("id", "earnings")) { text(s("billing.earnings")) }
                    Charts.earnings(Charts.monthlyEarnings(earnings, now: now, currency: organisation.currency), currency: organisation.currency, ctx: ctx)
                    Charts.volume(volume, ctx: ctx)
                    tag("p") { link(s("billing.export_earnings"), b + "/earnings.csv") }
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "invoices")) {
                tag("h2", attr("id", "invoices")) { text(s("billing.invoices")) }
                if invoices.isEmpty {
                    tag("p", cls("empty")) { text(s("billing.no_invoices")) }
                } else {
                    tag("table", cls("table")) {
                        tableHead([s("invoice.number"), s("invoice.date"), s("invoice.total")])
                        tag("tbody") {
                            for invoice in invoices {
                                tag("tr") {
                                    tag("td") { link(invoice.number, b + "/invoices/\(invoice.id.string)") }
                                    tag("td") { text(Self.day(invoice.issuedAt)) }
                                    tag("td", cls("number")) { text(money(invoice.totals.total)) }
                                }
                            }
                        }
                    }
                }
                tag("p") {
                    link(s("billing.export_invoices"), b + "/invoices.csv")
                    text(" · ")
                    link(s("billing.export_semicolon"), b + "/invoices.csv?delimiter=semicolon")
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "ledger")) {
                tag("h2", attr("id", "ledger")) { text(s("billing.ledger")) }
                if entries.isEmpty {
                    tag("p", cls("empty")) { text(s("billing.no_entries")) }
                } else {
                    tag("table", cls("table")) {
                        tableHead([s("invoice.date"), s("billing.kind"), s("billing.description"), s("field.amount"), s("billing.balance_after")])
                        tag("tbody") {
                            for entry in entries {
                                tag("tr") {
                                    tag("td") { text(Self.day(entry.createdAt)) }
                                    tag("td") { text(s("ledger.\(entry.kind.rawValue)")) }
                                    tag("td") { text(entry.description) }
                                    tag("td", cls("number")) { text(money(entry.amount)) }
                                    tag("td", cls("number")) { text(money(entry.balanceAfter)) }
                                }
                            }
                        }
                    }
                }
                tag("p") { link(s("billing.export_ledger"), b + "/ledger.csv") }
            }
        }
    }

    func topUp(req: Request) async throws -> Response {
        let context = try await billingContext(req)
        let values = ["amount": req.formValue("amount"), "currency": req.formValue("currency")]
        do {
            _ = try await req.billing.topUp(context, user: try req.requireUser(), amount: values[field: "amount"], currency: values["currency"], card: req.formValue("card_number"),
                                            idempotency: nil, store: req.store)
            return .redirect(base(context.organisationID) + "/billing", flash: "billing.topped_up")
        } catch AppError.validation(let errors) {
            return try await billingView(req, context: context, values: values, errors: errors, status: .unprocessableEntity)
        }
    }
}
