import Foundation
import PartnerCore
import PartnerStore
import Vapor

struct StaffTokenRequest: Content { var email: String; var password: String; var name: String?; var otp: String?; var expiresInDays: Int? }
struct CatalogueEntryRequest: Content { var period: String; var priceChf: Int64; var priceEur: Int64; var tiered: Bool }
struct TierRequest: Content { var from: Int64; var rateBasisPoints: Int }
struct TiersRequest: Content { var tiers: [TierRequest] }
struct DomainPriceRequest: Content { var listChf: Int64; var listEur: Int64; var preferentialChf: Int64; var preferentialEur: Int64 }
struct RateJSON: Content { var category: String; var rateBasisPoints: Int }
struct PartnerRatesJSON: Content { var rates: [RateJSON] }

/// The provider's API (R-O3): staff sign in for a `phs_` token, program admins edit the
/// catalogue and partners' rates (R-B4) and refund orders (R-B6) — the same flows as the
/// provider console. Customers' tokens get 401 here; support agents 403.
struct ProviderAPIController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let provider = routes.grouped("api", "v1", "provider")
        provider.post("auth", "tokens", use: logIn).named(.openAccount)
        provider.put("catalogue", "products", ":category", use: saveEntry).named(.administerProgram)
        provider.put("catalogue", "tiers", use: saveTiers).named(.administerProgram)
        provider.put("catalogue", "domains", ":extension", use: saveDomain).named(.administerProgram)
        provider.get("partners", ":org", "rates", use: rates).named(.administerProgram)
        provider.put("partners", ":org", "rates", use: saveRates).named(.administerProgram)
        provider.post("orders", ":order", "refund", use: refund).named(.administerProgram)
    }

    func logIn(req: Request) async throws -> Response {
        let input = try api.body(req, StaffTokenRequest.self)
        guard case .staff(let staff) = try await req.accounts.logIn(email: input.email, password: input.password, ip: req.clientIP, staff: true, store: req.store)
        else { throw AppError.unauthorised }
        try await req.partnerHub.twoFactor.requireForToken(.staff(staff.id), otp: input.otp, store: req.store)
        let (info, secret) = try await req.accounts.createStaffAccessToken(staff: staff, name: input.name ?? "API", expiresInDays: input.expiresInDays, store: req.store)
        return try api.json(NewAccessTokenResponse(token: secret, accessToken: AccessTokenResponse(info)), .created)
    }


    func minor(_ value: Int64, _ field: String, _ errors: inout ValidationErrors) -> Int64 {
        if value < 0 || value > 100_000_000 { errors.add(field, .invalidValue) }
        return value
    }

    func saveEntry(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        guard let category = req.parameters.get("category").flatMap(ProductCategory.init(rawValue:)) else { throw AppError.notFound }
        let input = try api.body(req, CatalogueEntryRequest.self)
        var errors = ValidationErrors()
        let period = BillingPeriod(rawValue: input.period)
        if period == nil { errors.add("period", .invalidValue) }
        let chf = minor(input.priceChf, "price_chf", &errors), eur = minor(input.priceEur, "price_eur", &errors)
        guard errors.isEmpty, let period else { throw AppError.validation(errors.errors) }
        try await req.provider.setCatalogueEntry(staff: staff, PriceListEntry(category: category, period: period, prices: Store.prices(chf, eur), tiered: input.tiered),
                                                 store: req.store)
        return try await BillingAPIController().catalogue(req: req)
    }

    func saveTiers(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let input = try api.body(req, TiersRequest.self)
        guard input.tiers.count <= 20 else { throw AppError.validation([FieldError("tiers", .tooLong)]) }
        var tiers: [Tier] = []
        for (index, tier) in input.tiers.enumerated() {
            guard let rate = BasisPoints(checked: tier.rateBasisPoints) else { throw AppError.validation([FieldError("tiers.\(index).rate_basis_points", .invalidValue)]) }
            tiers.append(Tier(from: tier.from, rate: rate))
        }
        try await req.provider.setTiers(staff: staff, tiers, store: req.store)
        return try await BillingAPIController().catalogue(req: req)
    }

    func saveDomain(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        guard let ext = req.parameters.get("extension").flatMap(ProviderService.domainExtension) else { throw AppError.validation([FieldError("extension", .invalidValue)]) }
        let input = try api.body(req, DomainPriceRequest.self)
        var errors = ValidationErrors()
        let values = [minor(input.listChf, "list_chf", &errors), minor(input.listEur, "list_eur", &errors),
                      minor(input.preferentialChf, "preferential_chf", &errors), minor(input.preferentialEur, "preferential_eur", &errors)]
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        try await req.provider.setDomainPrice(staff: staff, DomainPrice(extensionName: ext, list: Store.prices(values[0], values[1]),
                                                                        preferential: Store.prices(values[2], values[3])), store: req.store)
        return try await BillingAPIController().catalogue(req: req)
    }

    func partner(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("org").flatMap(OrganisationID.init(string:)), let organisation = try await req.store.organisation(id: id),
              organisation.isPartner else { throw AppError.notFound }
        return organisation
    }

    /// A rates body as basis points per category, each named when it is no category (or twice)
    /// or no rate; the 35 % ceiling is the service's (ProviderService.rateErrors).
    static func rates(_ input: [RateJSON]) throws -> [ProductCategory: BasisPoints] {
        var rates: [ProductCategory: BasisPoints] = [:]
        var errors = ValidationErrors()
        for (index, rate) in input.enumerated() {
            guard let category = ProductCategory(rawValue: rate.category), category != .domain, rates[category] == nil else {
                errors.add("rates.\(index).category", .invalidValue)
                continue
            }
            guard let basisPoints = BasisPoints(checked: rate.rateBasisPoints) else { errors.add("rate_\(category.rawValue)", .invalidValue); continue }
            rates[category] = basisPoints
        }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        return rates
    }

    func ratesJSON(_ rates: PartnerRates) -> PartnerRatesJSON {
        PartnerRatesJSON(rates: ProductCategory.allCases.filter { $0 != .domain }.map { RateJSON(category: $0.rawValue, rateBasisPoints: rates.rate($0).value) })
    }

    func rates(req: Request) async throws -> Response {
        _ = try req.requireProgramAdmin()
        return try api.json(ratesJSON(try await req.store.partnerRates(try await partner(req).id)))
    }

    /// R-B4: set some or all of a partner's rates (≤ 3500 basis points each).
    func saveRates(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let organisation = try await partner(req)
        let rates = try Self.rates(try api.body(req, PartnerRatesJSON.self).rates)
        try await req.provider.setPartnerRates(staff: staff, partner: organisation.id, rates, store: req.store)
        return try api.json(ratesJSON(try await req.store.partnerRates(organisation.id)))
    }

    /// R-B6 corrections: a credit note mirroring the invoice, all or nothing (see `BillingService.refund`).
    func refund(req: Request) async throws -> Response {
        let staff = try req.requireProgramAdmin()
        let id = try api.param(req, "order", OrderID.init(string:))
        let note = try await req.billing.refund(id, staff: staff, store: req.store)
        return try api.json(InvoiceJSON(note), .created)
    }
}
