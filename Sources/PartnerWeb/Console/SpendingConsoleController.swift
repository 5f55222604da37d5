import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// R-B11 in the console: the partner's rules for spending its money (per client in payment mode
/// `partner`, per employee) and the orders waiting for its approval.
struct SpendingConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("console", "orgs", ":org")
        org.get("spending", use: rulesPage).named(.managePartnerships)
        org.post("clients", ":partnership", "spending", use: setClientRule).named(.managePartnerships)
        org.post("members", ":member", "spending", use: setEmployeeLimit).named(.managePartnerships)
        org.get("order-requests", use: requestsPage).named(.billing)
        org.post("order-requests", ":request", "approve", use: approve).named(.billing)
        org.get("order-requests", ":request", "decline", use: confirmDecline).named(.billing)
        org.post("order-requests", ":request", "decline", use: decline).named(.billing)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)" }

    // MARK: the rules

    func rulesPage(req: Request) async throws -> Response { try await rulesView(req, errors: [], status: .ok) }

    func rulesView(_ req: Request, errors: [FieldError], message: String? = nil, status: HTTPResponseStatus) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        let clients = try await req.store.clientListings(partner: organisation.id, onlyAssignedTo: nil)
            .filter { $0.partnership.state == .active && $0.partnership.access == .full && $0.partnership.paymentMode == .partner }
        var rules: [(PartnershipListing, ClientSpending, Currency)] = []
        for listing in clients {
            guard let clientID = listing.partnership.clientID, let client = try await req.store.organisation(id: clientID) else { continue }
            rules.append((listing, try await req.store.clientSpending(listing.partnership.id), client.currency))
        }
        var employees: [(Member, Money?)] = []
        for member in try await req.store.members(context) where member.role == .employee {
            employees.append((member, try await req.store.employeeSpendingLimit(member.membershipID)))
        }
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func money(_ m: Money) -> String { MoneyFormat.display(m, language: ctx.language) }
        return Layout.page(s("spending.title"), ctx, status: status) {
            tag("h1") { text(s("spending.title")) }
            tag("p") { text(s("spending.intro")) }
            if let message { tag("div", cls("error-summary"), attr("role", "alert")) { tag("p") { text(message) } } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: ["limit": s("spending.limit"), "mode": s("spending.mode")]) }
            tag("p") { link(s("spending.requests_link"), base(organisation.id) + "/order-requests") }
            tag("section", cls("card"), attr("aria-labelledby", "client-rules")) {
                tag("h2", attr("id", "client-rules")) { text(s("spending.clients")) }
                if rules.isEmpty { tag("p", cls("empty")) { text(s("spending.no_clients")) } }
                for (listing, rule, currency) in rules {
                    postForm(base(organisation.id) + "/clients/\(listing.partnership.id.string)/spending", csrf: ctx.csrf) {
                        tag("fieldset") {
                            tag("legend") { text(listing.counterpartName) }
                            for mode in ["direct", "approval", "monthly_limit"] {
                                tag("label", cls("choice")) {
                                    VoidTag(name: "input", attributes: [.value("type", "radio"), .value("name", "mode"), .value("value", mode),
                                                                        .flag("checked", rule.name == mode)])
                                    text(" " + s("spending.mode.\(mode)"))
                                }
                            }
                            field("limit", label: s("spending.limit") + " (\(currency.rawValue))", value: Self.amount(rule), hint: s("spending.limit_hint"),
                                  required: false)
                        }
                        button(s("settings.save"))
                    }
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "employee-rules")) {
                tag("h2", attr("id", "employee-rules")) { text(s("spending.employees")) }
                tag("p", cls("hint")) { text(s("spending.employees_help")) }
                if employees.isEmpty { tag("p", cls("empty")) { text(s("clients.no_employees")) } }
                for (member, limit) in employees {
                    postForm(base(organisation.id) + "/members/\(member.membershipID.string)/spending", csrf: ctx.csrf) {
                        tag("p") {
                            tag("strong") { text(member.name) }
                            text(" · " + (limit.map { s("spending.employee_limit", ["limit": money($0)]) } ?? s("spending.employee_none")))
                        }
                        // The limit in force is shown, so saving without typing keeps it.
                        field("limit", label: s("spending.limit") + " (\(organisation.currency.rawValue))", value: limit.map { Self.amount(.monthlyLimit($0)) } ?? "",
                              hint: s("spending.employee_hint"), required: false)
                        button(s("settings.save"))
                    }
                }
            }
        }
    }

    /// The limit as it is typed back ("500.00"), or empty.
    static func amount(_ rule: ClientSpending) -> String {
        guard case .monthlyLimit(let limit) = rule else { return "" }
        return String(limit.minorUnits / 100) + "." + String(format: "%02lld", limit.minorUnits % 100)
    }

    /// An amount typed in the console ("500", "500.50"): minor units, or nil when empty.
    func minor(_ raw: String, _ errors: inout [FieldError]) -> Int64? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let value = MoneyFormat.parseAmount(trimmed) else {
            errors.append(FieldError("limit", .invalidValue))
            return nil
        }
        return value
    }

    func setClientRule(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let partnership = req.parameters.get("partnership").flatMap(PartnershipID.init(string:)) else { throw AppError.notFound }
        var errors: [FieldError] = []
        let limit = minor(req.formValue("limit"), &errors)
        if !errors.isEmpty { return try await rulesView(req, errors: errors, status: .unprocessableEntity) }
        do {
            try await req.billing.setClientSpending(partner: context, partnership: partnership, mode: req.formValue("mode"), limitMinor: limit,
                                                    user: try req.requireUser(), store: req.store)
        } catch AppError.validation(let errors) {
            return try await rulesView(req, errors: errors, status: .unprocessableEntity)
        }
        return .redirect(base(context.organisationID) + "/spending", flash: "spending.saved")
    }

    func setEmployeeLimit(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        guard let membership = req.parameters.get("member").flatMap(MembershipID.init(string:)) else { throw AppError.notFound }
        var errors: [FieldError] = []
        let limit = minor(req.formValue("limit"), &errors)
        if !errors.isEmpty { return try await rulesView(req, errors: errors, status: .unprocessableEntity) }
        let organisation = try await req.store.organisation(context)
        do {
            try await req.billing.setEmployeeSpending(context, membership: membership, limitMinor: limit, currency: organisation.currency,
                                                      user: try req.requireUser(), store: req.store)
        } catch AppError.validation(let errors) {
            return try await rulesView(req, errors: errors, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await rulesView(req, errors: [], message: req.strings(key), status: .conflict)
        }
        return .redirect(base(context.organisationID) + "/spending", flash: "spending.saved")
    }
}
