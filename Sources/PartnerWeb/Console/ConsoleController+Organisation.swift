import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// An organisation's settings (R-O1) and members (R-O1, R-O2).
extension ConsoleController {
    // MARK: organisation settings (R-O1)

    func settingsPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        return settingsView(try await req.pageContext(current: organisation), context, organisation,
                            values: ["name": organisation.name, "country": organisation.country.rawValue, "currency": organisation.currency.rawValue], errors: [],
                            support: try await supportSection(req, context))
    }

    /// R-S3 on the settings page: active grants with "revoke", and a form to grant 1 h, 24 h or 7 days.
    func supportSection(_ req: Request, _ context: OrganisationContext) async throws -> Component {
        guard RoleRules.permission(context.role, .grantSupportAccess) == .whole else { return ComponentGroup(members: []) }
        let now = req.partnerHub.configuration.clock.now()
        let grants = try await req.store.supportGrants(organisation: context.organisationID).filter { $0.isActive(at: now) }
        let products = try await req.store.products(of: context.organisationID)
        let s = req.strings
        let csrf = req.csrfToken
        let base = "/console/orgs/\(context.organisationID.string)/support-grants"
        return tag("section", cls("card"), attr("id", "support-access"), attr("aria-labelledby", "support-title")) {
            tag("h2", attr("id", "support-title")) { text(s("support.title")) }
            tag("p", cls("hint")) { text(s("support.help")) }
            if grants.isEmpty {
                tag("p", cls("empty")) { text(s("support.none")) }
            } else {
                tag("ul") {
                    for grant in grants {
                        tag("li") {
                            text(s("support.active_until", ["date": Layout.date(grant.expiresAt)]) + " · " +
                                 (grant.product.flatMap { id in products.first { $0.id == id }?.name } ?? s("support.whole")) + " ")
                            postForm(base + "/\(grant.id.string)/revoke", csrf: csrf, classes: "inline") { button(s("support.revoke"), style: "secondary") }
                        }
                    }
                }
            }
            postForm(base, csrf: csrf, classes: "form inline") {
                selectField("duration", label: s("support.duration"), options: [("1h", s("support.1h")), ("24h", s("support.24h")), ("7d", s("support.7d"))], selected: "1h")
                selectField("product_id", label: s("field.product"), options: [("", s("support.whole"))] + products.map { ($0.id.string, $0.name) }, selected: "")
                button(s("support.grant"))
            }
        }
    }

    func grantSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let product = ProductID(string: req.formValue("product_id"))
        _ = try await req.support.grant(context, duration: req.formValue("duration"), product: product, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/settings#support-access", flash: "support.granted")
    }

    func revokeSupport(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("grant").flatMap(SupportGrantID.init(string:)) else { throw AppError.notFound }
        try await req.support.revoke(context, id: id, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/settings#support-access", flash: "support.revoked")
    }

    func settingsView(_ ctx: PageContext, _ context: OrganisationContext, _ organisation: Organisation, values: [String: String],
                      errors: [FieldError], status: HTTPResponseStatus = .ok, support: Component = ComponentGroup(members: [])) -> Response {
        let s = ctx.strings
        let labels = ["name": s("field.organisation_name"), "country": s("field.country"), "currency": s("field.currency")]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        let countryOptions = Self.countries.contains { $0.0 == organisation.country.rawValue } ? Self.countries
            : Self.countries + [(organisation.country.rawValue, organisation.country.rawValue)]
        return Layout.page(s("settings.title"), ctx, status: status) {
            tag("h1") { text(s("settings.title")) }
            if !context.may(.manageMembers) {
                tag("p", cls("muted")) { text(s("settings.read_only")) }
            }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
            postForm("/console/orgs/\(organisation.id.string)/settings", csrf: ctx.csrf) {
                field("name", label: labels[field: "name"], value: values["name"] ?? "", error: error("name"))
                selectField("country", label: labels[field: "country"], options: countryOptions, selected: values["country"] ?? "", error: error("country"))
                selectField("currency", label: labels[field: "currency"], options: [("CHF", "CHF"), ("EUR", "EUR")], selected: values["currency"] ?? "", error: error("currency"))
                tag("p", cls("hint")) { text(organisation.currencyFixed ? s("error.currency_fixed") : s("settings.currency_note")) }
                if context.may(.manageMembers) { button(s("settings.save")) }
            }
            support
        }
    }

    func updateSettings(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let values = ["name": req.formValue("name"), "country": req.formValue("country"), "currency": req.formValue("currency")]
        do {
            let organisation = try await req.accounts.updateOrganisation(context, name: values[field: "name"], country: values[field: "country"], currency: values[field: "currency"], store: req.store)
            return .redirect("/console/orgs/\(organisation.id.string)/settings", flash: "settings.saved")
        } catch AppError.validation(let errors) {
            let organisation = try await req.store.organisation(context)
            return settingsView(try await req.pageContext(current: organisation), context, organisation, values: values, errors: errors, status: .unprocessableEntity,
                                support: try await supportSection(req, context))
        }
    }

    // MARK: members (R-O1, R-O2)

    func membersPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await membersView(req, context, inviteValues: [:], errors: [], message: nil)
    }

    func membersView(_ req: Request, _ context: OrganisationContext, inviteValues: [String: String], errors: [FieldError],
                     message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let members = try await req.store.members(context)
        let canManage = context.may(.manageMembers)
        let invitations = canManage ? try await req.store.pendingInvitations(context) : []
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)"
        let grantable: [OrganisationRole] = context.role == .legalRepresentative ? OrganisationRole.allCases : [.admin, .employee, .externalUser]
        func error(_ f: String) -> String? { errors.first { $0.field == f }.map { s.fieldError($0) } }
        return Layout.page(s("members.title"), ctx, status: status) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("members.title")) }
                if canManage { link(s("members.invite"), "#invite", classes: "button primary") }
            }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            if !canManage { tag("p", cls("muted")) { text(s("members.read_only")) } }
            tag("table", cls("table")) {
                tableHead([s("field.name"), s("field.email"), s("field.role"), s("members.since")] + (canManage ? [s("members.actions")] : []))
                tag("tbody") {
                    for member in members {
                        tag("tr") {
                            tag("td") { text(member.name) }
                            tag("td") { text(member.email.value) }
                            tag("td") { tag("span", cls("badge role-\(member.role.rawValue)")) { text(s.role(member.role)) } }
                            tag("td") { text(Layout.date(member.since)) }
                            if canManage {
                                tag("td") {
                                    tag("details", cls("menu row-actions")) {
                                        tag("summary", attr("aria-label", s("members.actions") + ": " + member.name)) { text("⋮") }
                                        tag("div", cls("menu-body")) {
                                            postForm("\(base)/members/\(member.membershipID.string)/role", csrf: ctx.csrf, classes: "inline") {
                                                tag("label", attr("for", "role-\(member.membershipID.string)")) { text(s("members.change_role")) }
                                                tag("select", attr("name", "role"), attr("id", "role-\(member.membershipID.string)")) {
                                                    for role in OrganisationRole.allCases {
                                                        tag("option", [.value("value", role.rawValue), .flag("selected", role == member.role)]) { text(s.role(role)) }
                                                    }
                                                }
                                                button(s("settings.save"), style: "secondary")
                                            }
                                            if [.employee, .externalUser].contains(member.role) {
                                                tag("p") { link(s("members.products"), "\(base)/members/\(member.membershipID.string)/products") }
                                            }
                                            link(s("members.remove"), "\(base)/members/\(member.membershipID.string)/remove", classes: "danger-link")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if canManage {
                tag("section", attr("aria-labelledby", "pending")) {
                    tag("h2", attr("id", "pending")) { text(s("members.pending")) }
                    if invitations.isEmpty {
                        tag("p", cls("empty")) { text(s("members.no_pending")) }
                    } else {
                        tag("table", cls("table")) {
                            tableHead([s("field.email"), s("field.role"), s("members.expires"), s("members.actions")])
                            tag("tbody") {
                                for invitation in invitations {
                                    tag("tr") {
                                        tag("td") { text(invitation.email.value) }
                                        tag("td") { text(s.role(invitation.role)) }
                                        tag("td") { text(Layout.date(invitation.expiresAt)) }
                                        tag("td", cls("actions")) {
                                            postForm("\(base)/invitations/\(invitation.id.string)/resend", csrf: ctx.csrf, classes: "inline") {
                                                button(s("members.resend"), style: "secondary")
                                            }
                                            link(s("members.withdraw"), "\(base)/invitations/\(invitation.id.string)/withdraw", classes: "danger-link")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                tag("section", attr("id", "invite"), attr("aria-labelledby", "invite-title")) {
                    tag("h2", attr("id", "invite-title")) { text(s("members.invite")) }
                    if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["email": s("field.email"), "role": s("field.role")]) }
                    postForm("\(base)/members/invite", csrf: ctx.csrf) {
                        field("email", label: s("field.email"), type: "email", value: inviteValues["email"] ?? "", error: error("email"))
                        selectField("role", label: s("field.role"), options: grantable.map { ($0.rawValue, s.role($0)) },
                                    selected: inviteValues["role"] ?? OrganisationRole.employee.rawValue, error: error("role"))
                        button(s("members.invite"))
                    }
                }
            }
        }
    }

    func invite(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let values = ["email": req.formValue("email"), "role": req.formValue("role")]
        do {
            let invitation = try await req.accounts.invite(context, inviter: user, email: values[field: "email"], role: values[field: "role"], language: req.language, store: req.store)
            _ = invitation
            return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.invited")
        } catch AppError.validation(let errors) {
            return try await membersView(req, context, inviteValues: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: values, errors: [], message: req.strings(key), status: .forbidden)
        }
    }

    func changeRole(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        do {
            try await req.accounts.changeRole(context, membership: id, role: req.formValue("role"), store: req.store)
            return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.role_changed")
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .forbidden)
        } catch AppError.refused(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .conflict)
        }
    }

    func removeConfirmation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        let member = try await req.store.member(context, id)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let base = "/console/orgs/\(organisation.id.string)/members"
        return Layout.confirmation(ctx, title: ctx.strings("members.remove") + ": " + member.name,
                                   consequence: ctx.strings("members.remove_confirm", ["name": member.name, "org": organisation.name]),
                                   action: "\(base)/\(id.string)/remove", confirmLabel: ctx.strings("members.remove"), cancel: base)
    }

    func removeMember(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        do {
            try await req.accounts.removeMember(context, membership: id, store: req.store)
        } catch AppError.forbidden(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .forbidden)
        } catch AppError.refused(let key) {
            return try await membersView(req, context, inviteValues: [:], errors: [], message: req.strings(key), status: .conflict)
        }
        // Removing oneself leaves the organisation: go somewhere still visible.
        if id == context.membershipID { return .redirect("/console", flash: "members.removed") }
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.removed")
    }

    func resendInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        try await req.accounts.resendInvitation(context, inviter: try req.requireUser(), id: id, language: req.language, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.resent")
    }

    func withdrawConfirmation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        let invitation = try await req.store.invitation(context, id)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let base = "/console/orgs/\(organisation.id.string)"
        return Layout.confirmation(ctx, title: ctx.strings("members.withdraw"), consequence: ctx.strings("members.withdraw_confirm", ["email": invitation.email.value]),
                                   action: "\(base)/invitations/\(id.string)/withdraw", confirmLabel: ctx.strings("members.withdraw"), cancel: base + "/members")
    }

    func withdrawInvitation(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("invitation").flatMap(InvitationID.init(string:)) else { throw AppError.notFound }
        try await req.accounts.withdrawInvitation(context, id: id, store: req.store)
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "members.withdrawn")
    }
}
