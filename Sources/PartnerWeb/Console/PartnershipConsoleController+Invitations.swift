import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// Answering partnerships (R-P4): the invitation page reached from e-mail and the client's inbox of requests.
extension PartnershipConsoleController {
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
        // Who may: the route's action (R-O5 answer_partnership_invitation, client side: the LR).
        let context = try await req.organisationContext()
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
