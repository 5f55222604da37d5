import Foundation
import PartnerCore
import PartnerStore

/// How an organisation becomes a partner (R-E1 … R-E4): its legal representative applies, a
/// program admin approves (with the partner's rates) or rejects with a reason; the applicant is
/// e-mailed either way. The rules are PartnerCore's; each step is one transaction with its audit
/// event and e-mails.
struct ProgramService: Sendable {
    let clock: any Clock
    let baseURL: String
    let provider: ProviderService

    // MARK: applying (R-E1, R-E4)

    func apply(_ context: OrganisationContext, user: User, input: ApplicationInput, store: Store) async throws -> ApplicationID {
        // R-E1: the organisation's legal representative applies.
        guard context.role == .legalRepresentative else { throw AppError.forbidden("program.only_legal_representative") }
        let organisation = try await store.organisation(context)
        var input = input
        // R-E1: the organisation's country decides which register's shape the id must have.
        input.country = organisation.country
        let valid: ValidApplication
        do { valid = try ProgramRules.validate(input) } catch { throw AppError.validation(error.errors) }
        let facts = ApplicantFacts(isPartner: organisation.isPartner,
                                   hasPendingApplication: try await store.applications(of: organisation.id).contains { $0.status == .pending },
                                   applicantIsAffiliate: try await store.isAffiliate(user.id),
                                   memberIsAffiliate: !(try await store.affiliateMembers(of: organisation.id)).isEmpty)
        if let problem = ProgramRules.mayApply(facts) { throw AppError.refused("program.\(problem.rawValue)") }
        let now = clock.now()
        let admins = try await store.programAdmins()
        do {
            return try await store.write { tx in
                let id = try await tx.createApplication(organisation: organisation.id, applicant: user.id, valid, now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: organisation.id.string, action: "partner.applied",
                                                    target: "application:\(id.string)",
                                                    details: "{\"register\":\"\(valid.registerStatus.rawValue)\",\"terms\":\"\(valid.termsVersion)\"}"), now: now)
                let s = Strings(language: user.language ?? .en)
                var mails = [Store.Mail(to: user.email, subject: s("mail.application_received.subject"),
                                        body: s("mail.application_received.body", ["org": organisation.name, "link": "\(baseURL)/console/orgs/\(organisation.id.string)/program"]))]
                for admin in admins {
                    let en = Strings(language: .en)
                    mails.append(Store.Mail(to: admin.email, subject: en("mail.application_new.subject", ["org": organisation.name]),
                                            body: en("mail.application_new.body", ["org": organisation.name, "link": "\(baseURL)/provider/applications/\(id.string)"])))
                }
                try await tx.enqueueMails(mails, now: now)
                return id
            }
        } catch StoreError.conflict(field: "application") {
            throw AppError.refused("program.already_applied")
        }
    }

    // MARK: deciding (R-E2)

    /// Approves a pending application and sets the partner's rates per category (≤ 35 %).
    func approve(staff: StaffMember, application id: ApplicationID, rates: [ProductCategory: BasisPoints], store: Store) async throws {
        try ProviderService.requireProgramAdmin(staff)
        guard let application = try await store.application(id) else { throw AppError.notFound }
        if ProgramRules.decide(application.status) != nil { throw AppError.refused("program.not_pending") }
        let errors = ProviderService.rateErrors(rates)
        if !errors.isEmpty { throw AppError.validation(errors) }
        // R-E4 once more: a member may have become an affiliate since the application.
        if !(try await store.affiliateMembers(of: application.organisationID)).isEmpty { throw AppError.refused("program.member_is_affiliate") }
        let now = clock.now()
        let recipients = try await store.membersOf(application.organisationID).filter { $0.0.role == .legalRepresentative }
        do {
            try await store.write { tx in
                try await tx.decideApplication(id, status: .approved, reason: nil, staff: staff.id, now: now)
                try await tx.approvePartner(application.organisationID, now: now)
                try await provider.writeRates(tx, staff: staff, partner: application.organisationID, rates, now: now)
                try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: application.organisationID.string,
                                                    action: "partner.application_approved", target: "application:\(id.string)",
                                                    details: "{\"rates\":{\(rates.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\"\($0.key.rawValue)\":\($0.value.value)" }.joined(separator: ","))}}"),
                                         now: now)
                try await tx.enqueueMails(recipients.map { member, language in
                    let s = Strings(language: language ?? .en)
                    return Store.Mail(to: member.email, subject: s("mail.application_approved.subject", ["org": application.organisationName]),
                                      body: s("mail.application_approved.body", ["org": application.organisationName,
                                                                                  "link": "\(baseURL)/console/orgs/\(application.organisationID.string)/benefits"]))
                }, now: now)
            }
        } catch StoreError.conflict(field: "status") {
            throw AppError.refused("program.not_pending")
        }
    }

    /// Rejects a pending application; the reason is e-mailed to the applicant's legal representatives.
    func reject(staff: StaffMember, application id: ApplicationID, reason rawReason: String, store: Store) async throws {
        try ProviderService.requireProgramAdmin(staff)
        var errors = ValidationErrors()
        let reason = TextInput.field(rawReason, "reason", kind: .multiLine, max: 2000, into: &errors)
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        guard let application = try await store.application(id) else { throw AppError.notFound }
        if ProgramRules.decide(application.status) != nil { throw AppError.refused("program.not_pending") }
        let now = clock.now()
        let recipients = try await store.membersOf(application.organisationID).filter { $0.0.role == .legalRepresentative }
        do {
            try await store.write { tx in
                try await tx.decideApplication(id, status: .rejected, reason: reason, staff: staff.id, now: now)
                try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", organisation: application.organisationID.string,
                                                    action: "partner.application_rejected", target: "application:\(id.string)",
                                                    details: "{\"reason\":\"\(jsonEscape(reason))\"}"), now: now)
                try await tx.enqueueMails(recipients.map { member, language in
                    let s = Strings(language: language ?? .en)
                    return Store.Mail(to: member.email, subject: s("mail.application_rejected.subject", ["org": application.organisationName]),
                                      body: s("mail.application_rejected.body", ["org": application.organisationName, "reason": reason,
                                                                                  "link": "\(baseURL)/console/orgs/\(application.organisationID.string)/program"]))
                }, now: now)
            }
        } catch StoreError.conflict(field: "status") {
            throw AppError.refused("program.not_pending")
        }
    }

    // MARK: the partners' standing (R-E3)

    struct Standing: Sendable {
        let standing: PartnerStanding
        /// The volume in the partner's currency (the threshold's).
        let volume: Money
        let minimum: Money
        let belowMinimum: Bool
    }

    /// Every approved partner with its managed volume over the last 12 months against the
    /// minimum, flagged from 12 months after approval.
    func standings(store: Store) async throws -> [Standing] {
        let now = clock.now()
        return try await store.partnerStandings(since: now.addingTimeInterval(-365 * 86_400)).map { standing in
            let currency = standing.organisation.currency
            let volume = standing.volume[currency] ?? .zero(currency)
            return Standing(standing: standing, volume: volume, minimum: ProgramRules.minimumVolume(currency),
                            belowMinimum: ProgramRules.isBelowMinimum(volume: volume, approvedAt: standing.approvedAt, now: now))
        }
    }
}

extension ProgramService {
    // MARK: tender categories (R-T1: editable by program admins)

    /// Adds a category or renames / (de)activates one; keys never change, since tenders and
    /// subscriptions refer to them.
    func saveTenderCategory(staff: StaffMember, key rawKey: String, names: [Language: String], position: Int, active: Bool, store: Store) async throws {
        try ProviderService.requireProgramAdmin(staff)
        let key = rawKey.trimmingCharacters(in: .whitespaces).lowercased()
        var errors = ValidationErrors()
        if !TenderCategory.isKey(key) { errors.add("key", key.isEmpty ? .required : .invalidValue) }
        var cleaned: [Language: String] = [:]
        for language in Language.allCases {
            let name = TextInput.field(names[language] ?? "", "name_\(language.rawValue)", max: 80, into: &errors)
            cleaned[language] = name
        }
        if position < 0 || position > 10_000 { errors.add("position", .invalidValue) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let category = TenderCategory(key: key, names: cleaned, position: position, active: active)
        let now = clock.now()
        try await store.write { tx in
            try await tx.saveTenderCategory(category)
            try await tx.appendAudit(AuditEntry(actor: "staff:\(staff.id.string)", action: "tender.category_saved", target: "tender-category:\(key)",
                                                details: "{\"active\":\(active),\"position\":\(position)}"), now: now)
        }
    }
}
