import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-X1 in both consoles and the API: the partner's backup account with a group per client, and
/// the client's view of where its backups are kept.
struct BackupController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("console", "orgs", ":org", "backup")
        org.get(use: page).named(.seeOrganisation)
        org.post("account", use: designate).named(.runPartnerBusiness)
        org.post("groups", use: createGroup).named(.runPartnerBusiness)
        org.get("groups", ":group", "delete", use: confirmDelete).named(.runPartnerBusiness)
        org.post("groups", ":group", "delete", use: deleteGroup).named(.runPartnerBusiness)
        let v1 = routes.grouped("api", "v1", "organisations", ":org")
        v1.get("backup", use: apiOverview).named(.seeOrganisation)
        v1.post("backup-account", use: apiDesignate).named(.runPartnerBusiness)
        v1.post("backup-groups", use: apiCreateGroup).named(.runPartnerBusiness)
        v1.delete("backup-groups", ":group", use: apiDeleteGroup).named(.runPartnerBusiness)
        v1.post("backup-groups", ":group", "move", use: apiMove).named(.runPartnerBusiness)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)/backup" }

    func groupID(_ req: Request) throws -> BackupGroupID {
        guard let id = req.parameters.get("group").flatMap(BackupGroupID.init(string:)) else { throw AppError.notFound }
        return id
    }

    func page(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await view(req, context, errors: [], message: nil)
    }

    func view(_ req: Request, _ context: OrganisationContext, errors: [FieldError], message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let store = req.store
        // R-O5: the partner's account and its clients' groups are the partner's business (legal
        // representatives and admins of an approved partner); every member sees where its own
        // organisation's backups are kept.
        let manages = try await req.may(.runPartnerBusiness)
        let account = manages ? try await store.backupAccount(of: organisation.id) : nil
        let groups = manages ? try await store.backupGroups(partner: organisation.id) : []
        let listings = manages ? try await store.clientListings(partner: organisation.id, onlyAssignedTo: nil) : []
        let clientNames = Dictionary(listings.compactMap { l in l.partnership.clientID.map { ($0, l.counterpartName) } }, uniquingKeysWith: { a, _ in a })
        let grouped = Set(groups.map(\.clientID))
        let candidates = listings.filter { $0.partnership.state == .active && $0.partnership.clientID.map { !grouped.contains($0) } == true }
        let ownBackups = try await store.products(of: organisation.id).filter { $0.category == .swissBackup && $0.status != "cancelled" }
        let kept = try await store.backupGroups(client: organisation.id)
        var holders: [OrganisationID: String] = [:]
        for group in kept where holders[group.partnerID] == nil { holders[group.partnerID] = try await store.organisation(id: group.partnerID)?.name }
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        return Layout.page(s("backup.title"), ctx, status: status) {
            tag("h1") { text(s("backup.title")) }
            if let message { tag("p", cls("error-summary"), attr("role", "alert")) { text(message) } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["product_id": s("field.product"), "client_id": s("backup.client"), "name": s("backup.group_name")]) }
            if organisation.isPartner {
                tag("p") { text(s("backup.intro")) }
                if let account {
                    tag("p", attr("id", "backup-account")) { text(s("backup.account_is", ["product": account.productName])) }
                    if groups.isEmpty { tag("p", cls("empty")) { text(s("backup.no_groups")) } } else {
                        tag("table", cls("table"), attr("id", "backup-groups")) {
                            tableHead([s("backup.group_name"), s("backup.client"), s("field.status"), ""])
                            tag("tbody") {
                                for group in groups {
                                    tag("tr") {
                                        tag("td") { text(group.name) }
                                        tag("td") { text(clientNames[group.clientID] ?? "–") }
                                        tag("td") {
                                            if group.partnershipEndedAt != nil {
                                                tag("span", cls("badge state-ended")) { text(s("backup.kept")) }
                                            } else {
                                                tag("span", cls("badge state-active")) { text(s("backup.managed")) }
                                            }
                                        }
                                        tag("td") {
                                            if manages { link(s("backup.delete"), base(organisation.id) + "/groups/\(group.id.string)/delete", classes: "danger-link") }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    tag("p", cls("hint"), attr("id", "move-note")) { text(s("backup.backup_move_refused")) }
                    if manages {
                        tag("section", cls("card"), attr("aria-labelledby", "new-group")) {
                            tag("h2", attr("id", "new-group")) { text(s("backup.new_group")) }
                            if candidates.isEmpty {
                                tag("p", cls("empty")) { text(s("backup.no_candidates")) }
                            } else {
                                postForm(base(organisation.id) + "/groups", csrf: ctx.csrf) {
                                    selectField("client_id", label: s("backup.client"),
                                                options: candidates.compactMap { l in l.partnership.clientID.map { ($0.string, l.counterpartName) } },
                                                selected: "", error: error("client_id"))
                                    field("name", label: s("backup.group_name"), value: "", error: error("name"))
                                    button(s("backup.create_group"))
                                }
                            }
                        }
                    }
                } else if manages {
                    tag("section", cls("card"), attr("aria-labelledby", "designate")) {
                        tag("h2", attr("id", "designate")) { text(s("backup.designate")) }
                        if ownBackups.isEmpty {
                            tag("p", cls("empty")) { text(s("backup.no_product")) }
                        } else {
                            postForm(base(organisation.id) + "/account", csrf: ctx.csrf) {
                                selectField("product_id", label: s("field.product"), options: ownBackups.map { ($0.id.string, $0.name) }, selected: "", error: error("product_id"))
                                button(s("backup.designate"))
                            }
                        }
                    }
                } else {
                    tag("p", cls("empty")) { text(s("backup.no_account")) }
                }
            }
            if !kept.isEmpty {
                tag("section", cls("card"), attr("aria-labelledby", "kept"), attr("id", "client-backups")) {
                    tag("h2", attr("id", "kept")) { text(s("backup.your_backups")) }
                    tag("ul") {
                        for group in kept {
                            tag("li") {
                                text(s(group.partnershipEndedAt == nil ? "backup.kept_by" : "backup.kept_by_ended",
                                       ["partner": holders[group.partnerID] ?? "", "group": group.name]))
                            }
                        }
                    }
                }
            } else if !organisation.isPartner {
                tag("p", cls("empty")) { text(s("backup.client_none")) }
            }
        }
    }

    func designate(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let product = ProductID(string: req.formValue("product_id")) else {
            return try await view(req, context, errors: [FieldError("product_id", .invalidValue)], message: nil, status: .unprocessableEntity)
        }
        do {
            _ = try await req.backup.designate(context, user: try req.requireUser(), product: product, store: req.store)
        } catch AppError.validation(let errors) {
            return try await view(req, context, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await view(req, context, errors: [], message: req.strings(key), status: .conflict)
        }
        return .redirect(base(context.organisationID), flash: "backup.designated")
    }

    func createGroup(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let client = OrganisationID(string: req.formValue("client_id")) else {
            return try await view(req, context, errors: [FieldError("client_id", .invalidValue)], message: nil, status: .unprocessableEntity)
        }
        do {
            _ = try await req.backup.createGroup(context, user: try req.requireUser(), client: client, name: req.formValue("name"), store: req.store)
        } catch AppError.validation(let errors) {
            return try await view(req, context, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await view(req, context, errors: [], message: req.strings(key), status: .conflict)
        }
        return .redirect(base(context.organisationID), flash: "backup.group_created")
    }

    func confirmDelete(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        _ = try await req.backup.requireManager(context, store: req.store)
        let group = try await req.backup.group(context, try groupID(req), store: req.store)
        let ctx = try await req.pageContext(current: try await req.store.organisation(context))
        let s = ctx.strings
        return Layout.confirmation(ctx, title: s("backup.delete") + ": " + group.name, consequence: s("backup.delete_consequence"),
                                   action: base(context.organisationID) + "/groups/\(group.id.string)/delete", confirmLabel: s("backup.delete"),
                                   cancel: base(context.organisationID))
    }

    func deleteGroup(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.backup.deleteGroup(context, user: try req.requireUser(), group: try groupID(req), store: req.store)
        return .redirect(base(context.organisationID), flash: "backup.group_deleted")
    }

    // MARK: API

    struct AccountJSON: Content { var id: String; var productId: String; var productName: String; var createdAt: Date }
    struct GroupJSON: Content {
        var id: String; var accountId: String; var partnerId: String; var clientId: String; var name: String; var createdAt: Date; var partnershipEndedAt: Date?
        init(_ g: BackupGroup) {
            id = g.id.string; accountId = g.accountID.string; partnerId = g.partnerID.string; clientId = g.clientID.string; name = g.name
            createdAt = g.createdAt; partnershipEndedAt = g.partnershipEndedAt
        }
    }
    struct OverviewJSON: Content { var account: AccountJSON?; var groups: [GroupJSON]; var keptFor: [GroupJSON] }
    struct DesignateRequest: Content { var productId: String }
    struct GroupRequest: Content { var clientId: String; var name: String }
    struct MoveRequest: Content { var accountId: String? }

    func apiOverview(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        let manages = try await req.may(.runPartnerBusiness)
        let account = manages ? try await req.store.backupAccount(of: organisation.id) : nil
        let groups = manages ? try await req.store.backupGroups(partner: organisation.id) : []
        return try api.json(OverviewJSON(account: account.map { AccountJSON(id: $0.id.string, productId: $0.productID.string, productName: $0.productName, createdAt: $0.createdAt) },
                                         groups: groups.map(GroupJSON.init), keptFor: try await req.store.backupGroups(client: organisation.id).map(GroupJSON.init)))
    }

    func apiDesignate(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, DesignateRequest.self)
        guard let product = ProductID(string: input.productId) else { throw AppError.validation([FieldError("product_id", .invalidValue)]) }
        _ = try await req.backup.designate(context, user: try req.requireUser(), product: product, store: req.store)
        let response = try await apiOverview(req: req)
        response.status = .created
        return response
    }

    func apiCreateGroup(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, GroupRequest.self)
        guard let client = OrganisationID(string: input.clientId) else { throw AppError.validation([FieldError("client_id", .invalidValue)]) }
        let id = try await req.backup.createGroup(context, user: try req.requireUser(), client: client, name: input.name, store: req.store)
        return try api.json(GroupJSON(try await req.backup.group(context, id, store: req.store)), .created)
    }

    func apiDeleteGroup(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.backup.deleteGroup(context, user: try req.requireUser(), group: try groupID(req), store: req.store)
        return Response(status: .noContent)
    }

    func apiMove(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.backup.move(context, group: try groupID(req), store: req.store)
    }
}
