import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The console's partnership pages: products, partners (client side), clients and the client
/// context (partner side, the "partner space"), and the invitation page reached from e-mail.
struct PartnershipConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("partnerships", ":token", use: invitationPage).named(.followSecretLink)
        routes.post("partnerships", ":token", "accept") { req in try await answer(req, accept: true) }.named(.followSecretLink)
        routes.post("partnerships", ":token", "decline") { req in try await answer(req, accept: false) }.named(.followSecretLink)

        let org = routes.grouped("console", "orgs", ":org")
        org.get("products", use: productsPage).named(.seeOrganisation)
        org.get("products", ":product", "access", use: explainPage).named(.managePartnerships)
        org.get("partners", use: partnersPage).named(.seeOrganisation)
        org.get("partners", "new", use: addPartnerPage).named(.managePartnerships)
        org.get("partner-requests", ":partnership", use: requestPage).named(.answerPartnershipInvitation)
        org.post("partner-requests", ":partnership", "accept") { req in try await answerRequest(req, accept: true) }.named(.answerPartnershipInvitation)
        org.post("partner-requests", ":partnership", "decline") { req in try await answerRequest(req, accept: false) }.named(.answerPartnershipInvitation)
        org.post("partners", use: addPartner).named(.managePartnerships)
        org.get("partnerships", ":partnership", use: partnershipPage).named(.seeOrganisation)
        org.post("partnerships", ":partnership", use: changeTerms).named(.managePartnerships)
        org.get("partnerships", ":partnership", "end", use: endPage).named(.endPartnership)
        org.post("partnerships", ":partnership", "end", use: end).named(.endPartnership)
        org.post("partnerships", ":partnership", "resend", use: resend).named(.managePartnerships)
        org.post("partnerships", ":partnership", "withdraw", use: withdraw).named(.managePartnerships)
        org.post("partnerships", ":partnership", "assignments", use: assign).named(.assignEmployees)
        org.post("partnerships", ":partnership", "accept") { req in try await answerReceived(req, accept: true) }.named(.answerPartnershipInvitation)
        org.post("partnerships", ":partnership", "decline") { req in try await answerReceived(req, accept: false) }.named(.answerPartnershipInvitation)
        org.get("clients", use: clientsPage).named(.seeOrganisation)
        org.post("clients", use: addClient).named(.managePartnerships)
        org.get("clients", ":partnership", use: clientContext).named(.seeOrganisation)
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
}
