import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-O2 "assigned products": legal representatives and admins choose which products an
/// employee or external user of their organisation sees and manages (console and API).
struct ProductAssignmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("console", "orgs", ":org", "members", ":member", "products", use: page).named(.manageMembers)
        routes.post("console", "orgs", ":org", "members", ":member", "products", use: save).named(.manageMembers)
        routes.get("api", "v1", "organisations", ":org", "members", ":member", "products", use: apiList).named(.manageMembers)
        routes.put("api", "v1", "organisations", ":org", "members", ":member", "products", use: apiSet).named(.manageMembers)
    }

    /// The member whose products are assigned: of this organisation, an employee or external user.
    static func target(_ req: Request) async throws -> (OrganisationContext, Member) {
        let context = try await req.organisationContext()
        guard let id = req.parameters.get("member").flatMap(MembershipID.init(string:)),
              let member = try await req.store.members(context).first(where: { $0.membershipID == id }) else { throw AppError.notFound }
        // Who may: the route's action (R-O5 manage_members).
        // Representatives and admins see every product already: refused by what the member is (409).
        guard [.employee, .externalUser].contains(member.role) else { throw AppError.refused("assignment.only_employees") }
        return (context, member)
    }

    /// Stores the assignment; every product must be the organisation's own. Audited.
    static func assign(_ req: Request, _ context: OrganisationContext, _ member: Member, _ products: Set<ProductID>) async throws {
        let own = Set(try await req.store.products(of: context.organisationID).map(\.id))
        guard products.isSubset(of: own) else { throw AppError.validation([FieldError("product_ids", .unknownReference)]) }
        let now = req.partnerHub.configuration.clock.now()
        try await req.store.write { tx in
            try await tx.setAssignedProducts(member.membershipID, products: products, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(context.userID.string)", organisation: context.organisationID.string, action: "member.products_assigned",
                                                target: "membership:\(member.membershipID.string)", details: "{\"products\":\(products.count)}"), now: now)
        }
    }

    func page(req: Request) async throws -> Response {
        let (context, member) = try await Self.target(req)
        let organisation = try await req.store.organisation(context)
        let products = try await req.store.products(of: context.organisationID)
        let assigned = try await req.store.assignedProducts(member.membershipID)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        return Layout.page(s("members.products_title", ["name": member.name]), ctx) {
            tag("div", cls("narrow wide")) {
                tag("h1") { text(s("members.products_title", ["name": member.name])) }
                tag("p", cls("hint")) { text(s("members.products_help")) }
                if products.isEmpty {
                    tag("p", cls("empty")) { text(s("products.empty")) }
                } else {
                    postForm("/console/orgs/\(organisation.id.string)/members/\(member.membershipID.string)/products", csrf: ctx.csrf) {
                        tag("fieldset") {
                            tag("legend") { text(s("nav.products")) }
                            for product in products {
                                tag("label", cls("choice")) {
                                    VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "product_\(product.id.string)"), .flag("checked", assigned.contains(product.id))])
                                    text(" \(product.name) (\(s("category.\(product.category.rawValue)")))")
                                }
                            }
                        }
                        button(s("settings.save"))
                    }
                }
                tag("p") { link(s("members.back"), "/console/orgs/\(organisation.id.string)/members") }
            }
        }
    }

    func save(req: Request) async throws -> Response {
        let (context, member) = try await Self.target(req)
        let products = try await req.store.products(of: context.organisationID)
        let chosen = Set(products.filter { req.formValue("product_\($0.id.string)") == "on" }.map(\.id))
        try await Self.assign(req, context, member, chosen)
        return .redirect("/console/orgs/\(context.organisationID.string)/members", flash: "settings.saved")
    }

    struct Assignment: Content { var productIds: [String] }

    func apiList(req: Request) async throws -> Response {
        let (_, member) = try await Self.target(req)
        return try APIController().json(Assignment(productIds: try await req.store.assignedProducts(member.membershipID).map(\.string).sorted()))
    }

    func apiSet(req: Request) async throws -> Response {
        let (context, member) = try await Self.target(req)
        let input = try APIController().body(req, Assignment.self)
        var ids = Set<ProductID>()
        for (index, raw) in input.productIds.enumerated() {
            guard let id = ProductID(string: raw) else { throw AppError.validation([FieldError("product_ids.\(index)", .invalidValue)]) }
            ids.insert(id)
        }
        try await Self.assign(req, context, member, ids)
        return try APIController().json(Assignment(productIds: ids.map(\.string).sorted()))
    }
}
