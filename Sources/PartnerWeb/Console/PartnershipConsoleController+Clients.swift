import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The partner side (R-P2, R-P9): the clients list, adding a client, the client context, assignments.
extension PartnershipConsoleController {
    // MARK: clients (partner side, R-P2, R-P9)

    static let pageSize = 25

    func clientsPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await clientsView(req, context, values: [:], errors: [], message: nil)
    }

    func clientsView(_ req: Request, _ context: OrganisationContext, values: [String: String], errors: [FieldError], message: String?,
                     status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let all = try await req.partnerships.visibleClients(context, store: req.store)
        let query = ((try? req.query.get(String.self, at: "q")) ?? "").lowercased()
        let accessFilter = (try? req.query.get(String.self, at: "access")).flatMap(AccessType.init(rawValue:))
        let filtered = all.filter { (query.isEmpty || $0.counterpartName.lowercased().contains(query)) && (accessFilter == nil || $0.partnership.access == accessFilter) }
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let shown = Array(filtered.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize))
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let b = base(organisation.id)
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("nav.clients"), ctx, status: status) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("nav.clients")) }
                if context.may(.managePartnerships) && organisation.isPartner { link(s("clients.add"), "#add-client", classes: "button primary") }
            }
            if !organisation.isPartner { tag("p", cls("muted")) { text(s("clients.not_partner")) } }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            tag("form", attr("method", "get"), attr("action", b + "/clients"), cls("form inline"), attr("role", "search")) {
                field("q", label: s("clients.search"), type: "search", value: query, required: false)
                selectField("access", label: s("field.access"), options: [("", s("clients.any_access"))] + AccessType.allCases.map { ($0.rawValue, s("access.\($0.rawValue)")) },
                            selected: accessFilter?.rawValue ?? "")
                button(s("partners.search_button"), style: "secondary")
            }
            if filtered.isEmpty {
                tag("p", cls("empty")) { text(all.isEmpty ? s("clients.empty") : s("partners.none_found")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("field.client"), s("field.state"), s("field.access_rights"), s("field.products"), s("members.actions")])
                    tag("tbody") {
                        for listing in shown {
                            let p = listing.partnership
                            tag("tr") {
                                tag("td") {
                                    if p.state == .active { link(listing.counterpartName, b + "/clients/\(p.id.string)") } else { text(listing.counterpartName) }
                                }
                                tag("td") { stateLabel(p.state, s) }
                                tag("td") { accessBadge(p, s) }
                                tag("td") { text(p.access == .full ? s("products.all") : String(p.grants.count)) }
                                tag("td") {
                                    tag("details", cls("menu row-actions")) {
                                        tag("summary", attr("aria-label", s("members.actions") + ": " + listing.counterpartName)) { text("⋮") }
                                        tag("div", cls("menu-body")) { actionLinks(p, context: context, ctx: ctx) }
                                    }
                                }
                            }
                        }
                    }
                }
                if filtered.count > Self.pageSize {
                    tag("nav", cls("pagination"), attr("aria-label", "Pages")) {
                        if page > 1 { link("← \(page - 1)", b + "/clients?page=\(page - 1)&q=\(query)&access=\(accessFilter?.rawValue ?? "")") }
                        text(" \(page) / \((filtered.count + Self.pageSize - 1) / Self.pageSize) ")
                        if page * Self.pageSize < filtered.count { link("\(page + 1) →", b + "/clients?page=\(page + 1)&q=\(query)&access=\(accessFilter?.rawValue ?? "")") }
                    }
                }
            }
            if context.may(.managePartnerships) && organisation.isPartner {
                tag("section", attr("id", "add-client"), cls("card")) {
                    tag("h2") { text(s("clients.add")) }
                    tag("p", cls("hint")) { text(s("clients.add_help")) }
                    if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["email": s("field.email"), "access": s("field.access")]) }
                    postForm(b + "/clients", csrf: ctx.csrf) {
                        field("email", label: s("field.email"), type: "email", value: values["email"] ?? "", error: error("email"))
                        selectField("access", label: s("field.access"), options: AccessType.allCases.map { ($0.rawValue, s("access.\($0.rawValue)")) },
                                    selected: values["access"] ?? AccessType.full.rawValue, error: error("access"))
                        selectField("payment_mode", label: s("field.payment_mode_full_only"), options: PaymentMode.allCases.map { ($0.rawValue, s("payment.\($0.rawValue)")) },
                                    selected: values["payment_mode"] ?? PaymentMode.client.rawValue)
                        button(s("clients.add"))
                    }
                }
            }
        }
    }

    func addClient(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let values = ["email": req.formValue("email"), "access": req.formValue("access"), "payment_mode": req.formValue("payment_mode")]
        do {
            let terms = try req.partnerships.terms(access: values[field: "access"], paymentMode: values["payment_mode"], grants: [], endsAt: nil, clientProducts: nil)
            _ = try await req.partnerships.addClient(context, inviter: try req.requireUser(), email: values[field: "email"], terms: terms, language: req.language, store: req.store)
            return .redirect(base(context.organisationID) + "/clients", flash: "clients.invited")
        } catch {
            guard let (message, errors) = refusal(error, req.strings) else { throw error }
            return try await clientsView(req, context, values: values, errors: errors, message: message, status: .unprocessableEntity)
        }
    }

    /// The client context ("the client's manager"): what R-P10 lets this partner user see and do
    /// in the client's organisation, under a band that says so (CONSOLE.md).
    func clientContext(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try partnershipID(req)
        guard let listing = try await req.partnerships.visibleClients(context, store: req.store).first(where: { $0.partnership.id == id }),
              listing.partnership.state == .active, let clientID = listing.partnership.clientID else { throw AppError.notFound }
        let user = try req.requireUser()
        let organisation = try await req.store.organisation(context)
        let products = try await req.partnerships.visibleProducts(user: user, organisation: clientID, store: req.store)
        let members = context.may(.manageMembers) ? try await req.store.members(context) : []
        // R-B8: when each product next falls due and who that renewal bills, on today's partnerships.
        let payers = try await req.billing.nextPayers(products.map(\.0), client: clientID, store: req.store)
        let payerNames = [clientID: listing.counterpartName, organisation.id: organisation.name]
        // The comparison of payment modes is for those who decide on billing (R-O2).
        let whatIf = context.may(.billing) ? try await req.store.organisation(id: clientID).asyncMap {
            try await req.billing.whatIf(client: $0, partner: organisation.id, products: products.map(\.0), store: req.store)
        } ?? [] : []
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let p = listing.partnership
        let b = base(organisation.id)
        return Layout.page(listing.counterpartName, ctx) {
            tag("div", cls("client-band"), attr("role", "note")) {
                text(s("clients.band", ["client": listing.counterpartName, "partner": organisation.name, "access": s("access.\(p.access.rawValue)")]))
                text(" ")
                link(s("clients.back"), b + "/clients")
            }
            tag("div", cls("page-head")) {
                tag("h1") { text(listing.counterpartName) }
                link(s("clients.order"), "/console/orgs/\(clientID.string)/order", classes: "button primary")
            }
            tag("h2") { text(s("nav.products")) }
            if products.isEmpty {
                tag("p", cls("empty")) { text(s("partnerships.no_products")) }
            } else {
                tag("table", cls("table"), attr("id", "client-products")) {
                    tableHead([s("field.product"), s("field.category"), s("products.next_due"), s("products.billed_to"), s("field.access_rights")])
                    tag("tbody") {
                        for (product, allowed) in products {
                            let renews = product.renewing
                            tag("tr") {
                                tag("td") { text(product.name) }
                                tag("td") { text(s("category.\(product.category.rawValue)")) }
                                tag("td") { text(renews.map { BillingConsoleController.day($0.renewsAt) } ?? "—") }
                                tag("td") { text(renews.flatMap { _ in payers[product.id].flatMap { payerNames[$0] } } ?? "—") }
                                tag("td") {
                                    for action in ProductAction.allCases where allowed.contains(action) {
                                        tag("span", cls("badge")) { text(s("action.\(action.rawValue)")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !whatIf.isEmpty {
                tag("section", cls("card"), attr("aria-labelledby", "what-if")) {
                    tag("h2", attr("id", "what-if")) { text(s("whatif.title")) }
                    tag("p", cls("hint")) { text(s("whatif.help")) }
                    tag("table", cls("table")) {
                        tableHead([s("field.product"), s("whatif.client_mode"), s("whatif.partner_mode")])
                        tag("tbody") {
                            for row in whatIf {
                                tag("tr") {
                                    tag("td") { text(row.product.name + " (" + s("period.\(row.clientMode.period.rawValue)") + ")") }
                                    tag("td") {
                                        text(s("whatif.client_pays", ["amount": MoneyFormat.display(row.clientMode.charged, language: ctx.language)]))
                                        tag("br")
                                        tag("strong") { text(s("whatif.you_receive", ["amount": MoneyFormat.display(row.clientMode.cashback, language: ctx.language)])) }
                                    }
                                    tag("td") {
                                        text(s("whatif.you_pay", ["amount": MoneyFormat.display(row.partnerMode.charged, language: ctx.language)]))
                                        tag("br")
                                        tag("strong") {
                                            text(s("whatif.margin", ["amount": MoneyFormat.display(
                                                (try? row.partnerMode.publicPrice.subtracting(row.partnerMode.charged)) ?? row.partnerMode.charged, language: ctx.language)]))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if context.may(.manageMembers) {
                tag("section", cls("card"), attr("aria-labelledby", "assigned")) {
                    tag("h2", attr("id", "assigned")) { text(s("clients.assigned")) }
                    tag("p", cls("hint")) { text(s("clients.assigned_help")) }
                    postForm(b + "/partnerships/\(p.id.string)/assignments", csrf: ctx.csrf) {
                        for member in members where member.role == .employee {
                            tag("label", cls("choice")) {
                                VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "member_\(member.membershipID.string)"),
                                                                    .flag("checked", listing.assignedMemberships.contains(member.membershipID))])
                                text(" \(member.name) (\(member.email.value))")
                            }
                        }
                        if !members.contains(where: { $0.role == .employee }) { tag("p", cls("empty")) { text(s("clients.no_employees")) } }
                        button(s("settings.save"))
                    }
                }
            }
        }
    }

    /// Saves the employee checkboxes: each employee assigned or not.
    func assign(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try partnershipID(req)
        let user = try req.requireUser()
        for member in try await req.store.members(context) where member.role == .employee {
            let wanted = req.formValue("member_\(member.membershipID.string)") == "on"
            try await req.partnerships.setAssignment(context, user: user, id: id, membership: member.membershipID, assigned: wanted, store: req.store)
        }
        return .redirect(base(context.organisationID) + "/clients/\(id.string)", flash: "settings.saved")
    }
}
