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
    /// The applying organisation's country: its register decides the id's shape (R-E1).
    public var country: CountryCode?
    public init(registerID: String, website: String, acceptedTermsVersion: String?, commitsToMinimumVolume: Bool, country: CountryCode? = nil) {
        self.country = country
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
        let raw = TextInput.field(input.registerID, "register_id", max: 64, into: &errors)
        if !raw.isEmpty, errors.first("register_id") == nil {
            switch RegisterID.check(raw, country: input.country) {
            case .valid(let k, let normalized): (registerID, kind, status) = (normalized, k.rawValue, .verified)
            case .invalid: errors.add("register_id", .invalidRegisterID)
            case .manualReview(let text): (registerID, kind, status) = (text, "other", .manualReview)
            }
        }
        let website = TextInput.field(input.website, "website", max: Website.maximumLength, into: &errors)
        let normalizedWebsite = Website.normalized(website)
        if !website.isEmpty, normalizedWebsite == nil, errors.first("website") == nil { errors.add("website", .invalidURL) }
        if input.acceptedTermsVersion != ResellerTerms.currentVersion { errors.add("accept_terms", .required) }
        if !input.commitsToMinimumVolume { errors.add("minimum_volume", .required) }
        try errors.throwIfAny()
        guard let normalizedWebsite else { throw ValidationErrors([FieldError("website", .invalidURL)]) }
        return ValidApplication(registerID: registerID, registerKind: kind, registerStatus: status, website: normalizedWebsite,
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

/// R-E1, R-H1: a website is an absolute http(s) URL whose host is a public DNS name (no IP
/// address, no `localhost` or other special-use name, no user info), written in RFC 3986's
/// characters except quotes and brackets. Whether it is active is for the program admin to judge.
public enum Website {
    public static let maximumLength = 255

    public static func normalized(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes.allSatisfy(isURLByte), percentEscapesAreWellFormed(bytes) else { return nil }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return nil }
        var host = authority
        if let colon = authority.firstIndex(of: ":") {
            let port = authority[authority.index(after: colon)...]
            guard let number = ASCIIDecimal.parse(port, maxDigits: 5), (1...65_535).contains(number) else { return nil }
            host = authority[..<colon]
        }
        return isPublicHostName(host) ? text : nil
    }

    /// Labels of letters, digits and hyphens; a top-level label of letters; not a special-use
    /// name (RFC 6761 and the names intranets use), so no request goes to a machine of our own.
    static func isPublicHostName(_ host: Substring) -> Bool {
        let labels = host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, host.utf8.count <= 253, let top = labels.last, top.count >= 2,
              top.allSatisfy({ (0x61...0x7A).contains($0) }),
              labels.allSatisfy({ label in
                  !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                      && label.allSatisfy { (0x61...0x7A).contains($0) || ASCIIDecimal.isDigit($0) || $0 == UInt8(ascii: "-") }
              })
        else { return false }
        let topName = String(decoding: top, as: UTF8.self)
        return !specialUseNames.contains(topName)
    }

    /// The same rule as a JSON Schema pattern for the API contract (ECMA 262 and Python agree on
    /// it: no flags, look-ahead for the special-use names in either case).
    public static var pattern: String {
        func anyCase(_ word: String) -> String {
            word.map { character in
                let lower = character.lowercased(), upper = character.uppercased()
                return lower == upper ? lower : "[\(upper)\(lower)]"
            }.joined()
        }
        let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        let special = specialUseNames.sorted().map(anyCase).joined(separator: "|")
        let port = "(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
        return "^\(anyCase("http"))[Ss]?://(?:\(label)\\.)+(?!(?:\(special))(?:[:/?#]|$))[A-Za-z]{2,63}\(port)"
            + "(?:[/?#](?:[A-Za-z0-9._~:/?#@!$&()*+,;=-]|%[0-9A-Fa-f]{2})*)?$"
    }

    static let specialUseNames: Set<String> = ["localhost", "local", "internal", "invalid", "test", "example", "onion", "arpa",
                                                "lan", "home", "corp", "intranet", "private", "localdomain"]

    /// RFC 3986's unreserved, reserved and `%` characters, without quotes and brackets.
    static func isURLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return urlSymbols.contains(byte)
        }
    }

    static let urlSymbols = Set("-._~:/?#@!$&()*+,;=%".utf8)

    static func percentEscapesAreWellFormed(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        ASCIIDecimal.isDigit(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }
}
