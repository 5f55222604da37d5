import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The console's partnership pages: products, partners (client side), clients and the client
/// context (partner side, the "partner space"), and the invitation page reached from e-mail.
struct PartnershipConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("partnerships", ":token", use: invitationPage)
        routes.post("partnerships", ":token", "accept") { req in try await answer(req, accept: true) }
        routes.post("partnerships", ":token", "decline") { req in try await answer(req, accept: false) }

        let org = routes.grouped("console", "orgs", ":org")
        org.get("products", use: productsPage)
        org.get("products", ":product", "access", use: explainPage)
        org.get("partners", use: partnersPage)
        org.get("partners", "new", use: addPartnerPage)
        org.get("partner-requests", ":partnership", use: requestPage)
        org.post("partner-requests", ":partnership", "accept") { req in try await answerRequest(req, accept: true) }
        org.post("partner-requests", ":partnership", "decline") { req in try await answerRequest(req, accept: false) }
        org.post("partners", use: addPartner)
        org.get("partnerships", ":partnership", use: partnershipPage)
        org.post("partnerships", ":partnership", use: changeTerms)
        org.get("partnerships", ":partnership", "end", use: endPage)
        org.post("partnerships", ":partnership", "end", use: end)
        org.post("partnerships", ":partnership", "resend", use: resend)
        org.post("partnerships", ":partnership", "withdraw", use: withdraw)
        org.post("partnerships", ":partnership", "assignments", use: assign)
        org.post("partnerships", ":partnership", "accept") { req in try await answerReceived(req, accept: true) }
        org.post("partnerships", ":partnership", "decline") { req in try await answerReceived(req, accept: false) }
        org.get("clients", use: clientsPage)
        org.post("clients", use: addClient)
        org.get("clients", ":partnership", use: clientContext)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)" }

    func partnershipID(_ req: Request) throws -> PartnershipID {
        guard let id = req.parameters.get("partnership").flatMap(PartnershipID.init(string:)) else { throw AppError.notFound }
        return id
    }

    func stateLabel(_ state: PartnershipState, _ s: Strings) -> Component {
        tag("span", cls("badge state-\(state.rawValue)")) { text(s("state.\(state.rawValue)")) }
    }

    func accessBadge(_ p: Partnership, _ s: Strings) -> Component {
        tag("span", cls("badge access-\(p.access.rawValue)")) {
            text(s("access.\(p.access.rawValue)") + (p.access == .full ? " · " + s("payment.\(p.paymentMode.rawValue)") : ""))
        }
    }

    /// Reads the product checkboxes `technical_<id>` / `statistics_<id>` of a grants form.
    func grants(_ req: Request, products: [Product]) -> [ProductGrant] {
        products.compactMap { product in
            let technical = req.formValue("technical_\(product.id.string)") == "on"
            let statistics = req.formValue("statistics_\(product.id.string)") == "on"
            return technical || statistics ? ProductGrant(product: product.id, technical: technical, statistics: statistics) : nil
        }
    }

    /// The access, payment mode and product fields shared by "add partner", "edit" and the client's answer.
    func termsFields(_ s: Strings, products: [Product], access: AccessType, mode: PaymentMode, grants: [ProductGrant], errors: [FieldError],
                     endsAt: Date? = nil) -> Component {
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return ComponentGroup(members: [
            field("ends_at", label: s("field.ends_at"), type: "date", value: endsAt.map(Self.dayFormatter.string(from:)) ?? "",
                  error: error("ends_at"), hint: s("field.ends_at_hint"), required: false),
            tag("fieldset", cls("field")) {
                tag("legend") { text(s("field.access")) }
                for type in AccessType.allCases {
                    tag("label", cls("choice")) {
                        VoidTag(name: "input", attributes: [.value("type", "radio"), .value("name", "access"), .value("value", type.rawValue), .flag("checked", type == access)])
                        text(" " + s("access.\(type.rawValue)") + " — " + s("access.\(type.rawValue).help"))
                    }
                }
            },
            tag("fieldset", cls("field")) {
                tag("legend") { text(s("field.payment_mode")) }
                tag("p", cls("hint")) { text(s("payment.help")) }
                for m in PaymentMode.allCases {
                    tag("label", cls("choice")) {
                        VoidTag(name: "input", attributes: [.value("type", "radio"), .value("name", "payment_mode"), .value("value", m.rawValue), .flag("checked", m == mode)])
                        text(" " + s("payment.\(m.rawValue)"))
                    }
                }
            },
            tag("fieldset", cls(error("products") == nil ? "field" : "field has-error"), attr("id", "f-products")) {
                tag("legend") { text(s("field.products")) }
                tag("p", cls("hint")) { text(s("products.grant_help")) }
                if products.isEmpty {
                    tag("p", cls("empty")) { text(s("products.none")) }
                } else {
                    tag("table", cls("table")) {
                        tableHead([s("field.product"), s("rights.technical"), s("rights.statistics")])
                        tag("tbody") {
                            for product in products {
                                let grant = grants.first { $0.product == product.id }
                                tag("tr") {
                                    tag("td") { text(product.name); tag("span", cls("muted")) { text(" · " + s("category.\(product.category.rawValue)")) } }
                                    tag("td") {
                                        VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "technical_\(product.id.string)"),
                                                                            .value("aria-label", s("rights.technical") + ": " + product.name), .flag("checked", grant?.technical == true)])
                                    }
                                    tag("td") {
                                        VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "statistics_\(product.id.string)"),
                                                                            .value("aria-label", s("rights.statistics") + ": " + product.name), .flag("checked", grant?.statistics == true)])
                                    }
                                }
                            }
                        }
                    }
                }
                if let e = error("products") { tag("p", cls("error")) { text(e) } }
            },
        ])
    }

    static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    /// The optional end date of a terms form (`yyyy-MM-dd`, midnight UTC).
    func endsAt(_ req: Request) throws -> Date? {
        let text = req.formValue("ends_at").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        guard let date = DateInput.day(text) else { throw AppError.validation([FieldError("ends_at", .invalidValue)]) }
        return date
    }

    func refusal(_ error: any Error, _ s: Strings) -> (String?, [FieldError])? {
        switch error {
        case AppError.validation(let errors): return (nil, errors)
        case AppError.refused(let key), AppError.forbidden(let key): return (s(key), [])
        default: return nil
        }
    }

    // MARK: products

    func productsPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await productsView(req, context)
    }

    /// R-B9: products come from paid orders only; the page leads to the order form.
    func productsView(_ req: Request, _ context: OrganisationContext) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let products = try await req.partnerships.visibleProducts(user: try req.requireUser(), organisation: organisation.id, store: req.store)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        return Layout.page(s("nav.products"), ctx) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("nav.products")) }
                if context.may(.orderAndRenew) {
                    link(s("order.title"), base(organisation.id) + "/order", classes: "button primary")
                }
            }
            if products.isEmpty {
                tag("p", cls("empty")) { text(s("products.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("field.product"), s("field.category"), s("field.status"), s("products.renews")]
                              + (context.role == .legalRepresentative ? [s("explain.title")] : []))
                    tag("tbody") {
                        for (product, _) in products {
                            tag("tr") {
                                tag("td") { link(product.name, base(organisation.id) + "/products/\(product.id.string)") }
                                tag("td") { text(s("category.\(product.category.rawValue)")) }
                                tag("td") { tag("span", cls("badge status-\(product.status)")) { text(s("product_status.\(product.status)")) } }
                                tag("td") {
                                    if let billing = product.billing {
                                        text(BillingConsoleController.day(billing.renewsAt))
                                        if context.may(.orderAndRenew), product.status != "cancelled" {
                                            postForm(base(organisation.id) + "/order/quote", csrf: ctx.csrf, classes: "inline") {
                                                hidden("renew", product.id.string)
                                                button(s("products.renew_now"), style: "link")
                                            }
                                        }
                                    }
                                }
                                if context.role == .legalRepresentative {
                                    tag("td") { link(s("explain.link"), base(organisation.id) + "/products/\(product.id.string)/access") }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// R-P10 "why can this user act on this product?" — the reason chain, for the client's legal representatives.
    func explainPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.role == .legalRepresentative, let productID = req.parameters.get("product").flatMap(ProductID.init(string:)),
              let product = try await req.store.product(productID), product.organisationID == context.organisationID else { throw AppError.notFound }
        let organisation = try await req.store.organisation(context)
        let email = (try? req.query.get(String.self, at: "email")) ?? ""
        let action = (try? req.query.get(String.self, at: "action")).flatMap(ProductAction.init(rawValue:)) ?? .manage
        var answer: (User, AccessDecision)? = nil
        var unknown = false
        if let address = EmailAddress(email) {
            if let user = try await req.store.user(email: address) {
                let access = try await req.store.clientAccess(user: user.id, organisation: organisation.id)
                answer = (user, AccessRules.decide(action, facts: access.facts(for: productID), now: req.partnerHub.configuration.clock.now()))
            } else { unknown = true }
        }
        let partnerNames = Dictionary(uniqueKeysWithValues: try await req.store.partnerships(client: organisation.id).map { ($0.partnership.id, $0.counterpartName) })
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        return Layout.page(s("explain.title"), ctx) {
            tag("h1") { text(s("explain.title") + ": " + product.name) }
            tag("form", attr("method", "get"), attr("action", base(organisation.id) + "/products/\(productID.string)/access"), cls("form inline")) {
                field("email", label: s("field.email"), type: "email", value: email)
                selectField("action", label: s("explain.action"), options: ProductAction.allCases.map { ($0.rawValue, s("action.\($0.rawValue)")) }, selected: action.rawValue)
                button(s("explain.ask"), style: "secondary")
            }
            if unknown { tag("p", cls("empty")) { text(s("explain.unknown")) } }
            if let (user, decision) = answer {
                tag("section", cls("card"), attr("aria-live", "polite")) {
                    switch decision {
                    case .deny:
                        tag("p") { tag("span", cls("badge state-ended")) { text(s("explain.denied")) }; text(" " + s("explain.denied_text", ["name": user.name])) }
                    case .allow(let basis):
                        tag("p") { tag("span", cls("badge ok")) { text(s("explain.allowed")) }; text(" " + s("explain.clause.\(basis.clause)")) }
                        tag("dl", cls("facts")) {
                            switch basis {
                            case .member(let membership, let role):
                                tag("dt") { text(s("field.role")) }; tag("dd") { text(s.role(role)) }
                                tag("dt") { text("membership") }; tag("dd") { tag("code") { text(membership.string) } }
                            case .partner(let partnership, let membership, let access, let grant, let assignment):
                                tag("dt") { text(s("field.partner")) }; tag("dd") { text(partnerNames[partnership] ?? partnership.string) }
                                tag("dt") { text(s("field.access")) }; tag("dd") { text(s("access.\(access.rawValue)")) }
                                tag("dt") { text("partnership") }; tag("dd") { tag("code") { text(partnership.string) } }
                                tag("dt") { text("membership") }; tag("dd") { tag("code") { text(membership.string) } }
                                if let grant { tag("dt") { text("grant") }; tag("dd") { tag("code") { text(grant.string) } } }
                                if let assignment { tag("dt") { text("assignment") }; tag("dd") { tag("code") { text(assignment.string) } } }
                            case .support(let grant):
                                tag("dt") { text("support grant") }; tag("dd") { tag("code") { text(grant.string) } }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: partners (client side)

    func partnersPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        let listings = try await req.store.partnerships(client: context.organisationID)
        // R-P2 inbox: requests addressed to this user, answerable by a legal representative here.
        let requests = context.may(.managePartnerships) ? try await req.partnerships.openRequests(for: try req.requireUser(), store: req.store) : []
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let b = base(organisation.id)
        return Layout.page(s("nav.partners"), ctx) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("nav.partners")) }
                if context.may(.managePartnerships) { link(s("partners.add"), b + "/partners/new", classes: "button primary") }
            }
            if !requests.isEmpty {
                tag("section", cls("inbox"), attr("aria-labelledby", "requests-heading")) {
                    tag("h2", attr("id", "requests-heading")) { text(s("partners.requests")) }
                    tag("ul", cls("plain")) {
                        for listing in requests {
                            tag("li") {
                                text(s("partnerships.invited_client", ["partner": listing.counterpartName, "access": s("access.\(listing.partnership.requestedAccess.rawValue)")]) + " ")
                                link(s("partners.answer"), b + "/partner-requests/\(listing.partnership.id.string)", classes: "button secondary")
                            }
                        }
                    }
                }
            }
            if listings.isEmpty {
                tag("p", cls("empty")) { text(s("partners.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("field.partner"), s("field.state"), s("field.access_rights"), s("field.products"), s("members.actions")])
                    tag("tbody") {
                        for listing in listings {
                            let p = listing.partnership
                            tag("tr") {
                                tag("td") { link(listing.counterpartName, b + "/partnerships/\(p.id.string)") }
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
            }
        }
    }

    func actionLinks(_ p: Partnership, context: OrganisationContext, ctx: PageContext) -> Component {
        let s = ctx.strings
        let b = base(context.organisationID) + "/partnerships/\(p.id.string)"
        // The partner's inbox: a client's invitation is answered right here.
        let receivedByUs = p.state == .invited && p.initiator == .client && p.partnerID == context.organisationID
            && RoleRules.permission(context.role, .answerPartnershipInvitation) != .denied
        return ComponentGroup(members: [
            receivedByUs ? postForm(b + "/accept", csrf: ctx.csrf, classes: "inline") { button(s("invite.accept")) } : ComponentGroup(members: []),
            receivedByUs ? postForm(b + "/decline", csrf: ctx.csrf, classes: "inline") { button(s("invite.decline"), style: "secondary") } : ComponentGroup(members: []),
            tag("p") { link(s("partnerships.open"), b) },
            p.state == .active && p.partnerID == context.organisationID
                ? tag("p") { link(s("clients.order"), "/console/orgs/\(p.clientID?.string ?? "")/order") } : ComponentGroup(members: []),
            p.partnerID == context.organisationID && p.clientID != nil
                ? tag("p") { link(s("clients.export_billing"), base(context.organisationID) + "/clients/\(p.id.string)/billing.csv") } : ComponentGroup(members: []),
            p.state == .active ? tag("p") { link(s("partnerships.end"), b + "/end", classes: "danger-link") } : ComponentGroup(members: []),
            p.state == .invited && context.may(.managePartnerships) && !receivedByUs ? postForm(b + "/resend", csrf: ctx.csrf, classes: "inline") { button(s("members.resend"), style: "secondary") } : ComponentGroup(members: []),
            p.state == .invited && context.may(.managePartnerships) && !receivedByUs ? postForm(b + "/withdraw", csrf: ctx.csrf, classes: "inline") { button(s("members.withdraw"), style: "secondary") } : ComponentGroup(members: []),
        ])
    }

    func addPartnerPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.may(.managePartnerships) else { throw AppError.notFound }
        return try await addPartnerView(req, context, values: ["q": (try? req.query.get(String.self, at: "q")) ?? ""], grants: [], errors: [], message: nil)
    }

    func addPartnerView(_ req: Request, _ context: OrganisationContext, values: [String: String], grants: [ProductGrant], errors: [FieldError],
                        message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let products = try await req.store.products(of: organisation.id)
        let query = values["q"] ?? ""
        let found = try await req.store.searchPartners(query).filter { $0.id != organisation.id }
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let b = base(organisation.id)
        return Layout.page(s("partners.add"), ctx, status: status) {
            tag("h1") { text(s("partners.add")) }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["partner_id": s("field.partner"), "products": s("field.products"), "access": s("field.access")]) }
            tag("form", attr("method", "get"), attr("action", b + "/partners/new"), cls("form inline"), attr("role", "search")) {
                field("q", label: s("partners.search"), type: "search", value: query, hint: s("partners.search_hint"))
                button(s("partners.search_button"), style: "secondary")
            }
            if !query.isEmpty && found.isEmpty { tag("p", cls("empty")) { text(s("partners.none_found")) } }
            if !found.isEmpty {
                postForm(b + "/partners", csrf: ctx.csrf) {
                    hidden("q", query)
                    tag("fieldset", cls("field"), attr("id", "f-partner_id")) {
                        tag("legend") { text(s("field.partner")) }
                        for (index, partner) in found.enumerated() {
                            tag("label", cls("choice")) {
                                VoidTag(name: "input", attributes: [.value("type", "radio"), .value("name", "partner_id"), .value("value", partner.id.string),
                                                                    .flag("checked", values["partner_id"] == partner.id.string || (values["partner_id"] == nil && index == 0))])
                                text(" \(partner.name) (\(partner.country.rawValue))")
                            }
                        }
                    }
                    termsFields(s, products: products, access: AccessType(rawValue: values["access"] ?? "") ?? .limited,
                                mode: PaymentMode(rawValue: values["payment_mode"] ?? "") ?? .client, grants: grants, errors: errors)
                    button(s("partners.invite"))
                }
            }
        }
    }

    func addPartner(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let products = try await req.store.products(of: context.organisationID)
        let values = ["q": req.formValue("q"), "partner_id": req.formValue("partner_id"), "access": req.formValue("access"), "payment_mode": req.formValue("payment_mode")]
        let chosen = grants(req, products: products)
        do {
            guard let partnerID = OrganisationID(string: values[field: "partner_id"]) else { throw AppError.validation([FieldError("partner_id", .required)]) }
            let terms = try req.partnerships.terms(access: values[field: "access"], paymentMode: values["payment_mode"], grants: chosen, endsAt: try endsAt(req), clientProducts: products)
            _ = try await req.partnerships.addPartner(context, inviter: try req.requireUser(), partner: partnerID, terms: terms, store: req.store)
            return .redirect(base(context.organisationID) + "/partners", flash: "partners.invited")
        } catch {
            guard let (message, errors) = refusal(error, req.strings) else { throw error }
            return try await addPartnerView(req, context, values: values, grants: chosen, errors: errors, message: message, status: .unprocessableEntity)
        }
    }

    // MARK: one partnership (either side)

    func partnershipPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await partnershipView(req, context, errors: [], message: nil)
    }

    func partnershipView(_ req: Request, _ context: OrganisationContext, errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try partnershipID(req)
        let p = try await req.partnerships.partnership(context, id, store: req.store)
        let isClient = p.clientID == context.organisationID
        if !isClient, !(try await req.partnerships.visibleClients(context, store: req.store).contains { $0.partnership.id == id }) { throw AppError.notFound }
        let organisation = try await req.store.organisation(context)
        let counterpart = try await req.store.organisation(id: isClient ? p.partnerID : (p.clientID ?? p.partnerID))
        let products = try await req.store.products(of: isClient ? context.organisationID : (p.clientID ?? context.organisationID))
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let b = base(organisation.id) + "/partnerships/\(p.id.string)"
        let canEdit = isClient && context.may(.managePartnerships) && p.state == .active
        return Layout.page(s("partnerships.title"), ctx, status: status) {
            tag("h1") { text(counterpart?.name ?? p.invitedEmail?.value ?? "") }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("field.state")) }
                tag("dd") { stateLabel(p.state, s) }
                tag("dt") { text(s("partnerships.granted")) }
                tag("dd") { accessBadge(p, s) }
                if let endsAt = p.endsAt {
                    tag("dt") { text(s("field.ends_at")) }
                    tag("dd") { text(Layout.date(endsAt)) }
                }
                tag("dt") { text(s("partnerships.requested")) }
                tag("dd") { text(s("access.\(p.requestedAccess.rawValue)") + (p.requestedAccess == .full ? " · " + s("payment.\(p.requestedPaymentMode.rawValue)") : "")) }
            }
            if p.access == .limited {
                tag("h2") { text(s("field.products")) }
                if p.grants.isEmpty {
                    tag("p", cls("empty")) { text(s("partnerships.no_products")) }
                } else {
                    tag("ul") {
                        for grant in p.grants {
                            tag("li") {
                                text(products.first { $0.id == grant.product }?.name ?? grant.product.string)
                                if grant.technical { tag("span", cls("badge")) { text(s("rights.technical")) } }
                                if grant.statistics { tag("span", cls("badge")) { text(s("rights.statistics")) } }
                            }
                        }
                    }
                }
            }
            if canEdit {
                tag("section", cls("card"), attr("aria-labelledby", "edit")) {
                    tag("h2", attr("id", "edit")) { text(s("partnerships.edit")) }
                    if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["products": s("field.products"), "access": s("field.access")]) }
                    postForm(b, csrf: ctx.csrf) {
                        termsFields(s, products: products, access: p.access, mode: p.paymentMode, grants: p.grants, errors: errors, endsAt: p.endsAt)
                        tag("p", cls("hint")) { text(s("partnerships.edit_note")) }
                        button(s("settings.save"))
                    }
                }
            }
            if p.state == .active { tag("p") { link(s("partnerships.end"), b + "/end", classes: "button danger") } }
        }
    }

    func changeTerms(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let products = try await req.store.products(of: context.organisationID)
        do {
            let terms = try req.partnerships.terms(access: req.formValue("access"), paymentMode: req.formValue("payment_mode"),
                                                   grants: grants(req, products: products), endsAt: try endsAt(req), clientProducts: products)
            let p = try await req.partnerships.changeTerms(context, user: try req.requireUser(), id: try partnershipID(req), terms: terms, store: req.store)
            return .redirect(base(context.organisationID) + "/partnerships/\(p.id.string)", flash: "partnerships.saved")
        } catch {
            guard let (message, errors) = refusal(error, req.strings) else { throw error }
            return try await partnershipView(req, context, errors: errors, message: message, status: .unprocessableEntity)
        }
    }

    /// R-P8: the confirmation step states the consequence and asks for the password.
    func endPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await endView(req, context, error: nil)
    }

    func endView(_ req: Request, _ context: OrganisationContext, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let p = try await req.partnerships.partnership(context, try partnershipID(req), store: req.store)
        guard p.state == .active else { throw AppError.notFound }
        let isClient = p.clientID == context.organisationID
        guard let counterpartID = isClient ? p.partnerID : p.clientID else { throw AppError.notFound }
        let counterpart = try await req.store.organisation(id: counterpartID)?.name ?? ""
        let ctx = try await req.pageContext(current: try await req.store.organisation(context))
        let s = ctx.strings
        let b = base(context.organisationID) + "/partnerships/\(p.id.string)"
        return Layout.page(s("partnerships.end"), ctx, status: status) {
            tag("h1") { text(s("partnerships.end") + ": " + counterpart) }
            tag("p", cls("consequence")) { text(s(isClient ? "partnerships.end_consequence_client" : "partnerships.end_consequence_partner", ["name": counterpart])) }
            postForm(b + "/end", csrf: ctx.csrf) {
                field("password", label: s("partnerships.end_password"), type: "password", error: error, autocomplete: "current-password")
                tag("div", cls("actions")) {
                    button(s("partnerships.end"), style: "danger")
                    link(s("confirm.cancel"), b, classes: "button secondary")
                }
            }
        }
    }

    func end(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        do {
            try await req.partnerships.end(context, user: try req.requireUser(), id: try partnershipID(req), password: req.formValue("password"), store: req.store)
        } catch AppError.validation {
            return try await endView(req, context, error: req.strings.fieldError(.wrongPassword), status: .unprocessableEntity)
        }
        let p = try await req.store.partnership(try partnershipID(req))
        return .redirect(base(context.organisationID) + (p?.clientID == context.organisationID ? "/partners" : "/clients"), flash: "partnerships.ended")
    }

    func resend(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try partnershipID(req)
        try await req.partnerships.resend(context, user: try req.requireUser(), id: id, language: req.language, store: req.store)
        let p = try await req.store.partnership(id)
        return .redirect(base(context.organisationID) + (p?.clientID == context.organisationID ? "/partners" : "/clients"), flash: "members.resent")
    }

    func withdraw(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try partnershipID(req)
        try await req.partnerships.withdraw(context, user: try req.requireUser(), id: id, store: req.store)
        let p = try await req.store.partnership(id)
        return .redirect(base(context.organisationID) + (p?.clientID == context.organisationID ? "/partners" : "/clients"), flash: "members.withdrawn")
    }

    func answerReceived(_ req: Request, accept: Bool) async throws -> Response {
        let context = try await req.organisationContext()
        _ = try await req.partnerships.answerReceived(context, user: try req.requireUser(), id: try partnershipID(req), accept: accept, store: req.store)
        return .redirect(base(context.organisationID) + "/clients", flash: accept ? "partnerships.accepted" : "invite.declined")
    }

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
                    tableHead([s("field.product"), s("field.category"), s("field.access_rights")])
                    tag("tbody") {
                        for (product, allowed) in products {
                            tag("tr") {
                                tag("td") { text(product.name) }
                                tag("td") { text(s("category.\(product.category.rawValue)")) }
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

    // MARK: the invitation page (R-P4)

    func invitationPage(req: Request) async throws -> Response {
        try await invitationView(req, errors: [], message: nil)
    }

    func invitationView(_ req: Request, errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let path = "/partnerships/\(token)"
        switch try await req.partnerships.lookUp(token: token, store: req.store) {
        case .problem(let key):
            return Layout.page(s("invite.title"), ctx, status: .gone) {
                tag("div", cls("narrow")) { tag("h1") { text(s("invite.title")) }; tag("p") { text(s(key)) } }
            }
        case .open(let p, let partnerName, let clientName):
            // R-P2: the client chooses which of its organisations, and what to grant.
            let clientOrganisations = ctx.organisations.filter { $0.1 == .legalRepresentative && $0.0.id != p.partnerID }.map(\.0)
            let chosenClient = (try? req.query.get(String.self, at: "client")).flatMap(OrganisationID.init(string:)).flatMap { id in clientOrganisations.first { $0.id == id } }
                ?? clientOrganisations.first
            let products = p.initiator == .partner ? try await chosenClient.asyncMap { try await req.store.products(of: $0.id) } ?? [] : []
            return Layout.page(s("invite.title"), ctx, status: status) {
                tag("div", cls("narrow wide")) {
                    tag("h1") { text(s("invite.title")) }
                    if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                    if p.initiator == .client {
                        tag("p") { text(s("partnerships.invited_partner", ["client": clientName ?? "", "access": s("access.\(p.access.rawValue)")])) }
                        if p.access == .limited { tag("p") { text(s("partnerships.products_count", ["count": String(p.grants.count)])) } }
                    } else {
                        tag("p") { text(s("partnerships.invited_client", ["partner": partnerName, "access": s("access.\(p.requestedAccess.rawValue)")])) }
                    }
                    if ctx.user == nil {
                        tag("p") { text(s("partnerships.sign_in_first")) }
                        tag("div", cls("actions")) {
                            link(s("login.title"), "/login?next=\(path)", classes: "button primary")
                            link(s("signup.title"), "/signup?next=\(path)&email=\(p.invitedEmail?.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", classes: "button secondary")
                        }
                    } else if p.initiator == .client {
                        tag("div", cls("actions")) {
                            postForm(path + "/accept", csrf: ctx.csrf, classes: "inline") { button(s("invite.accept")) }
                            postForm(path + "/decline", csrf: ctx.csrf, classes: "inline") { button(s("invite.decline"), style: "secondary") }
                        }
                    } else if let client = chosenClient {
                        if clientOrganisations.count > 1 {
                            tag("form", attr("method", "get"), attr("action", path), cls("form inline")) {
                                selectField("client", label: s("field.client_organisation"), options: clientOrganisations.map { ($0.id.string, $0.name) }, selected: client.id.string)
                                button(s("partnerships.choose"), style: "secondary")
                            }
                        }
                        clientAnswerForms(ctx, action: path, request: p, client: client.id, products: products, errors: errors)
                    } else {
                        tag("p", cls("error-summary")) { text(s("invite.wrong_user_client")) }
                    }
                }
            }
        }
    }

    /// R-P2: what the client grants (the request preselected) and the decline button; the link
    /// page and the inbox page share it.
    func clientAnswerForms(_ ctx: PageContext, action: String, request p: Partnership, client: OrganisationID, products: [Product], errors: [FieldError]) -> Component {
        let s = ctx.strings
        return ComponentGroup {
            tag("p", cls("hint")) { text(s("partnerships.grant_help")) }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["products": s("field.products"), "access": s("field.access")]) }
            postForm(action + "/accept", csrf: ctx.csrf) {
                hidden("client_id", client.string)
                termsFields(s, products: products, access: p.requestedAccess, mode: p.requestedPaymentMode, grants: [], errors: errors)
                button(s("invite.accept"))
            }
            postForm(action + "/decline", csrf: ctx.csrf, classes: "inline") {
                hidden("client_id", client.string)
                button(s("invite.decline"), style: "secondary")
            }
        }
    }

    // MARK: the client's inbox (R-P2)

    func requestPage(req: Request) async throws -> Response {
        try await requestView(req, errors: [], message: nil)
    }

    func requestView(_ req: Request, errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = try await req.organisationContext()
        guard context.may(.managePartnerships) else { throw AppError.notFound }
        let id = try partnershipID(req)
        // Only the addressee's open requests exist here; anything else is another tenant's object.
        guard let listing = try await req.partnerships.openRequests(for: try req.requireUser(), store: req.store).first(where: { $0.partnership.id == id })
        else { throw AppError.notFound }
        let organisation = try await req.store.organisation(context)
        let products = try await req.store.products(of: context.organisationID)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let p = listing.partnership
        return Layout.page(s("invite.title"), ctx, status: status) {
            tag("div", cls("narrow wide")) {
                tag("h1") { text(s("invite.title")) }
                if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
                tag("p") { text(s("partnerships.invited_client", ["partner": listing.counterpartName, "access": s("access.\(p.requestedAccess.rawValue)")])) }
                clientAnswerForms(ctx, action: base(context.organisationID) + "/partner-requests/\(p.id.string)", request: p, client: context.organisationID,
                                  products: products, errors: errors)
            }
        }
    }

    func answerRequest(_ req: Request, accept: Bool) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        do {
            var terms: PartnershipService.Terms? = nil
            if accept {
                let products = try await req.store.products(of: context.organisationID)
                terms = try req.partnerships.terms(access: req.formValue("access"), paymentMode: req.formValue("payment_mode"),
                                                   grants: grants(req, products: products), endsAt: try endsAt(req), clientProducts: products)
            }
            _ = try await req.partnerships.answerRequest(try partnershipID(req), user: user, accept: accept, clientID: context.organisationID, terms: terms, store: req.store)
            return .redirect(base(context.organisationID) + "/partners", flash: accept ? "partnerships.accepted" : "invite.declined")
        } catch {
            guard let (message, errors) = refusal(error, req.strings) else { throw error }
            return try await requestView(req, errors: errors, message: message, status: .unprocessableEntity)
        }
    }

    func answer(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let token = req.parameters.get("token") ?? ""
        let clientID = OrganisationID(string: req.formValue("client_id"))
        do {
            var terms: PartnershipService.Terms? = nil
            if accept, let clientID {
                let products = try await req.store.products(of: clientID)
                terms = try req.partnerships.terms(access: req.formValue("access"), paymentMode: req.formValue("payment_mode"),
                                                   grants: grants(req, products: products), endsAt: try endsAt(req), clientProducts: products)
            }
            let p = try await req.partnerships.answer(token: token, user: user, accept: accept, clientID: clientID, terms: terms, store: req.store)
            let home = p.initiator == .client ? "/console/orgs/\(p.partnerID.string)/clients" : "/console/orgs/\(clientID?.string ?? "")/partners"
            return .redirect(home, flash: accept ? "partnerships.accepted" : "invite.declined")
        } catch {
            guard let (message, errors) = refusal(error, req.strings) else { throw error }
            return try await invitationView(req, errors: errors, message: message, status: .unprocessableEntity)
        }
    }
}
