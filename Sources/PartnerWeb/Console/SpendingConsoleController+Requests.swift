import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-B11: the orders clients asked for on the partner's money, each priced as the partner would
/// pay it now; approving charges the partner's wallet at that price, declining charges nothing.
extension SpendingConsoleController {
    func requestsPage(req: Request) async throws -> Response { try await requestsView(req, message: nil, status: .ok) }

    func requestsView(_ req: Request, message: String?, status: HTTPResponseStatus) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        let requests = try await req.store.orderRequests(partner: organisation.id)
        var priced: [UUID: (PricedOrder, InvoiceTotals)] = [:]
        var problems: [UUID: String] = [:]
        for request in requests where request.state == .pending {
            do {
                let (_, order, totals) = try await req.billing.pricedRequest(request, store: req.store)
                priced[request.id] = (order, totals)
            } catch AppError.refused(let key) {
                problems[request.id] = req.strings(key)
            }
        }
        var names: [OrganisationID: String] = [:]
        for request in requests where names[request.clientID] == nil { names[request.clientID] = try await req.store.organisation(id: request.clientID)?.name }
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func money(_ m: Money) -> String { MoneyFormat.display(m, language: ctx.language) }
        let pending = requests.filter { $0.state == .pending }
        return Layout.page(s("requests.title"), ctx, status: status) {
            tag("h1") { text(s("requests.title")) }
            tag("p") { text(s("requests.intro")) }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            if pending.isEmpty { tag("p", cls("empty"), attr("id", "no-requests")) { text(s("requests.none")) } }
            for request in pending {
                tag("section", cls("card"), attr("id", "request-\(request.id.uuidString.lowercased())")) {
                    tag("h2") { text(names[request.clientID] ?? "") }
                    tag("p") { text(request.summary + " · " + s("requests.list", ["amount": money(request.listTotal)]) + " · " + Layout.date(request.createdAt)) }
                    if let (order, totals) = priced[request.id] {
                        tag("p") {
                            text(s("requests.you_pay", ["amount": money(totals.total)]))
                            if order.cashback.minorUnits > 0 { text(" " + s("order.line_cashback", ["amount": money(order.cashback)])) }
                        }
                        postForm(base(organisation.id) + "/order-requests/\(request.id.uuidString.lowercased())/approve", csrf: ctx.csrf, classes: "inline") {
                            hidden("expected_total_minor", String(totals.total.minorUnits))
                            button(s("requests.approve", ["amount": money(totals.total)]))
                        }
                    } else if let problem = problems[request.id] {
                        tag("p", cls("error")) { text(problem) }
                    }
                    // Declining is final: it asks first (CONSOLE.md, destructive steps).
                    tag("p") { link(s("requests.decline"), base(organisation.id) + "/order-requests/\(request.id.uuidString.lowercased())/decline",
                                    classes: "danger-link") }
                }
            }
            let decided = requests.filter { $0.state != .pending }
            if !decided.isEmpty {
                tag("h2") { text(s("requests.decided")) }
                tag("table", cls("table"), attr("id", "decided-requests")) {
                    tableHead([s("field.client"), s("field.product"), s("field.status")])
                    tag("tbody") {
                        for request in decided {
                            tag("tr") {
                                tag("td") { text(names[request.clientID] ?? "") }
                                tag("td") { text(request.summary) }
                                tag("td") { text(s("requests.state.\(request.state.rawValue)")) }
                            }
                        }
                    }
                }
            }
        }
    }

    func approve(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try SpendingAPIController.requestID(req)
        let expected = ASCIIDecimal.parse(req.formValue("expected_total_minor"))
        do {
            let order = try await req.billing.approve(id, partner: context.organisationID, by: try req.requireUser(), expectedTotal: expected, store: req.store)
            return .redirect("/console/orgs/\(order.organisationID.string)/orders/\(order.id.string)", flash: "requests.approved")
        } catch AppError.refused(let key) {
            return try await requestsView(req, message: req.strings(key), status: .conflict)
        } catch AppError.validation(let errors) {
            return try await requestsView(req, message: errors.map { req.strings.fieldError($0) }.joined(separator: " "), status: .conflict)
        }
    }

    func confirmDecline(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try SpendingAPIController.requestID(req)
        guard let request = try await req.store.orderRequests(partner: context.organisationID, id: id).first, request.state == .pending else {
            throw AppError.notFound
        }
        let client = try await req.store.organisation(id: request.clientID)?.name ?? ""
        let ctx = try await req.pageContext(current: try await req.store.organisation(context))
        return Layout.confirmation(ctx, title: ctx.strings("requests.decline") + ": " + client,
                                   consequence: ctx.strings("requests.decline_confirm", ["client": client, "summary": request.summary]),
                                   action: base(context.organisationID) + "/order-requests/\(id.uuidString.lowercased())/decline",
                                   confirmLabel: ctx.strings("requests.decline"), cancel: base(context.organisationID) + "/order-requests")
    }

    func decline(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        do {
            try await req.billing.decline(try SpendingAPIController.requestID(req), partner: context.organisationID, by: try req.requireUser(), store: req.store)
        } catch AppError.refused(let key) {
            return try await requestsView(req, message: req.strings(key), status: .conflict)
        }
        return .redirect(base(context.organisationID) + "/order-requests", flash: "requests.declined")
    }
}
