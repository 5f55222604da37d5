import Foundation
import PartnerCore
import PartnerStore

/// The provider's own side (R-O3): program admins edit the catalogue and partners' rates
/// (R-B4). The console's forms and the API call the same flows; the rules are PartnerCore's;
/// every change is one transaction with its audit event (R-B10), and every catalogue edit bumps
/// the version so quotes made before it no longer confirm.
struct ProviderService: Sendable {
    let clock: any Clock

    static func requireProgramAdmin(_ staff: StaffMember) throws {
        guard staff.role == .programAdmin else { throw AppError.forbidden("error.not_allowed") }
    }

    func audit(_ tx: Store, _ staff: StaffMember, organisation: String = "", action: String, target: String, details: String, now: Date) async throws {
        try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: organisation, action: action, target: target, details: details), now: now)
    }

    // MARK: catalogue (R-B4)

    @discardableResult
    func setCatalogueEntry(staff: StaffMember, _ entry: PriceListEntry, store: Store) async throws -> Int {
        try Self.requireProgramAdmin(staff)
        if PriceList.validate(entry: entry) != nil {
            throw AppError.validation([FieldError("\(entry.category.rawValue).price_chf", .invalidValue)])
        }
        let now = clock.now()
        return try await store.write { tx in
            let version = try await tx.setCatalogueEntry(entry)
            try await audit(tx, staff, action: "catalogue.price_changed", target: "category:\(entry.category.rawValue)",
                            details: "{\"chf\":\(try entry.price(in: .chf).minorUnits),\"eur\":\(try entry.price(in: .eur).minorUnits),\"period\":\"\(entry.period.rawValue)\",\"tiered\":\(entry.tiered),\"version\":\(version)}",
                            now: now)
            return version
        }
    }

    @discardableResult
    func setTiers(staff: StaffMember, _ tiers: [Tier], store: Store) async throws -> Int {
        try Self.requireProgramAdmin(staff)
        if PriceList.validate(tiers: tiers) != nil || tiers.contains(where: { $0.rate > BasisPoints(10_000) || $0.rate < .zero }) {
            throw AppError.validation([FieldError("tiers", .invalidValue)])
        }
        let now = clock.now()
        return try await store.write { tx in
            let version = try await tx.setTiers(tiers)
            try await audit(tx, staff, action: "catalogue.tiers_changed", target: "tiers",
                            details: "{\"tiers\":[\(tiers.map { "[\($0.minimumCount),\($0.rate.value)]" }.joined(separator: ","))],\"version\":\(version)}", now: now)
            return version
        }
    }

    /// `extensionName` without the dot (`ch`), or `*` for every other extension.
    static func domainExtension(_ raw: String) -> String? {
        let lowered = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let name = lowered.hasPrefix(".") ? String(lowered.dropFirst()) : lowered
        if name == "*" { return name }
        guard !name.isEmpty, name.count <= 24, name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) else { return nil }
        return name
    }

    @discardableResult
    func setDomainPrice(staff: StaffMember, _ price: DomainPrice, store: Store) async throws -> Int {
        try Self.requireProgramAdmin(staff)
        guard Self.domainExtension(price.extensionName) == price.extensionName else { throw AppError.validation([FieldError("extension", .invalidValue)]) }
        switch PriceList.validate(domain: price) {
        case .preferentialAboveList?: throw AppError.validation([FieldError("preferential_chf", .invalidValue)])
        case .some: throw AppError.validation([FieldError("list_chf", .invalidValue)])
        case nil: break
        }
        let now = clock.now()
        return try await store.write { tx in
            let version = try await tx.setDomainPrice(price)
            try await audit(tx, staff, action: "catalogue.domain_changed", target: "domain:\(price.extensionName)",
                            details: "{\"list\":[\(try price.listPrice(in: .chf).minorUnits),\(try price.listPrice(in: .eur).minorUnits)],\"preferential\":[\(try price.preferentialPrice(in: .chf).minorUnits),\(try price.preferentialPrice(in: .eur).minorUnits)],\"version\":\(version)}",
                            now: now)
            return version
        }
    }

    // MARK: partner rates (R-B4, R-E2)

    /// Sets a partner's discount rates per category (never above 35 %); each change is audited.
    func setPartnerRates(staff: StaffMember, partner: OrganisationID, _ rates: [ProductCategory: BasisPoints], store: Store) async throws {
        try Self.requireProgramAdmin(staff)
        guard let organisation = try await store.organisation(id: partner), organisation.isPartner else { throw AppError.notFound }
        let errors = Self.rateErrors(rates)
        if !errors.isEmpty { throw AppError.validation(errors) }
        let now = clock.now()
        try await store.write { tx in try await writeRates(tx, staff: staff, partner: partner, rates, now: now) }
    }

    /// R-B4: a rate for a category that has one (not domains, which have preferential prices), never above 35 %.
    static func rateErrors(_ rates: [ProductCategory: BasisPoints]) -> [FieldError] {
        rates.compactMap { category, rate in
            category == .domain || rate < .zero || PartnerRates.validate(rate) != nil ? FieldError("rate_\(category.rawValue)", .invalidValue) : nil
        }.sorted { $0.field < $1.field }
    }

    /// Inside the caller's transaction: only the rates that change are written and audited.
    func writeRates(_ tx: Store, staff: StaffMember, partner: OrganisationID, _ rates: [ProductCategory: BasisPoints], now: Date) async throws {
        let before = try await tx.partnerRates(partner)
        for (category, rate) in rates.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where before.rate(category) != rate {
            try await tx.setPartnerRate(partner, category: category, rate: rate)
            try await audit(tx, staff, organisation: partner.string, action: "partner.rate_changed", target: "category:\(category.rawValue)",
                            details: "{\"before\":\(before.rate(category).value),\"after\":\(rate.value)}", now: now)
        }
    }
}
