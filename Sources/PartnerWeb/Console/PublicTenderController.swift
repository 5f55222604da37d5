import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The public side of the marketplace, no account needed: posting a tender (R-T1), the
/// contact's page reached from their e-mails with every offer, accepting one and deleting the
/// tender (R-T4, R-T5), and the partner directory with its requests for an offer (R-D1).
struct PublicTenderController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("tenders", "new", use: newPage).named(.visitPublic)
        routes.post("tenders", "new", use: submit).named(.visitPublic)
        routes.get("tenders", "submitted", use: submitted).named(.visitPublic)
        routes.get("tenders", "manage", ":token", use: managePage).named(.followSecretLink)
        routes.get("tenders", "manage", ":token", "delete", use: confirmDelete).named(.followSecretLink)
        routes.post("tenders", "manage", ":token", "delete", use: delete).named(.followSecretLink)
        routes.post("tenders", "manage", ":token", "offers", ":offer", "accept", use: accept).named(.followSecretLink)
        routes.get("directory", use: directory).named(.visitPublic)
        routes.get("directory", ":org", use: profile).named(.visitPublic)
    }

    // MARK: posting (R-T1)

    static let fields = ["title", "description", "region", "language", "budget", "contact_name", "contact_email", "contact_phone", "contact_organisation", "partner"]

    func newPage(req: Request) async throws -> Response {
        var values: [String: String] = [:]
        if let user = req.identity?.user {
            values["contact_name"] = user.name
            values["contact_email"] = user.email.value
        }
        values["language"] = req.language.rawValue
        values["partner"] = (try? req.query.get(String.self, at: "partner")) ?? ""
        return try await formView(req, values: values, categories: [], errors: [], message: nil)
    }

    /// The addressed partner of a directory request, if the form names one that is listed.
    func addressed(_ req: Request, _ raw: String?) async throws -> DirectoryProfile? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let id = OrganisationID(string: raw) else { throw AppError.notFound }
        return try await req.directory.profile(id, store: req.store)
    }

    func formView(_ req: Request, values: [String: String], categories selected: [String], errors: [FieldError], message: String?,
                  status: HTTPResponseStatus = .ok) async throws -> Response {
        let partner = try await addressed(req, values["partner"])
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories())
        func error(_ field: String) -> String? { errors.first { $0.field == field }.map { s.fieldError($0) } }
        let labels = ["title": s("tender.title"), "description": s("tender.description"), "categories": s("tender.categories"), "region": s("tender.region"),
                      "language": s("tender.language"), "budget": s("tender.budget"), "contact_name": s("tender.contact_name"),
                      "contact_email": s("tender.contact_email"), "contact_phone": s("tender.contact_phone"), "contact_organisation": s("tender.contact_organisation")]
        return Layout.page(partner == nil ? s("tender.new_title") : s("directory.request_offer"), ctx, status: status) {
            tag("h1") { text(partner.map { s("directory.request_offer") + " · " + $0.name } ?? s("tender.new_title")) }
            tag("p") { text(partner.map { s("tender.addressed_intro", ["partner": $0.name]) } ?? s("tender.new_intro")) }
            if let message { tag("p", cls("error-summary"), attr("role", "alert")) { text(message) } }
            if !errors.isEmpty { Layout.errorSummary(errors, s, labels: labels) }
            postForm("/tenders/new", csrf: ctx.csrf) {
                if let partner { hidden("partner", partner.organisationID.string) }
                field("title", label: labels[field: "title"], value: values["title"] ?? "", error: error("title"))
                textArea("description", label: labels[field: "description"], value: values["description"] ?? "", error: error("description"), rows: 8)
                checkboxGroup("category", legend: labels[field: "categories"], options: options.categoryOptions, selected: Set(selected), error: error("categories"))
                selectField("region", label: labels[field: "region"], options: [("", "–")] + options.regionOptions, selected: values["region"] ?? "", error: error("region"))
                selectField("language", label: labels[field: "language"], options: options.languageOptions, selected: values["language"] ?? "", error: error("language"))
                selectField("budget", label: labels[field: "budget"], options: options.budgetOptions, selected: values["budget"] ?? "open", error: error("budget"))
                tag("fieldset", cls("field")) {
                    tag("legend") { text(s("tender.contact")) }
                    field("contact_name", label: labels[field: "contact_name"], value: values["contact_name"] ?? "", error: error("contact_name"), autocomplete: "name")
                    field("contact_email", label: labels[field: "contact_email"], type: "email", value: values["contact_email"] ?? "", error: error("contact_email"), autocomplete: "email")
                    field("contact_phone", label: labels[field: "contact_phone"], type: "tel", value: values["contact_phone"] ?? "", error: error("contact_phone"),
                          required: false, autocomplete: "tel")
                    field("contact_organisation", label: labels[field: "contact_organisation"], value: values["contact_organisation"] ?? "",
                          error: error("contact_organisation"), required: false, autocomplete: "organization")
                }
                button(s("tender.submit"))
            }
        }
    }

    func submit(req: Request) async throws -> Response {
        var values: [String: String] = [:]
        for name in Self.fields { values[name] = req.formValue(name) }
        let categories = req.checked("category", among: try await req.store.tenderCategories().map(\.key))
        let input = TenderInput(title: values[field: "title"], description: values[field: "description"], categories: categories, region: values[field: "region"],
                                language: values[field: "language"], budget: values[field: "budget"], contactName: values[field: "contact_name"],
                                contactEmail: values[field: "contact_email"], contactPhone: values[field: "contact_phone"], contactOrganisation: values[field: "contact_organisation"])
        do {
            let partner = try await addressed(req, values["partner"])
            _ = try await req.tenders.submit(input, language: req.language, addressedTo: partner?.organisationID, user: req.identity?.user, ip: req.clientIP, store: req.store)
        } catch AppError.validation(let errors) {
            return try await formView(req, values: values, categories: categories, errors: errors, message: nil, status: .unprocessableEntity)
        } catch AppError.tooManyRequests(let seconds) {
            let minutes = String(max(1, (seconds + 59) / 60))
            return try await formView(req, values: values, categories: categories, errors: [], message: req.strings("tender.too_many", ["minutes": minutes]),
                                      status: .tooManyRequests)
        }
        return .redirect("/tenders/submitted")
    }

    func submitted(req: Request) async throws -> Response {
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("tender.submitted_title"), ctx) {
            tag("h1") { text(s("tender.submitted_title")) }
            tag("p", attr("role", "status")) { text(s("tender.submitted")) }
            tag("p") { link(s("nav.directory"), "/directory") }
        }
    }

    // MARK: the contact's page (R-T4, R-T5)

    func token(_ req: Request) -> String { req.parameters.get("token") ?? "" }

    /// A deleted tender's page says so (410) and shows nothing else.
    func gone(_ req: Request, _ key: String) async throws -> Response {
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.page(s("tender.manage_title"), ctx, status: .gone) {
            tag("h1") { text(s("tender.manage_title")) }
            tag("p", attr("role", "status"), attr("id", "tender-gone")) { text(s(key)) }
            tag("p") { link(s("nav.post_tender"), "/tenders/new") }
        }
    }

    func managePage(req: Request) async throws -> Response {
        let token = token(req)
        let stored: StoredTender, offers: [TenderOffer]
        do { (stored, offers) = try await req.tenders.contactView(token: token, store: req.store) } catch AppError.gone(let key) { return try await gone(req, key) }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories(includingInactive: true))
        let tender = stored.tender
        let available = TenderRules.isAvailable(tender, now: req.partnerHub.configuration.clock.now())
        return Layout.page(s("tender.manage_title"), ctx) {
            tag("h1") { text(tender.title) }
            tag("p", cls("muted")) {
                text(options.categoryNames(tender.categories) + " · " + s("region.\(tender.region.rawValue)") + " · " + s("tlang.\(tender.language.rawValue)")
                     + " · " + BillingConsoleController.day(tender.createdAt))
            }
            if !available { tag("p", cls("empty"), attr("role", "status")) { text(s("tender.no_longer_available")) } }
            tag("div", cls("card tender-description")) {
                for paragraph in tender.description.split(separator: "\n", omittingEmptySubsequences: true) { tag("p") { text(String(paragraph)) } }
            }
            tag("h2") { text(s("tender.offers")) }
            if offers.isEmpty {
                tag("p", cls("empty")) { text(s("tender.offers_empty")) }
            } else {
                tag("ul", cls("offers"), attr("id", "offers")) {
                    for offer in offers {
                        tag("li", cls("card")) {
                            tag("h3") { text(offer.partnerName) }
                            tag("p") { text(offer.message) }
                            tag("p", cls("muted")) { text(offerFacts(offer, s, ctx.language)) }
                            if offer.acceptedAt != nil {
                                tag("span", cls("badge ok")) { text(s("tender.accepted_badge")) }
                            } else {
                                postForm("/tenders/manage/\(token)/offers/\(offer.id.string)/accept", csrf: ctx.csrf, classes: "inline") { button(s("tender.accept")) }
                            }
                        }
                    }
                }
            }
            tag("p") { link(s("tender.delete"), "/tenders/manage/\(token)/delete", classes: "button danger") }
        }
    }

    func offerFacts(_ offer: TenderOffer, _ s: Strings, _ language: Language) -> String {
        var facts = [BillingConsoleController.day(offer.createdAt)]
        if let price = offer.price { facts.append(MoneyFormat.display(price, language: language)) }
        if let until = offer.validUntil { facts.append(s("tender.offer_valid_until") + ": " + BillingConsoleController.day(until)) }
        facts.append(s("access.\(offer.requestedAccess.rawValue)"))
        return facts.joined(separator: " · ")
    }

    func confirmDelete(req: Request) async throws -> Response {
        let stored = try await req.tenders.byLink(token(req), store: req.store)
        if stored.tender.deletedAt != nil { return try await gone(req, "tender.already_deleted") }
        let ctx = try await req.pageContext()
        let s = ctx.strings
        return Layout.confirmation(ctx, title: s("tender.delete") + ": " + stored.tender.title, consequence: s("tender.delete_consequence"),
                                   action: "/tenders/manage/\(token(req))/delete", confirmLabel: s("tender.delete"), cancel: "/tenders/manage/\(token(req))")
    }

    func delete(req: Request) async throws -> Response {
        do { try await req.tenders.delete(token: token(req), store: req.store) } catch AppError.gone(let key) { return try await gone(req, key) }
        return try await gone(req, "tender.deleted_now")
    }

    func accept(req: Request) async throws -> Response {
        guard let offer = req.parameters.get("offer").flatMap(OfferID.init(string:)) else { throw AppError.notFound }
        do { _ = try await req.tenders.acceptOffer(token: token(req), offer: offer, store: req.store) } catch AppError.gone(let key) { return try await gone(req, key) }
        return .redirect("/tenders/manage/\(token(req))", flash: "tender.accepted")
    }

    // MARK: the directory (R-D1)

    func filter(_ req: Request) -> DirectoryFilter {
        func query(_ name: String) -> String? { (try? req.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
        return DirectoryFilter(region: query("region").flatMap(TenderRegion.init(rawValue:)), language: query("language").flatMap(TenderLanguage.init(rawValue:)),
                               specialty: query("specialty"))
    }

    func directory(req: Request) async throws -> Response {
        let filter = filter(req)
        let page = try await req.directory.search(filter, page: (try? req.query.get(Int.self, at: "page")) ?? 1, store: req.store)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories())
        func pageLink(_ number: Int) -> String {
            var parts: [String] = []
            if let region = filter.region { parts.append("region=\(region.rawValue)") }
            if let language = filter.language { parts.append("language=\(language.rawValue)") }
            if let specialty = filter.specialty, let encoded = specialty.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { parts.append("specialty=\(encoded)") }
            parts.append("page=\(number)")
            return "/directory?" + parts.joined(separator: "&")
        }
        return Layout.page(s("directory.title"), ctx) {
            tag("h1") { text(s("directory.title")) }
            tag("p") { text(s("directory.intro")) }
            tag("form", attr("method", "get"), attr("action", "/directory"), cls("form inline-fields"), attr("role", "search")) {
                selectField("region", label: s("tender.region"), options: [("", s("directory.any"))] + options.regionOptions, selected: filter.region?.rawValue ?? "")
                selectField("language", label: s("tender.language"), options: [("", s("directory.any"))] + options.languageOptions, selected: filter.language?.rawValue ?? "")
                selectField("specialty", label: s("directory.specialty"), options: [("", s("directory.any"))] + options.categoryOptions, selected: filter.specialty ?? "")
                button(s("directory.search"), style: "secondary")
            }
            tag("p", cls("muted"), attr("role", "status")) { text(s("directory.results", ["count": String(page.total)])) }
            if page.profiles.isEmpty {
                tag("p", cls("empty")) { text(s("directory.empty")) }
                tag("p") { link(s("nav.post_tender"), "/tenders/new", classes: "button secondary") }
            } else {
                tag("ul", cls("directory"), attr("id", "directory")) {
                    for profile in page.profiles {
                        tag("li", cls("card")) {
                            tag("h2") {
                                link(profile.name, "/directory/\(profile.organisationID.string)")
                                if profile.registerVerified { text(" ") ; tag("span", cls("badge ok")) { text("✓ " + s("directory.verified")) } }
                            }
                            tag("p") { text(String(profile.description.prefix(240))) }
                            tag("p", cls("muted")) {
                                text(profile.regions.map { s("region.\($0.rawValue)") }.sorted().joined(separator: ", ") + " · "
                                     + profile.languages.map { s("tlang.\($0.rawValue)") }.sorted().joined(separator: ", "))
                            }
                        }
                    }
                }
                if page.pages > 1 {
                    tag("nav", cls("pagination"), attr("aria-label", s("directory.page", ["page": String(page.page), "pages": String(page.pages)]))) {
                        if page.page > 1 { link(s("directory.previous"), pageLink(page.page - 1)) }
                        tag("span") { text(" " + s("directory.page", ["page": String(page.page), "pages": String(page.pages)]) + " ") }
                        if page.page < page.pages { link(s("directory.next"), pageLink(page.page + 1)) }
                    }
                }
            }
        }
    }

    func profile(req: Request) async throws -> Response {
        guard let id = req.parameters.get("org").flatMap(OrganisationID.init(string:)) else { throw AppError.notFound }
        let profile = try await req.directory.profile(id, store: req.store)
        let ctx = try await req.pageContext()
        let s = ctx.strings
        let options = ProgramOptions(s: s, categories: try await req.store.tenderCategories(includingInactive: true))
        return Layout.page(profile.name, ctx) {
            tag("p") { link("← " + s("directory.title"), "/directory") }
            tag("h1") {
                text(profile.name)
                if profile.registerVerified { text(" ") ; tag("span", cls("badge ok"), attr("id", "verified")) { text("✓ " + s("directory.verified")) } }
            }
            for paragraph in profile.description.split(separator: "\n", omittingEmptySubsequences: true) { tag("p") { text(String(paragraph)) } }
            tag("dl", cls("facts")) {
                tag("dt") { text(s("program.website")) } ; tag("dd") { tag("a", attr("href", profile.website), attr("rel", "nofollow noopener")) { text(profile.website) } }
                tag("dt") { text(s("directory.regions")) } ; tag("dd") { text(profile.regions.map { s("region.\($0.rawValue)") }.sorted().joined(separator: ", ")) }
                tag("dt") { text(s("directory.languages")) } ; tag("dd") { text(profile.languages.map { s("tlang.\($0.rawValue)") }.sorted().joined(separator: ", ")) }
                if !profile.specialties.isEmpty { tag("dt") { text(s("directory.specialties")) } ; tag("dd") { text(options.categoryNames(profile.specialties)) } }
            }
            tag("p") { link(s("directory.request_offer"), "/tenders/new?partner=\(profile.organisationID.string)", classes: "button primary") }
        }
    }
}
