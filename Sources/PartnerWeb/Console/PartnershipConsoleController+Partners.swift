import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The client side of partnerships (R-P3, R-P6 … R-P8): the partners list, adding a partner, one
/// partnership with its terms, ending, resending and withdrawing.
extension PartnershipConsoleController {
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
        // Who may: the route's action (R-O5 manage_partnerships).
        let context = try await req.organisationContext()
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
}
