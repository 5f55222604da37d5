import Foundation
import PartnerCore
import PartnerStore
import Vapor

// MARK: request and response bodies (snake_case on the wire)

struct ApplicationRequest: Content { var registerId: String; var website: String; var acceptTermsVersion: String?; var commitToMinimumVolume: Bool? }
struct ApplicationJSON: Content {
    var id: String; var organisationId: String; var organisationName: String; var registerId: String; var registerKind: String; var registerStatus: String
    var website: String; var termsVersion: String; var termsAcceptedAt: Date; var status: String; var reason: String?; var decidedAt: Date?; var createdAt: Date
    init(_ a: PartnerApplication) {
        id = a.id.string; organisationId = a.organisationID.string; organisationName = a.organisationName; registerId = a.registerID; registerKind = a.registerKind
        registerStatus = a.registerStatus.rawValue; website = a.website; termsVersion = a.termsVersion; termsAcceptedAt = a.termsAcceptedAt; status = a.status.rawValue
        reason = a.reason; decidedAt = a.decidedAt; createdAt = a.createdAt
    }
}
struct ResellerTermsJSON: Content { var version: String; var points: [String] }
struct RejectRequest: Content { var reason: String }
struct StandingJSON: Content {
    var organisationId: String; var name: String; var approvedAt: Date; var volume: Int64; var minimum: Int64; var currency: String; var belowMinimum: Bool
}
struct TenderCategoryJSON: Content { var key: String; var nameDe: String; var nameEn: String; var nameFr: String; var position: Int; var active: Bool }
struct TenderRequest: Content {
    var title: String; var description: String; var categories: [String]; var region: String; var language: String; var budget: String?
    var contactName: String; var contactEmail: String; var contactPhone: String?; var contactOrganisation: String?
}
struct TenderCreatedJSON: Content { var id: String; var status: String }
/// The partner's view: the excerpt always, the full text and contact only while it is open (R-T3).
struct TenderJSON: Content {
    var id: String; var title: String; var categories: [String]; var region: String; var language: String; var budget: String
    var excerpt: String; var available: Bool; var createdAt: Date
    var description: String?; var contactName: String?; var contactEmail: String?; var contactPhone: String?; var contactOrganisation: String?
    var matchedAt: Date?; var seenAt: Date?; var offered: Bool?
    init(_ t: Tender, available: Bool, full: Bool) {
        let excerpt = TenderRules.excerpt(t)
        id = t.id.string; title = t.title; categories = excerpt.categories; region = t.region.rawValue; language = t.language.rawValue; budget = t.budget.rawValue
        self.excerpt = available ? excerpt.text : ""; self.available = available; createdAt = t.createdAt
        if full && available {
            description = t.description; contactName = t.contact.name; contactEmail = t.contact.email.value
            contactPhone = t.contact.phone; contactOrganisation = t.contact.organisation
        }
    }
}
struct OfferRequest: Content { var message: String; var price: String?; var validUntil: Date?; var access: String? }
struct OfferJSON: Content {
    var id: String; var partnerId: String; var partnerName: String; var message: String; var price: Int64?; var currency: String?; var validUntil: Date?
    var access: String; var createdAt: Date; var acceptedAt: Date?; var partnershipId: String?
    init(_ o: TenderOffer) {
        id = o.id.string; partnerId = o.partnerID.string; partnerName = o.partnerName; message = o.message; price = o.price?.minorUnits
        currency = o.price?.currency.rawValue; validUntil = o.validUntil; access = o.requestedAccess.rawValue; createdAt = o.createdAt
        acceptedAt = o.acceptedAt; partnershipId = o.partnershipID?.string
    }
}
struct ContactTenderJSON: Content {
    var id: String; var title: String; var description: String; var categories: [String]; var region: String; var language: String; var budget: String
    var createdAt: Date; var available: Bool; var offers: [OfferJSON]
}
struct SubscriptionJSON: Content { var categories: [String]; var regions: [String]; var languages: [String] }
struct DirectoryProfileJSON: Content {
    var organisationId: String; var name: String; var description: String; var website: String; var languages: [String]; var regions: [String]
    var specialties: [String]; var published: Bool; var registerVerified: Bool
    init(_ p: DirectoryProfile) {
        organisationId = p.organisationID.string; name = p.name; description = p.description; website = p.website
        languages = p.languages.map(\.rawValue).sorted(); regions = p.regions.map(\.rawValue).sorted(); specialties = p.specialties.sorted()
        published = p.published; registerVerified = p.registerVerified
    }
}
struct DirectoryPageJSON: Content { var items: [DirectoryProfileJSON]; var page: Int; var pages: Int; var total: Int }
struct DirectoryProfileRequest: Content {
    var description: String; var website: String; var languages: [String]; var regions: [String]; var specialties: [String]?; var published: Bool
}
struct PartnershipCreatedJSON: Content { var partnershipId: String }

/// The program through the API (issue #5), the same services as the console: applications
/// (R-E1 … R-E4), the provider's queue and partner list (R-E2, R-E3), tenders (R-T1 … R-T5) and
/// the directory (R-D1). Public routes need no token; the contact's routes take the token from
/// their e-mail; tenant routes answer 404 outside one's organisations.
struct ProgramAPIController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.get("reseller-terms", use: terms).named(.visitPublic)
        v1.get("organisations", ":org", "partner-applications", use: applications).named(.seeOrganisation)
        v1.post("organisations", ":org", "partner-applications", use: apply).named(.applyForProgram)
        v1.get("provider", "applications", use: queue).named(.administerProgram)
        v1.post("provider", "applications", ":application", "approve", use: approve).named(.administerProgram)
        v1.post("provider", "applications", ":application", "reject", use: reject).named(.administerProgram)
        v1.get("provider", "partners", use: standings).named(.administerProgram)
        v1.put("provider", "tender-categories", ":key", use: saveCategory).named(.administerProgram)
        v1.get("tender-categories", use: categories).named(.visitPublic)
        v1.post("tenders", use: submit).named(.visitPublic)
        v1.get("tenders", "manage", ":token", use: contactView).named(.followSecretLink)
        v1.delete("tenders", "manage", ":token", use: delete).named(.followSecretLink)
        v1.post("tenders", "manage", ":token", "offers", ":offer", "accept", use: accept).named(.followSecretLink)
        v1.get("organisations", ":org", "tender-subscription", use: subscription).named(.runPartnerBusiness)
        v1.put("organisations", ":org", "tender-subscription", use: saveSubscription).named(.runPartnerBusiness)
        v1.get("organisations", ":org", "tenders", use: tenders).named(.runPartnerBusiness)
        v1.get("organisations", ":org", "tenders", ":tender", use: tender).named(.runPartnerBusiness)
        v1.post("organisations", ":org", "tenders", ":tender", "offers", use: offer).named(.runPartnerBusiness)
        v1.get("directory", use: directory).named(.visitPublic)
        v1.get("directory", ":org", use: directoryProfile).named(.visitPublic)
        v1.post("directory", ":org", "offer-requests", use: requestOffer).named(.visitPublic)
        v1.get("organisations", ":org", "directory-profile", use: ownProfile).named(.runPartnerBusiness)
        v1.put("organisations", ":org", "directory-profile", use: saveProfile).named(.runPartnerBusiness)
    }

    // MARK: applying

    func terms(req: Request) async throws -> Response {
        try api.json(ResellerTermsJSON(version: ResellerTerms.currentVersion, points: ResellerTerms.points.map { Strings(language: req.language)($0) }))
    }

    func applications(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        return try api.list(req, try await req.store.applications(of: context.organisationID).map(ApplicationJSON.init), descending: true) {
            [PageRequest.sortableTime($0.createdAt), $0.id]
        }
    }

    func apply(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, ApplicationRequest.self)
        let id = try await req.program.apply(context, user: try req.requireUser(),
                                             input: ApplicationInput(registerID: input.registerId, website: input.website, acceptedTermsVersion: input.acceptTermsVersion,
                                                                     commitsToMinimumVolume: input.commitToMinimumVolume ?? false), store: req.store)
        guard let application = try await req.store.application(id) else { throw AppError.notFound }
        return try api.json(ApplicationJSON(application), .created)
    }

    // MARK: the provider's side


    func queue(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        let raw = (try? req.query.get(String.self, at: "status")) ?? "pending"
        guard raw == "all" || ApplicationStatus(rawValue: raw) != nil else { throw AppError.validation([FieldError("status", .invalidValue)]) }
        let paging = try PageRequest(req)
        let rows = try await req.store.applications(status: ApplicationStatus(rawValue: raw), limit: paging.limit + 1, after: try paging.timeKey)
        return try paging.respond(req, paging.page(rows) { [PageRequest.timeField($0.createdAt), $0.id.string] }) { try api.json($0.map(ApplicationJSON.init)) }
    }

    func applicationID(_ req: Request) throws -> ApplicationID { try api.param(req, "application", ApplicationID.init(string:)) }

    func approve(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let id = try applicationID(req)
        let rates = try ProviderAPIController.rates(try api.body(req, PartnerRatesJSON.self).rates)
        try await req.program.approve(staff: staff, application: id, rates: rates, store: req.store)
        guard let decided = try await req.store.application(id) else { throw AppError.notFound }
        return try api.json(ApplicationJSON(decided))
    }

    func reject(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let id = try applicationID(req)
        try await req.program.reject(staff: staff, application: id, reason: try api.body(req, RejectRequest.self).reason, store: req.store)
        guard let decided = try await req.store.application(id) else { throw AppError.notFound }
        return try api.json(ApplicationJSON(decided))
    }

    func standings(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try api.list(req, try await req.program.standings(store: req.store).map {
            StandingJSON(organisationId: $0.standing.organisation.id.string, name: $0.standing.organisation.name, approvedAt: $0.standing.approvedAt,
                         volume: $0.volume.minorUnits, minimum: $0.minimum.minorUnits, currency: $0.volume.currency.rawValue, belowMinimum: $0.belowMinimum)
        }) { [$0.name.lowercased(), $0.organisationId] }
    }

    func categoryJSON(_ c: TenderCategory) -> TenderCategoryJSON {
        TenderCategoryJSON(key: c.key, nameDe: c.name(.de), nameEn: c.name(.en), nameFr: c.name(.fr), position: c.position, active: c.active)
    }

    func saveCategory(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let input = try api.body(req, TenderCategoryJSON.self)
        let key = req.parameters.get("key") ?? ""
        if input.key != key { throw AppError.validation([FieldError("key", .mismatch)]) }
        try await req.program.saveTenderCategory(staff: staff, key: key, names: [.de: input.nameDe, .en: input.nameEn, .fr: input.nameFr], position: input.position,
                                                 active: input.active, store: req.store)
        return try api.json(try await req.store.tenderCategories(includingInactive: true).map(categoryJSON))
    }

    // MARK: tenders, public and the contact's

    func categories(req: Request) async throws -> Response {
        try api.list(req, try await req.store.tenderCategories().map(categoryJSON)) { [String(format: "%010d", $0.position), $0.key] }
    }

    func tenderInput(_ t: TenderRequest) -> TenderInput {
        TenderInput(title: t.title, description: t.description, categories: t.categories, region: t.region, language: t.language, budget: t.budget ?? "",
                    contactName: t.contactName, contactEmail: t.contactEmail, contactPhone: t.contactPhone ?? "", contactOrganisation: t.contactOrganisation ?? "")
    }

    /// R-T1: anyone, with or without a token; rate-limited per IP and e-mail (429 with Retry-After).
    func submit(req: Request) async throws -> Response {
        let input = try api.body(req, TenderRequest.self)
        let id = try await req.tenders.submit(tenderInput(input), language: req.language, user: req.identity?.user, ip: req.clientIP, store: req.store)
        return try api.json(TenderCreatedJSON(id: id.string, status: "submitted"), .created)
    }

    func contactView(req: Request) async throws -> Response {
        let (stored, offers) = try await req.tenders.contactView(token: req.parameters.get("token") ?? "", store: req.store)
        let t = stored.tender
        return try api.json(ContactTenderJSON(id: t.id.string, title: t.title, description: t.description, categories: t.categories.sorted(), region: t.region.rawValue,
                                              language: t.language.rawValue, budget: t.budget.rawValue, createdAt: t.createdAt,
                                              available: TenderRules.isAvailable(t, now: req.partnerHub.configuration.clock.now()), offers: offers.map(OfferJSON.init)))
    }

    func delete(req: Request) async throws -> Response {
        try await req.tenders.delete(token: req.parameters.get("token") ?? "", store: req.store)
        return Response(status: .noContent)
    }

    func accept(req: Request) async throws -> Response {
        let offer = try api.param(req, "offer", OfferID.init(string:))
        let partnership = try await req.tenders.acceptOffer(token: req.parameters.get("token") ?? "", offer: offer, store: req.store)
        return try api.json(PartnershipCreatedJSON(partnershipId: partnership.string), .created)
    }

    // MARK: the partner's side

    func subscription(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        _ = try await req.tenders.requirePartner(context, store: req.store)
        let s = try await req.store.tenderSubscription(context.organisationID)
        return try api.json(SubscriptionJSON(categories: s.categories.sorted(), regions: s.regions.map(\.rawValue).sorted(), languages: s.languages.map(\.rawValue).sorted()))
    }

    func saveSubscription(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, SubscriptionJSON.self)
        try await req.tenders.setSubscription(context, user: try req.requireUser(), categories: input.categories, regions: input.regions, languages: input.languages,
                                              store: req.store)
        return try await subscription(req: req)
    }

    func tenders(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        _ = try await req.tenders.requirePartner(context, store: req.store)
        let now = req.partnerHub.configuration.clock.now()
        let paging = try PageRequest(req)
        let matches = try await req.store.tenderMatches(context.organisationID, limit: paging.limit + 1, after: try paging.timeKey)
        return try paging.respond(req, paging.page(matches) { [PageRequest.timeField($0.matchedAt), $0.tender.tender.id.string] }) { rows in
            try api.json(rows.map { match in
                var json = TenderJSON(match.tender.tender, available: TenderRules.isAvailable(match.tender.tender, now: now), full: false)
                json.matchedAt = match.matchedAt; json.seenAt = match.seenAt; json.offered = match.offered
                return json
            })
        }
    }

    /// R-T3: opening records the view; a tender no longer available answers 410 without contact.
    func tender(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try api.param(req, "tender", TenderID.init(string:))
        switch try await req.tenders.open(context, user: try req.requireUser(), tender: id, store: req.store) {
        case .available(let stored, _): return try api.json(TenderJSON(stored.tender, available: true, full: true))
        case .noLongerAvailable: throw AppError.gone("tender.no_longer_available")
        }
    }

    func offer(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let id = try api.param(req, "tender", TenderID.init(string:))
        let input = try api.body(req, OfferRequest.self)
        let offerID = try await req.tenders.sendOffer(context, user: try req.requireUser(), tender: id,
                                                      input: OfferInput(message: input.message, price: input.price ?? "", validUntil: input.validUntil),
                                                      access: input.access ?? "", store: req.store)
        guard let offer = try await req.store.offers(tender: id, partner: context.organisationID).first(where: { $0.id == offerID }) else { throw AppError.notFound }
        return try api.json(OfferJSON(offer), .created)
    }

    // MARK: the directory

    func directory(req: Request) async throws -> Response {
        func query(_ name: String) -> String? { (try? req.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
        var errors = ValidationErrors()
        let region = query("region").map { TenderRegion(rawValue: $0) }, language = query("language").map { TenderLanguage(rawValue: $0) }
        if case .some(.none) = region { errors.add("region", .invalidValue) }
        if case .some(.none) = language { errors.add("language", .invalidValue) }
        let page = query("page").map { ASCIIDecimal.parse($0, maxDigits: 9).map(Int.init) } ?? 1
        if (page ?? 0) < 1 { errors.add("page", .invalidValue) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        guard let page else { throw AppError.validation([FieldError("page", .invalidValue)]) }
        let result = try await req.directory.search(DirectoryFilter(region: region ?? nil, language: language ?? nil, specialty: query("specialty")), page: page,
                                                    store: req.store)
        return try api.json(DirectoryPageJSON(items: result.profiles.map(DirectoryProfileJSON.init), page: result.page, pages: result.pages, total: result.total))
    }

    func directoryProfile(req: Request) async throws -> Response {
        try api.json(DirectoryProfileJSON(try await req.directory.profile(try api.param(req, "org", OrganisationID.init(string:)), store: req.store)))
    }

    /// R-D1: a tender addressed to this partner alone.
    func requestOffer(req: Request) async throws -> Response {
        let profile = try await req.directory.profile(try api.param(req, "org", OrganisationID.init(string:)), store: req.store)
        let input = try api.body(req, TenderRequest.self)
        let id = try await req.tenders.submit(tenderInput(input), language: req.language, addressedTo: profile.organisationID, user: req.identity?.user, ip: req.clientIP,
                                              store: req.store)
        return try api.json(TenderCreatedJSON(id: id.string, status: "submitted"), .created)
    }

    func ownProfile(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let organisation = try await req.store.organisation(context)
        guard organisation.isPartner, let profile = try await req.store.directoryProfile(organisation.id) else { throw AppError.notFound }
        return try api.json(DirectoryProfileJSON(profile))
    }

    func saveProfile(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let input = try api.body(req, DirectoryProfileRequest.self)
        try await req.directory.save(context, user: try req.requireUser(),
                                     input: DirectoryProfileInput(description: input.description, website: input.website, languages: input.languages,
                                                                  regions: input.regions, specialties: input.specialties ?? [], published: input.published), store: req.store)
        return try await ownProfile(req: req)
    }
}
