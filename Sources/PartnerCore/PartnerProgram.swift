import Foundation

public enum ApplicationTag {}
public typealias ApplicationID = Tagged<ApplicationTag, UUID>

/// R-E1: the reseller terms an applicant accepts, versioned; the version and the time of
/// acceptance are stored with the application. Changing the text means a new version.
public enum ResellerTerms {
    public static let currentVersion = "2026-1"
    /// What the applicant commits to, from the seed's conditions (R-E1, R-E3, R-E5).
    public static let points = ["terms.support", "terms.billing", "terms.tender_products", "terms.minimum_volume", "terms.special_conditions"]
}

/// R-E1: how the register id of an application was judged.
public enum RegisterStatus: String, Sendable, Hashable, Codable {
    /// A Swiss UID or French SIRET whose check digits hold.
    case verified
    /// Another country's register: free text for the program admin to judge.
    case manualReview = "manual_review"
}

public enum ApplicationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, approved, rejected
}

/// What an applicant sends (R-E1).
public struct ApplicationInput: Sendable {
    public var registerID: String
    public var website: String
    public var acceptedTermsVersion: String?
    public var commitsToMinimumVolume: Bool
    public init(registerID: String, website: String, acceptedTermsVersion: String?, commitsToMinimumVolume: Bool) {
        self.registerID = registerID
        self.website = website
        self.acceptedTermsVersion = acceptedTermsVersion
        self.commitsToMinimumVolume = commitsToMinimumVolume
    }
}

public struct ValidApplication: Sendable, Hashable {
    public let registerID: String
    public let registerKind: String
    public let registerStatus: RegisterStatus
    public let website: String
    public let termsVersion: String
}

/// Where an organisation stands in the program, as far as applying is concerned.
public struct ApplicantFacts: Sendable, Hashable {
    public let isPartner: Bool
    public let hasPendingApplication: Bool
    /// R-E4: the applicant, or another member of the organisation, is an affiliate.
    public let applicantIsAffiliate: Bool
    public let memberIsAffiliate: Bool
    public init(isPartner: Bool, hasPendingApplication: Bool, applicantIsAffiliate: Bool, memberIsAffiliate: Bool) {
        self.isPartner = isPartner
        self.hasPendingApplication = hasPendingApplication
        self.applicantIsAffiliate = applicantIsAffiliate
        self.memberIsAffiliate = memberIsAffiliate
    }
}

public enum ProgramProblem: String, Error, Sendable, Hashable {
    case alreadyPartner = "already_partner"
    case alreadyApplied = "already_applied"
    /// R-E4: partner and affiliate exclude each other at the level of the person.
    case affiliateCannotBePartner = "affiliate_cannot_be_partner"
    case memberIsAffiliate = "member_is_affiliate"
    case partnerCannotBeAffiliate = "partner_cannot_be_affiliate"
    case alreadyAffiliate = "already_affiliate"
    case notPending = "not_pending"
}

public enum ProgramRules {
    /// R-E1: the register id by the foundation's validators (other countries: manual review),
    /// an absolute http(s) website, the current terms accepted, the minimum volume committed to.
    public static func validate(_ input: ApplicationInput) throws(ValidationErrors) -> ValidApplication {
        var errors = ValidationErrors()
        var registerID = "", kind = "other", status = RegisterStatus.manualReview
        let raw = input.registerID.trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.isEmpty {
            errors.add("register_id", .required)
        } else if raw.count > 64 {
            errors.add("register_id", .tooLong)
        } else {
            switch RegisterID.check(raw) {
            case .valid(let k, let normalized): (registerID, kind, status) = (normalized, k.rawValue, .verified)
            case .invalid: errors.add("register_id", .invalidRegisterID)
            case .manualReview(let text): (registerID, kind, status) = (text, "other", .manualReview)
            }
        }
        let website = input.website.trimmingCharacters(in: .whitespacesAndNewlines)
        if website.isEmpty { errors.add("website", .required) } else if Website.normalized(website) == nil { errors.add("website", .invalidURL) }
        if input.acceptedTermsVersion != ResellerTerms.currentVersion { errors.add("accept_terms", .required) }
        if !input.commitsToMinimumVolume { errors.add("minimum_volume", .required) }
        try errors.throwIfAny()
        return ValidApplication(registerID: registerID, registerKind: kind, registerStatus: status, website: Website.normalized(website)!,
                                termsVersion: ResellerTerms.currentVersion)
    }

    /// Whether the organisation may apply now; nil when it may.
    public static func mayApply(_ facts: ApplicantFacts) -> ProgramProblem? {
        if facts.applicantIsAffiliate { return .affiliateCannotBePartner }
        if facts.memberIsAffiliate { return .memberIsAffiliate }
        if facts.isPartner { return .alreadyPartner }
        if facts.hasPendingApplication { return .alreadyApplied }
        return nil
    }

    /// R-E2: only a pending application is decided, once.
    public static func decide(_ status: ApplicationStatus) -> ProgramProblem? {
        status == .pending ? nil : .notPending
    }

    /// R-E4: a person becomes an affiliate only if no organisation they belong to is, or is
    /// applying to become, a partner.
    public static func mayBecomeAffiliate(isAffiliate: Bool, memberOfPartnerOrApplicant: Bool) -> ProgramProblem? {
        if isAffiliate { return .alreadyAffiliate }
        return memberOfPartnerOrApplicant ? .partnerCannotBeAffiliate : nil
    }

    /// R-E3: the yearly minimum volume by the partner's currency.
    public static func minimumVolume(_ currency: Currency) -> Money {
        Money(minorUnits: currency == .chf ? 200_000 : 180_000, currency: currency)
    }

    /// R-E3 (choice): partners are held to the minimum from 12 months after approval.
    public static func isBelowMinimum(volume: Money, approvedAt: Date, now: Date) -> Bool {
        guard now.timeIntervalSince(approvedAt) >= 365 * 86_400 else { return false }
        return volume < minimumVolume(volume.currency)
    }
}

/// R-E1: a website is an absolute http(s) URL with a host; whether it is active is for the
/// program admin to judge.
public enum Website {
    public static func normalized(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 255, !text.contains(where: { $0.isWhitespace || $0 == "\\" }),
              let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil else { return nil }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }),
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
        return text
    }
}
