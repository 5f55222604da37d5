import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// A group of checkboxes named `prefix_value` (the console's pattern for sets), in a fieldset
/// with a legend, keeping what was ticked and showing the group's error.
func checkboxGroup(_ prefix: String, legend: String, options: [(String, String)], selected: Set<String>, error: String? = nil, hint: String? = nil) -> Component {
    tag("fieldset", attr("id", "f-\(prefix)"), cls(error == nil ? "field checks" : "field checks has-error")) {
        tag("legend") { text(legend) }
        if let hint { tag("p", cls("hint")) { text(hint) } }
        for (value, title) in options {
            tag("label", cls("check")) {
                VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", "\(prefix)_\(value)"), .flag("checked", selected.contains(value))])
                text(" " + title)
            }
        }
        if let error { tag("p", cls("error")) { text(error) } }
    }
}

func textArea(_ name: String, label: String, value: String, error: String? = nil, rows: Int = 6, required: Bool = true, hint: String? = nil) -> Component {
    let id = "f-\(name)"
    var attributes: [Attr] = [.value("name", name), .value("id", id), .value("rows", String(rows)), .flag("required", required)]
    if error != nil { attributes.append(.value("aria-invalid", "true")); attributes.append(.value("aria-describedby", "\(id)-error")) }
    return tag("div", cls(error == nil ? "field" : "field has-error")) {
        tag("label", attr("for", id)) { text(label) }
        if let hint { tag("p", cls("hint")) { text(hint) } }
        tag("textarea", attributes) { text(value) }
        if let error { tag("p", cls("error"), attr("id", "\(id)-error")) { text(error) } }
    }
}

extension Request {
    /// The values of a checkbox group: those of `values` whose `prefix_value` field was ticked.
    func checked(_ prefix: String, among values: [String]) -> [String] {
        values.filter { !formValue("\(prefix)_\($0)").isEmpty }
    }
}

/// Names and options shared by the program's pages.
struct ProgramOptions {
    let s: Strings
    let categories: [TenderCategory]

    var categoryOptions: [(String, String)] { categories.map { ($0.key, $0.name(s.language)) } }
    var regionOptions: [(String, String)] { TenderRegion.allCases.map { ($0.rawValue, s("region.\($0.rawValue)")) } }
    var languageOptions: [(String, String)] { TenderLanguage.allCases.map { ($0.rawValue, s("tlang.\($0.rawValue)")) } }
    var budgetOptions: [(String, String)] { BudgetRange.allCases.map { ($0.rawValue, s("budget.\($0.rawValue)")) } }
    func categoryNames(_ keys: some Sequence<String>) -> String {
        let names = Dictionary(uniqueKeysWithValues: categories.map { ($0.key, $0.name(s.language)) })
        return keys.sorted().map { names[$0] ?? $0 }.joined(separator: ", ")
    }
}

/// The customer console's side of the program: applying (R-E1), the partner's tenders and their
/// subscription (R-T2 … R-T4), and its directory profile (R-D1).
struct ProgramConsoleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("console", "orgs", ":org")
        org.get("program", use: programPage).named(.seeOrganisation)
        org.post("program", use: apply).named(.applyForProgram)
        org.get("tenders", use: tendersPage).named(.runPartnerBusiness)
        org.post("tenders", "subscription", use: saveSubscription).named(.runPartnerBusiness)
        org.get("tenders", ":tender", use: tenderPage).named(.runPartnerBusiness)
        org.post("tenders", ":tender", "offers", use: sendOffer).named(.runPartnerBusiness)
        org.get("directory-profile", use: profilePage).named(.runPartnerBusiness)
        org.post("directory-profile", use: saveProfile).named(.runPartnerBusiness)
    }

    func base(_ id: OrganisationID) -> String { "/console/orgs/\(id.string)" }

    // MARK: applying (R-E1, R-E4)

    func programPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await programView(req, context, values: [:], errors: [], message: nil)
    }

    func programView(_ req: Request, _ context: OrganisationContext, values: [String: String], errors: [FieldError], message: String?,
                     status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        let applications = try await req.store.applications(of: organisation.id)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let pending = applications.first { $0.status == .pending }
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        let version = ResellerTerms.currentVersion
        return Layout.page(s("program.title"), ctx, status: status) {
            tag("h1") { text(s("program.title")) }
            if let message { tag("p", cls("error-summary"), attr("role", "alert")) { text(message) } }
            if organisation.isPartner {
                tag("p", attr("role", "status")) { text(s("program.is_partner")) }
                tag("p") { link(s("nav.benefits"), base(organisation.id) + "/benefits") ; text(" · ") ; link(s("nav.tenders"), base(organisation.id) + "/tenders") }
            } else if let pending {
                tag("p", attr("role", "status")) { text(s("program.status.pending") + " · " + BillingConsoleController.day(pending.createdAt)) }
            } else if context.role != .legalRepresentative {
                tag("p") { text(s("program.intro")) }
                tag("p", cls("empty")) { text(s("program.only_legal_representative")) }
            } else {
                tag("p") { text(s("program.intro")) }
                tag("section", cls("card"), attr("aria-labelledby", "terms")) {
                    tag("h2", attr("id", "terms")) { text(s("program.terms", ["version": version])) }
                    tag("ul") { for point in ResellerTerms.points { tag("li") { text(s(point)) } } }
                }
                if !errors.isEmpty {
                    Layout.errorSummary(errors, s, labels: ["register_id": s("program.register_id"), "website": s("program.website"),
                                                            "accept_terms": s("program.accept_terms", ["version": version]), "minimum_volume": s("program.minimum_volume")])
                }
                postForm(base(organisation.id) + "/program", csrf: ctx.csrf) {
                    field("register_id", label: s("program.register_id"), value: values["register_id"] ?? "", error: error("register_id"), hint: s("program.register_hint"))
                    field("website", label: s("program.website"), type: "url", value: values["website"] ?? "", error: error("website"), hint: s("program.website_hint"))
                    checkbox("accept_terms", value: version, label: s("program.accept_terms", ["version": version]), checked: values["accept_terms"] == version,
                             error: error("accept_terms"))
                    checkbox("minimum_volume", value: "yes", label: s("program.minimum_volume"), checked: values["minimum_volume"] == "yes", error: error("minimum_volume"))
                    button(s("program.submit"))
                }
            }
            if !applications.isEmpty {
                tag("h2") { text(s("program.history")) }
                tag("table", cls("table"), attr("id", "applications")) {
                    tableHead([s("provider.applied_at"), s("provider.register"), s("program.website"), s("field.status")])
                    tag("tbody") {
                        for application in applications {
                            tag("tr") {
                                tag("td") { text(BillingConsoleController.day(application.createdAt)) }
                                tag("td") { text(application.registerID + " (" + s("program.register.\(application.registerStatus.rawValue)") + ")") }
                                tag("td") { text(application.website) }
                                tag("td") {
                                    text(s("program.status.\(application.status.rawValue)"))
                                    if let reason = application.reason { text(": " + reason) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func checkbox(_ name: String, value: String, label: String, checked: Bool, error: String?) -> Component {
        tag("div", cls(error == nil ? "field check" : "field check has-error"), attr("id", "f-\(name)")) {
            tag("label") {
                VoidTag(name: "input", attributes: [.value("type", "checkbox"), .value("name", name), .value("value", value), .flag("checked", checked)])
                text(" " + label)
            }
            if let error { tag("p", cls("error")) { text(error) } }
        }
    }

    func apply(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let values = ["register_id": req.formValue("register_id"), "website": req.formValue("website"),
                      "accept_terms": req.formValue("accept_terms"), "minimum_volume": req.formValue("minimum_volume")]
        let input = ApplicationInput(registerID: values[field: "register_id"], website: values[field: "website"],
                                     acceptedTermsVersion: values[field: "accept_terms"].isEmpty ? nil : values["accept_terms"],
                                     commitsToMinimumVolume: values["minimum_volume"] == "yes")
        do {
            _ = try await req.program.apply(context, user: user, input: input, store: req.store)
        } catch AppError.validation(let errors) {
            return try await programView(req, context, values: values, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.refused(let key) {
            return try await programView(req, context, values: values, errors: [], message: req.strings(key), status: .conflict)
        } catch AppError.forbidden(let key) {
            return try await programView(req, context, values: values, errors: [], message: req.strings(key), status: .forbidden)
        }
        return .redirect(base(context.organisationID) + "/program", flash: "program.applied")
    }

    // MARK: tenders (R-T2 … R-T4)

    func tendersPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await tendersView(req, context, errors: [])
    }

    func tendersView(_ req: Request, _ context: OrganisationContext, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.tenders.requirePartner(context, store: req.store)
        let matches = try await req.store.tenderMatches(organisation.id)
        let subscription = try await req.store.tenderSubscription(organisation.id)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories())
        let now = req.partnerHub.configuration.clock.now()
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        return Layout.page(s("tender.list_title"), ctx, status: status) {
            tag("h1") { text(s("tender.list_title")) }
            if matches.isEmpty {
                tag("p", cls("empty")) { text(s("tender.list_empty")) }
            } else {
                tag("ul", cls("tender-list"), attr("id", "tenders")) {
                    for match in matches {
                        let tender = match.tender.tender
                        let excerpt = TenderRules.excerpt(tender)
                        let available = TenderRules.isAvailable(tender, now: now)
                        tag("li", cls("card tender")) {
                            tag("h2") {
                                link(excerpt.title, base(organisation.id) + "/tenders/\(tender.id.string)")
                                if match.seenAt == nil && available { text(" ") ; tag("span", cls("badge")) { text(s("tender.new_badge")) } }
                                if match.offered { text(" ") ; tag("span", cls("badge ok")) { text(s("tender.offered_badge")) } }
                                if !available { text(" ") ; tag("span", cls("badge muted")) { text(s("tender.unavailable_badge")) } }
                            }
                            tag("p", cls("muted")) {
                                text(options.categoryNames(excerpt.categories) + " · " + s("region.\(excerpt.region.rawValue)") + " · " + s("tlang.\(tender.language.rawValue)")
                                     + " · " + s("tender.received") + " " + BillingConsoleController.day(match.matchedAt))
                            }
                            if available { tag("p", cls("excerpt")) { text(excerpt.text) } }
                        }
                    }
                }
            }
            tag("section", cls("card"), attr("aria-labelledby", "subscription")) {
                tag("h2", attr("id", "subscription")) { text(s("tender.subscription_title")) }
                tag("p", cls("hint")) { text(s("tender.subscription_help")) }
                postForm(base(organisation.id) + "/tenders/subscription", csrf: ctx.csrf) {
                    checkboxGroup("category", legend: s("tender.categories"), options: options.categoryOptions, selected: subscription.categories, error: error("categories"))
                    checkboxGroup("region", legend: s("directory.regions"), options: options.regionOptions, selected: Set(subscription.regions.map(\.rawValue)),
                                  error: error("regions"))
                    checkboxGroup("language", legend: s("directory.languages"), options: options.languageOptions,
                                  selected: Set(subscription.languages.map(\.rawValue)), error: error("languages"))
                    button(s("tender.save_subscription"))
                }
            }
        }
    }

    func saveSubscription(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let categories = try await req.store.tenderCategories().map(\.key)
        do {
            try await req.tenders.setSubscription(context, user: user, categories: req.checked("category", among: categories),
                                                  regions: req.checked("region", among: TenderRegion.allCases.map(\.rawValue)),
                                                  languages: req.checked("language", among: TenderLanguage.allCases.map(\.rawValue)), store: req.store)
        } catch AppError.validation(let errors) {
            return try await tendersView(req, context, errors: errors, status: .unprocessableEntity)
        }
        return .redirect(base(context.organisationID) + "/tenders", flash: "tender.subscription_saved")
    }

    func tenderID(_ req: Request) throws -> TenderID {
        guard let id = req.parameters.get("tender").flatMap(TenderID.init(string:)) else { throw AppError.notFound }
        return id
    }

    func tenderPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await tenderView(req, context, try tenderID(req), values: [:], errors: [])
    }

    func tenderView(_ req: Request, _ context: OrganisationContext, _ id: TenderID, values: [String: String], errors: [FieldError],
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let opened = try await req.tenders.open(context, user: user, tender: id, store: req.store)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories(includingInactive: true))
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        switch opened {
        case .noLongerAvailable(let title):
            return Layout.page(title, ctx, status: status == .ok ? .gone : status) {
                tag("p") { link("← " + s("tender.list_title"), base(organisation.id) + "/tenders") }
                tag("h1") { text(title) }
                tag("p", cls("empty"), attr("role", "status"), attr("id", "unavailable")) { text(s("tender.no_longer_available")) }
            }
        case .available(let stored, let offers):
            let tender = stored.tender
            return Layout.page(tender.title, ctx, status: status) {
                tag("p") { link("← " + s("tender.list_title"), base(organisation.id) + "/tenders") }
                tag("h1") { text(tender.title) }
                tag("p", cls("muted")) {
                    text(options.categoryNames(tender.categories) + " · " + s("region.\(tender.region.rawValue)") + " · " + s("tlang.\(tender.language.rawValue)")
                         + " · " + s("tender.budget") + ": " + s("budget.\(tender.budget.rawValue)"))
                }
                tag("div", cls("card tender-description")) {
                    for paragraph in tender.description.split(separator: "\n", omittingEmptySubsequences: true) { tag("p") { text(String(paragraph)) } }
                }
                tag("section", cls("card"), attr("aria-labelledby", "contact"), attr("id", "tender-contact")) {
                    tag("h2", attr("id", "contact")) { text(s("tender.contact")) }
                    tag("dl", cls("facts")) {
                        tag("dt") { text(s("tender.contact_name")) } ; tag("dd") { text(tender.contact.name) }
                        tag("dt") { text(s("tender.contact_email")) } ; tag("dd") { link(tender.contact.email.value, "mailto:" + tender.contact.email.value) }
                        if let phone = tender.contact.phone { tag("dt") { text(s("tender.contact_phone")) } ; tag("dd") { text(phone) } }
                        if let org = tender.contact.organisation { tag("dt") { text(s("tender.contact_organisation")) } ; tag("dd") { text(org) } }
                    }
                    tag("p", cls("hint")) { text(s("tender.view_recorded")) }
                }
                if !offers.isEmpty {
                    tag("section", cls("card"), attr("aria-labelledby", "your-offers")) {
                        tag("h2", attr("id", "your-offers")) { text(s("tender.your_offers")) }
                        for offer in offers {
                            tag("p") {
                                text(BillingConsoleController.day(offer.createdAt) + " · " + offer.message)
                                if let price = offer.price { text(" · " + MoneyFormat.display(price, language: ctx.language)) }
                                if offer.acceptedAt != nil { text(" ") ; tag("span", cls("badge ok")) { text(s("tender.accepted_badge")) } }
                            }
                        }
                    }
                }
                tag("section", cls("card"), attr("aria-labelledby", "offer")) {
                    tag("h2", attr("id", "offer")) { text(s("tender.offer_title")) }
                    if !errors.isEmpty {
                        Layout.errorSummary(errors, s, labels: ["message": s("tender.offer_message"), "price": s("tender.offer_price", ["currency": organisation.currency.rawValue]),
                                                                "valid_until": s("tender.offer_valid_until"), "access": s("tender.offer_access")])
                    }
                    postForm(base(organisation.id) + "/tenders/\(tender.id.string)/offers", csrf: ctx.csrf) {
                        textArea("message", label: s("tender.offer_message"), value: values["message"] ?? "", error: error("message"))
                        field("price", label: s("tender.offer_price", ["currency": organisation.currency.rawValue]), value: values["price"] ?? "", error: error("price"),
                              required: false)
                        field("valid_until", label: s("tender.offer_valid_until"), type: "date", value: values["valid_until"] ?? "", error: error("valid_until"), required: false)
                        selectField("access", label: s("tender.offer_access"), options: [("full", s("access.full")), ("limited", s("access.limited"))],
                                    selected: values["access"] ?? "full", error: error("access"))
                        button(s("tender.offer_submit"))
                    }
                }
            }
        }
    }

    func sendOffer(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let id = try tenderID(req)
        let values = ["message": req.formValue("message"), "price": req.formValue("price"), "valid_until": req.formValue("valid_until"), "access": req.formValue("access")]
        do {
            var validUntil: Date? = nil
            if !values[field: "valid_until"].isEmpty {
                guard let day = DateInput.day(values[field: "valid_until"]) else {
                    throw AppError.validation([FieldError("valid_until", .invalidValue)])
                }
                // Valid through the whole day named.
                validUntil = day.addingTimeInterval(86_399)
            }
            _ = try await req.tenders.sendOffer(context, user: user, tender: id, input: OfferInput(message: values[field: "message"], price: values[field: "price"], validUntil: validUntil),
                                                access: values[field: "access"], store: req.store)
        } catch AppError.validation(let errors) {
            return try await tenderView(req, context, id, values: values, errors: errors, status: .unprocessableEntity)
        }
        return .redirect(base(context.organisationID) + "/tenders/\(id.string)", flash: "tender.offer_sent")
    }

    // MARK: directory profile (R-D1)

    func profilePage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try await profileView(req, context, input: nil, errors: [])
    }

    func profileView(_ req: Request, _ context: OrganisationContext, input: DirectoryProfileInput?, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await req.store.organisation(context)
        guard organisation.isPartner else { throw AppError.notFound }
        guard context.role == .legalRepresentative || context.role == .admin else { throw AppError.forbidden("tender.only_representatives") }
        let saved = try await req.store.directoryProfile(organisation.id)
        let current = input ?? DirectoryProfileInput(description: saved?.description ?? "", website: saved?.website ?? "",
                                                     languages: saved.map { $0.languages.map(\.rawValue) } ?? [], regions: saved.map { $0.regions.map(\.rawValue) } ?? [],
                                                     specialties: saved.map { Array($0.specialties) } ?? [], published: saved?.published ?? false)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories())
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        return Layout.page(s("directory.profile_title"), ctx, status: status) {
            tag("h1") { text(s("directory.profile_title")) }
            tag("p") { text(s("directory.profile_help")) }
            if saved?.published == true { tag("p") { link(s("directory.view_public"), "/directory/\(organisation.id.string)") } }
            if !errors.isEmpty {
                Layout.errorSummary(errors, s, labels: ["description": s("directory.description"), "website": s("program.website"), "languages": s("directory.languages"),
                                                        "regions": s("directory.regions"), "specialties": s("directory.specialties")])
            }
            postForm(base(organisation.id) + "/directory-profile", csrf: ctx.csrf) {
                textArea("description", label: s("directory.description"), value: current.description, error: error("description"))
                field("website", label: s("program.website"), type: "url", value: current.website, error: error("website"), hint: s("program.website_hint"))
                checkboxGroup("language", legend: s("directory.languages"), options: options.languageOptions, selected: Set(current.languages), error: error("languages"))
                checkboxGroup("region", legend: s("directory.regions"), options: options.regionOptions, selected: Set(current.regions), error: error("regions"))
                checkboxGroup("specialty", legend: s("directory.specialties"), options: options.categoryOptions, selected: Set(current.specialties), error: error("specialties"))
                checkbox("published", value: "yes", label: s("directory.published"), checked: current.published, error: nil)
                button(s("directory.save"))
            }
        }
    }

    func saveProfile(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let user = try req.requireUser()
        let categories = try await req.store.tenderCategories().map(\.key)
        let input = DirectoryProfileInput(description: req.formValue("description"), website: req.formValue("website"),
                                          languages: req.checked("language", among: TenderLanguage.allCases.map(\.rawValue)),
                                          regions: req.checked("region", among: TenderRegion.allCases.map(\.rawValue)),
                                          specialties: req.checked("specialty", among: categories), published: req.formValue("published") == "yes")
        do {
            try await req.directory.save(context, user: user, input: input, store: req.store)
        } catch AppError.validation(let errors) {
            return try await profileView(req, context, input: input, errors: errors, status: .unprocessableEntity)
        }
        return .redirect(base(context.organisationID) + "/directory-profile", flash: "directory.saved")
    }
}
