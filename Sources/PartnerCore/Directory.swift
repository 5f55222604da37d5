import Foundation

/// R-D1: an approved partner's public profile in the directory (opt-in, free).
public struct DirectoryProfile: Sendable, Hashable {
    public let organisationID: OrganisationID
    public let name: String
    public let description: String
    public let website: String
    public let languages: Set<TenderLanguage>
    public let regions: Set<TenderRegion>
    /// Tender category keys the partner is good at.
    public let specialties: Set<String>
    public let published: Bool
    /// The register id passed its check and a program admin approved the application.
    public let registerVerified: Bool
    public init(organisationID: OrganisationID, name: String, description: String, website: String, languages: Set<TenderLanguage>,
                regions: Set<TenderRegion>, specialties: Set<String>, published: Bool, registerVerified: Bool) {
        self.organisationID = organisationID
        self.name = name
        self.description = description
        self.website = website
        self.languages = languages
        self.regions = regions
        self.specialties = specialties
        self.published = published
        self.registerVerified = registerVerified
    }
}

public struct DirectoryProfileInput: Sendable {
    public var description: String
    public var website: String
    public var languages: [String]
    public var regions: [String]
    public var specialties: [String]
    public var published: Bool
    public init(description: String, website: String, languages: [String], regions: [String], specialties: [String], published: Bool) {
        self.description = description
        self.website = website
        self.languages = languages
        self.regions = regions
        self.specialties = specialties
        self.published = published
    }
}

public struct ValidDirectoryProfile: Sendable, Hashable {
    public let description: String
    public let website: String
    public let languages: Set<TenderLanguage>
    public let regions: Set<TenderRegion>
    public let specialties: Set<String>
    public let published: Bool
}

/// What a visitor filters by; empty means any.
public struct DirectoryFilter: Sendable, Hashable {
    public var region: TenderRegion?
    public var language: TenderLanguage?
    public var specialty: String?
    public init(region: TenderRegion? = nil, language: TenderLanguage? = nil, specialty: String? = nil) {
        self.region = region
        self.language = language
        self.specialty = specialty
    }
}

public enum DirectoryRules {
    public static let pageSize = 10

    public static func validate(_ input: DirectoryProfileInput, knownSpecialties: Set<String>) throws(ValidationErrors) -> ValidDirectoryProfile {
        var errors = ValidationErrors()
        let description = TextInput.field(input.description, "description", kind: .multiLine, max: 2000, into: &errors)
        let website = TextInput.field(input.website, "website", max: Website.maximumLength, into: &errors)
        let normalizedWebsite = Website.normalized(website)
        if !website.isEmpty, normalizedWebsite == nil, errors.first("website") == nil { errors.add("website", .invalidURL) }
        let languages = input.languages.compactMap(TenderLanguage.init(rawValue:))
        if languages.count != input.languages.count { errors.add("languages", .invalidValue) } else if languages.isEmpty { errors.add("languages", .required) }
        let regions = input.regions.compactMap(TenderRegion.init(rawValue:))
        if regions.count != input.regions.count { errors.add("regions", .invalidValue) } else if regions.isEmpty { errors.add("regions", .required) }
        let specialties = Set(input.specialties)
        if !specialties.isSubset(of: knownSpecialties) { errors.add("specialties", .unknownReference) }
        if input.specialties.count > 50 { errors.add("specialties", .tooLong) }
        try errors.throwIfAny()
        guard let normalizedWebsite else { throw ValidationErrors([FieldError("website", .invalidURL)]) }
        return ValidDirectoryProfile(description: description, website: normalizedWebsite, languages: Set(languages), regions: Set(regions),
                                     specialties: specialties, published: input.published)
    }

    /// R-D1: listed when the partner opted in; filtered by region, language and specialty.
    public static func matches(_ profile: DirectoryProfile, _ filter: DirectoryFilter) -> Bool {
        guard profile.published else { return false }
        if let region = filter.region, !profile.regions.contains(region) { return false }
        if let language = filter.language, !profile.languages.contains(language) { return false }
        if let specialty = filter.specialty, !profile.specialties.contains(specialty) { return false }
        return true
    }
}
