import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-S2 in the console: a product's page (the VIP code on Premium Support), the contact-support
/// page with the member's support code and the organisation's VIP code, and the API for both.
/// Support staff verify a caller by VIP code in the provider console (ProviderConsoleController).
struct SupportConsoleController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("console", "orgs", ":org")
        org.get("products", ":product", use: productPage).named(.seeOrganisation)
        org.get("contact-support", use: contactPage).named(.seeOrganisation)
        org.post("vip-code", use: regenerate).named(.editOrganisation)
        let v1 = routes.grouped("api", "v1")
        v1.get("organisations", ":org", "vip-code", use: apiCode).named(.seeOrganisation)
        v1.post("organisations", ":org", "vip-code", use: apiRegenerate).named(.editOrganisation)
        v1.get("provider", "vip-codes", ":code", use: apiLookUp).named(.supportCustomers)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)" }

    /// The VIP code box: the code grouped like the support code, and "new code" for those who may.
    func vipBox(_ ctx: PageContext, _ context: OrganisationContext, code: SupportCode, back: String) -> Component {
        let s = ctx.strings
        return tag("section", cls("card"), attr("aria-labelledby", "vip"), attr("id", "vip-code")) {
            tag("h2", attr("id", "vip")) { text(s("vip.title")) }
            tag("p", cls("support-code")) { text(code.grouped) }
            tag("p", cls("hint")) { text(s("vip.help")) }
            if context.role == .legalRepresentative || context.role == .admin {
                postForm(base(context.organisationID) + "/vip-code", csrf: ctx.csrf, classes: "inline") {
                    hidden("back", back)
                    button(s("vip.regenerate"), style: "secondary")
                }
            }
        }
    }

    func productPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("product").flatMap(ProductID.init(string:)) else { throw AppError.notFound }
        let visible = try await req.partnerships.visibleProducts(user: try req.requireUser(), organisation: context.organisationID, store: req.store)
        guard let product = visible.first(where: { $0.0.id == id })?.0 else { throw AppError.notFound }
        let organisation = try await req.store.organisation(context)
        let code = product.category == .premiumSupport ? try await req.support.vipCode(context, store: req.store) : nil
        // R-B8: who the next renewal will bill, under today's partnerships (R-B3), by name.
        let nextPayer = try await req.billing.nextPayers([product], client: product.organisationID, store: req.store)[product.id]
        let payerName = try await nextPayer.asyncMap { try await req.store.organisation(id: $0)?.name } ?? nil
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        return Layout.page(product.name, ctx) {
            tag("p") { link("← " + s("nav.products"), base(organisation.id) + "/products") }
            tag("h1") { text(product.name) }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("field.category")) } ; tag("dd") { text(s("category.\(product.category.rawValue)")) }
                tag("dt") { text(s("field.status")) } ; tag("dd") { text(s("product_status.\(product.status)")) }
                // A suspended or cancelled product renews no more: no due date, nobody to bill.
                if let billing = product.renewing {
                    tag("dt") { text(s("products.period")) } ; tag("dd") { text(s("billing_period.\(billing.period.rawValue)")) }
                    tag("dt") { text(s("products.next_due")) } ; tag("dd", attr("id", "next-due")) { text(BillingConsoleController.day(billing.renewsAt)) }
                    if let until = billing.graceUntil {
                        tag("dt") { text(s("products.grace_until")) } ; tag("dd") { text(BillingConsoleController.day(until)) }
                    }
                    if let payerName { tag("dt") { text(s("products.billed_to")) } ; tag("dd", attr("id", "next-payer")) { text(payerName) } }
                }
            }
            if product.renewing != nil { tag("p", cls("hint")) { text(s("products.due_help")) } }
            if let code { vipBox(ctx, context, code: code, back: base(organisation.id) + "/products/\(product.id.string)") }
            tag("p") { link(s("support.contact"), base(organisation.id) + "/contact-support") }
        }
    }

    func contactPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let organisation = try await req.store.organisation(context)
        let code = try await req.support.vipCode(context, store: req.store)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        return Layout.page(s("support.contact"), ctx) {
            tag("h1") { text(s("support.contact")) }
            tag("p") { text(s("support.contact_help")) }
            tag("section", cls("card"), attr("aria-labelledby", "own-code")) {
                tag("h2", attr("id", "own-code")) { text(s("profile.support_code")) }
                tag("p", cls("support-code")) { text(user.supportCode.grouped) }
                tag("p", cls("hint")) { text(s("support.code_help")) }
            }
            if let code {
                vipBox(ctx, context, code: code, back: base(organisation.id) + "/contact-support")
            } else {
                tag("p", cls("muted")) { text(s("vip.none")) }
            }
        }
    }

    func regenerate(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        _ = try await req.support.regenerateVIPCode(context, user: try req.requireUser(), store: req.store)
        let back = req.formValue("back")
        // Only back to a page of this organisation.
        let target = back.hasPrefix(base(context.organisationID) + "/") ? back : base(context.organisationID) + "/contact-support"
        return .redirect(target, flash: "vip.regenerated")
    }

    // MARK: API

    struct VIPCodeJSON: Content { var code: String; var grouped: String }
    struct VIPCallerJSON: Content { var organisationId: String; var name: String; var premiumActive: Bool }

    func apiCode(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let code = try await req.support.vipCode(context, store: req.store) else { throw AppError.notFound }
        return try api.json(VIPCodeJSON(code: code.value, grouped: code.grouped))
    }

    func apiRegenerate(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let code = try await req.support.regenerateVIPCode(context, user: try req.requireUser(), store: req.store)
        return try api.json(VIPCodeJSON(code: code.value, grouped: code.grouped), .created)
    }

    /// Support staff (either role) verify a caller's VIP code; audited.
    func apiLookUp(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard let code = req.parameters.get("code").flatMap(SupportCode.init), let caller = try await req.support.lookUpVIP(staff: staff, code: code, store: req.store)
        else { throw AppError.notFound }
        return try api.json(VIPCallerJSON(organisationId: caller.organisation.id.string, name: caller.organisation.name, premiumActive: caller.premiumActive))
    }
}
