import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The provider console's side of the program (R-E2, R-E3, R-O3): the application queue with
/// approval (choosing the rates) or rejection (with a reason), the partners against the minimum
/// volume, and the tender categories. Program admins only; every action is audited by the services.
struct ProviderProgramController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let provider = routes.grouped("provider")
        provider.get("applications", use: queue).named(.administerProgram)
        provider.get("applications", ":application", use: applicationPage).named(.administerProgram)
        provider.post("applications", ":application", "approve", use: approve).named(.administerProgram)
        provider.post("applications", ":application", "reject", use: reject).named(.administerProgram)
        provider.get("partners", use: partners).named(.administerProgram)
        provider.get("tender-categories", use: categories).named(.administerProgram)
        provider.post("tender-categories", use: saveCategory).named(.administerProgram)
    }


    static func menu(_ s: Strings) -> Component {
        tag("nav", cls("tabs"), attr("aria-label", s("provider.title"))) {
            link(s("provider.title"), "/provider")
            link(s("provider.applications"), "/provider/applications")
            link(s("provider.partners"), "/provider/partners")
            link(s("provider.tender_categories"), "/provider/tender-categories")
            link(s("catalogue.title"), "/provider/catalogue")
        }
    }

    func queue(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        let pending = try await req.store.applications(status: .pending)
        let decided = try await req.store.applications(status: nil, limit: 50).filter { $0.status != .pending }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func table(_ applications: [PartnerApplication], id: String) -> Component {
            tag("table", cls("table"), attr("id", id)) {
                tableHead([s("field.organisation_name"), s("provider.applied_at"), s("provider.register"), s("program.website"), s("field.status")])
                tag("tbody") {
                    for application in applications {
                        tag("tr") {
                            tag("td") { link(application.organisationName, "/provider/applications/\(application.id.string)") }
                            tag("td") { text(BillingConsoleController.day(application.createdAt)) }
                            tag("td") { text(application.registerID + " (" + s("program.register.\(application.registerStatus.rawValue)") + ")") }
                            tag("td") { text(application.website) }
                            tag("td") { text(s("program.status.\(application.status.rawValue)")) }
                        }
                    }
                }
            }
        }
        return Layout.page(s("provider.applications"), ctx) {
            Self.menu(s)
            tag("h1") { text(s("provider.applications")) }
            if pending.isEmpty { tag("p", cls("empty")) { text(s("provider.applications_empty")) } } else { table(pending, id: "pending") }
            if !decided.isEmpty {
                tag("h2") { text(s("program.history")) }
                table(decided, id: "decided")
            }
        }
    }

    func application(_ req: Request) async throws -> PartnerApplication {
        guard let id = req.parameters.get("application").flatMap(ApplicationID.init(string:)), let application = try await req.store.application(id) else {
            throw AppError.notFound
        }
        return application
    }

    func applicationPage(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try await applicationView(req, try await application(req), values: [:], errors: [], message: nil)
    }

    func applicationView(_ req: Request, _ application: PartnerApplication, values: [String: String], errors: [FieldError], message: String?,
                         status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        let title = s("provider.application", ["org": application.organisationName])
        return Layout.page(title, ctx, status: status) {
            Self.menu(s)
            tag("h1") { text(title) }
            if let message { tag("p", cls("error-summary"), attr("role", "alert")) { text(message) } }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("field.status")) } ; tag("dd") { text(s("program.status.\(application.status.rawValue)")) }
                tag("dt") { text(s("provider.register")) }
                tag("dd") { text(application.registerID + " · " + application.registerKind + " · " + s("program.register.\(application.registerStatus.rawValue)")) }
                tag("dt") { text(s("program.website")) } ; tag("dd") { tag("a", attr("href", application.website), attr("rel", "noopener nofollow")) { text(application.website) } }
                tag("dt") { text(s("provider.terms_accepted")) }
                tag("dd") { text(application.termsVersion + " · " + Layout.date(application.termsAcceptedAt)) }
                tag("dt") { text(s("provider.applied_at")) } ; tag("dd") { text(Layout.date(application.createdAt)) }
                if let reason = application.reason { tag("dt") { text(s("provider.reject_reason")) } ; tag("dd") { text(reason) } }
            }
            if application.status == .pending {
                if !errors.isEmpty { Layout.errorSummary(errors, s, labels: [:]) }
                tag("section", cls("card"), attr("aria-labelledby", "approve")) {
                    tag("h2", attr("id", "approve")) { text(s("provider.approve_with_rates")) }
                    tag("p", cls("hint")) { text(s("provider.rates_hint")) }
                    postForm("/provider/applications/\(application.id.string)/approve", csrf: ctx.csrf) {
                        for category in ProductCategory.allCases where category != .domain {
                            field("rate_\(category.rawValue)", label: s("category.\(category.rawValue)") + " (%)", value: values["rate_\(category.rawValue)"] ?? "10",
                                  error: error("rate_\(category.rawValue)"))
                        }
                        button(s("provider.approve_with_rates"))
                    }
                }
                tag("section", cls("card"), attr("aria-labelledby", "reject")) {
                    tag("h2", attr("id", "reject")) { text(s("provider.reject")) }
                    postForm("/provider/applications/\(application.id.string)/reject", csrf: ctx.csrf) {
                        textArea("reason", label: s("provider.reject_reason"), value: values["reason"] ?? "", error: error("reason"), rows: 3)
                        button(s("provider.reject"), style: "danger")
                    }
                }
            }
        }
    }

    func approve(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let application = try await application(req)
        let (rates, errors) = ProviderBillingController.rates(req)
        var values: [String: String] = [:]
        for category in ProductCategory.allCases where category != .domain { values["rate_\(category.rawValue)"] = req.formValue("rate_\(category.rawValue)") }
        do {
            if !errors.isEmpty { throw AppError.validation(errors) }
            try await req.program.approve(staff: staff, application: application.id, rates: rates, store: req.store)
        } catch AppError.validation(let errors) {
            return try await applicationView(req, application, values: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await applicationView(req, try await self.application(req), values: values, errors: [], message: req.strings(key), status: .conflict)
        }
        return .redirect("/provider/applications", flash: "provider.application_approved")
    }

    func reject(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let application = try await application(req)
        let values = ["reason": req.formValue("reason")]
        do {
            try await req.program.reject(staff: staff, application: application.id, reason: values[field: "reason"], store: req.store)
        } catch AppError.validation(let errors) {
            return try await applicationView(req, application, values: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await applicationView(req, try await self.application(req), values: values, errors: [], message: req.strings(key), status: .conflict)
        }
        return .redirect("/provider/applications", flash: "provider.application_rejected")
    }

    /// R-E3: each partner's managed volume over 12 months against CHF 2000 / EUR 1800, flagged
    /// once a year has passed since approval.
    func partners(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        let standings = try await req.program.standings(store: req.store)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let now = req.partnerHub.configuration.clock.now()
        return Layout.page(s("provider.partners"), ctx) {
            Self.menu(s)
            tag("h1") { text(s("provider.partners")) }
            if standings.isEmpty {
                tag("p", cls("empty")) { text(s("provider.partners_empty")) }
            } else {
                tag("table", cls("table"), attr("id", "partners")) {
                    tableHead([s("field.organisation_name"), s("provider.approved_at"), s("provider.volume"), s("field.status")])
                    tag("tbody") {
                        for standing in standings {
                            let percent = min(100, Int(standing.volume.minorUnits * 100 / max(1, standing.minimum.minorUnits)))
                            tag("tr", cls(standing.belowMinimum ? "flagged" : "")) {
                                tag("td") { link(standing.standing.organisation.name, "/provider/organisations/\(standing.standing.organisation.id.string)/rates") }
                                tag("td") { text(BillingConsoleController.day(standing.standing.approvedAt)) }
                                tag("td") {
                                    tag("label", attr("for", "volume-\(standing.standing.organisation.id.string)")) {
                                        text(MoneyFormat.display(standing.volume, language: ctx.language) + " / " + MoneyFormat.display(standing.minimum, language: ctx.language))
                                    }
                                    text(" ")
                                    tag("progress", attr("id", "volume-\(standing.standing.organisation.id.string)"), attr("max", "100"), attr("value", String(percent))) {
                                        text("\(percent) %")
                                    }
                                }
                                tag("td") {
                                    if standing.belowMinimum {
                                        tag("span", cls("badge danger")) { text(s("provider.below_minimum")) }
                                    } else if now.timeIntervalSince(standing.standing.approvedAt) < 365 * 86_400 {
                                        tag("span", cls("badge muted")) { text(s("provider.grace_year")) }
                                    } else {
                                        tag("span", cls("badge ok")) { text(s("provider.on_track")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func categories(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try await categoriesView(req, errors: [], values: [:])
    }

    func categoriesView(_ req: Request, errors: [FieldError], values: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let categories = try await req.store.tenderCategories(includingInactive: true)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        func form(_ category: TenderCategory?) -> Component {
            postForm("/provider/tender-categories", csrf: ctx.csrf, classes: "form inline-fields") {
                if let category {
                    hidden("key", category.key)
                    tag("p") { tag("code") { text(category.key) } }
                } else {
                    field("key", label: s("provider.category_key"), value: values["key"] ?? "", error: error("key"))
                }
                for language in Language.allCases {
                    field("name_\(language.rawValue)", label: "\(s("field.name_short")) (\(language.rawValue))",
                          value: category?.names[language] ?? values["name_\(language.rawValue)"] ?? "", error: category == nil ? error("name_\(language.rawValue)") : nil)
                }
                field("position", label: s("provider.position"), type: "number", value: String(category?.position ?? categories.count * 10 + 10), required: true)
                tag("label", cls("check")) {
                    VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "active"), .value("value", "yes"), .flag("checked", category?.active ?? true)])
                    text(" " + s("provider.category_active"))
                }
                button(s("provider.save"), style: "secondary")
            }
        }
        return Layout.page(s("provider.tender_categories"), ctx, status: status) {
            Self.menu(s)
            tag("h1") { text(s("provider.tender_categories")) }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: [:]) }
            for category in categories { tag("div", cls("card")) { form(category) } }
            tag("h2") { text("+") }
            tag("div", cls("card")) { form(nil) }
        }
    }

    func saveCategory(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        var names: [Language: String] = [:]
        var values = ["key": req.formValue("key")]
        for language in Language.allCases {
            names[language] = req.formValue("name_\(language.rawValue)")
            values["name_\(language.rawValue)"] = names[language]
        }
        do {
            guard let position = Int(req.formValue("position").trimmingCharacters(in: .whitespaces)) else { throw AppError.validation([FieldError("position", .invalidValue)]) }
            try await req.program.saveTenderCategory(staff: staff, key: values[field: "key"], names: names, position: position, active: req.formValue("active") == "yes",
                                                     store: req.store)
        } catch AppError.validation(let errors) {
            return try await categoriesView(req, errors: errors, values: values, status: .unprocessableEntity)
        }
        return .redirect("/provider/tender-categories", flash: "provider.category_saved")
    }
}
