import Foundation

public enum TenderTag {}
public enum OfferTag {}
public typealias TenderID = Tagged<TenderTag, UUID>
public typealias OfferID = Tagged<OfferTag, UUID>

/// R-T1: where the work is. Switzerland by its seven statistical regions (Grossregionen), its
/// neighbours, and "remote" for work that can be done from anywhere (choice).
public enum TenderRegion: String, Sendable, Hashable, Codable, CaseIterable {
    case lakeGeneva = "ch-lake-geneva"
    case espaceMittelland = "ch-espace-mittelland"
    case northwesternSwitzerland = "ch-northwest"
    case zurich = "ch-zurich"
    case easternSwitzerland = "ch-east"
    case centralSwitzerland = "ch-central"
    case ticino = "ch-ticino"
    case liechtenstein = "li"
    case france = "fr"
    case germany = "de"
    case austria = "at"
    case italy = "it"
    case remote
}

/// R-T1: the language the tender's contact wants to work in.
public enum TenderLanguage: String, Sendable, Hashable, Codable, CaseIterable {
    case de, fr, it, en
}

/// R-T1: the budget range (in the contact's currency; no amounts are compared).
public enum BudgetRange: String, Sendable, Hashable, Codable, CaseIterable {
    case under1000 = "under-1000"
    case from1000To5000 = "1000-5000"
    case from5000To20000 = "5000-20000"
    case over20000 = "over-20000"
    case open
}

/// A tender as the rules need it.
public struct Tender: Sendable, Hashable {
    public let id: TenderID
    public let title: String
    public let description: String
    public let categories: Set<String>
    public let region: TenderRegion
    public let language: TenderLanguage
    public let budget: BudgetRange
    public let contact: TenderContact
    /// R-D1: a request for an offer from the directory reaches this partner only.
    public let addressedTo: OrganisationID?
    public let createdAt: Date
    public let deletedAt: Date?
    public init(id: TenderID, title: String, description: String, categories: Set<String>, region: TenderRegion, language: TenderLanguage,
                budget: BudgetRange, contact: TenderContact, addressedTo: OrganisationID?, createdAt: Date, deletedAt: Date?) {
        self.id = id
        self.title = title
        self.description = description
        self.categories = categories
        self.region = region
        self.language = language
        self.budget = budget
        self.contact = contact
        self.addressedTo = addressedTo
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }
}

public struct TenderContact: Sendable, Hashable {
    public let name: String
    public let email: EmailAddress
    public let phone: String?
    public let organisation: String?
    public init(name: String, email: EmailAddress, phone: String?, organisation: String?) {
        self.name = name
        self.email = email
        self.phone = phone
        self.organisation = organisation
    }
}

/// R-T2: what a partner wants to receive. An empty dimension matches nothing.
public struct TenderSubscription: Sendable, Hashable {
    public var categories: Set<String>
    public var regions: Set<TenderRegion>
    public var languages: Set<TenderLanguage>
    public init(categories: Set<String>, regions: Set<TenderRegion>, languages: Set<TenderLanguage>) {
        self.categories = categories
        self.regions = regions
        self.languages = languages
    }
    public static let none = TenderSubscription(categories: [], regions: [], languages: [])
}

/// What a partner is shown before opening a tender (R-T2): never the contact.
public struct TenderExcerpt: Sendable, Hashable {
    public let title: String
    public let categories: [String]
    public let region: TenderRegion
    public let text: String
}

/// What the contact sends (R-T1).
public struct TenderInput: Sendable {
    public var title: String
    public var description: String
    public var categories: [String]
    public var region: String
    public var language: String
    public var budget: String
    public var contactName: String
    public var contactEmail: String
    public var contactPhone: String
    public var contactOrganisation: String
    public init(title: String, description: String, categories: [String], region: String, language: String, budget: String,
                contactName: String, contactEmail: String, contactPhone: String, contactOrganisation: String) {
        self.title = title
        self.description = description
        self.categories = categories
        self.region = region
        self.language = language
        self.budget = budget
        self.contactName = contactName
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.contactOrganisation = contactOrganisation
    }
}

public struct ValidTender: Sendable, Hashable {
    public let title: String
    public let description: String
    public let categories: Set<String>
    public let region: TenderRegion
    public let language: TenderLanguage
    public let budget: BudgetRange
    public let contact: TenderContact
}

/// What a partner sends (R-T4).
public struct OfferInput: Sendable {
    public var message: String
    public var price: String
    public var validUntil: Date?
    public init(message: String, price: String, validUntil: Date?) {
        self.message = message
        self.price = price
        self.validUntil = validUntil
    }
}

public enum TenderProblem: String, Error, Sendable, Hashable {
    /// R-T3/R-T5: deleted, or older than 30 days.
    case noLongerAvailable = "no_longer_available"
    case alreadyDeleted = "already_deleted"
    case offerAlreadyAccepted = "offer_already_accepted"
}

public enum TenderRules {
    public static let maximumDescription = 10_000
    public static let maximumTitle = 120
    public static let excerptLength = 200
    /// R-T3 (choice): a tender is open for 30 days.
    public static let lifetime: TimeInterval = 30 * 86_400
    /// R-T1 (choice): at most 5 submissions an hour per IP address and per e-mail address.
    public static let submissionLimit = LoginThrottle(maximumFailures: 5, window: 3600)

    public static func validate(_ input: TenderInput, knownCategories: Set<String>) throws(ValidationErrors) -> ValidTender {
        var errors = ValidationErrors()
        let title = TextInput.field(input.title, "title", max: maximumTitle, into: &errors)
        let description = TextInput.field(input.description, "description", kind: .multiLine, max: maximumDescription, into: &errors)
        let categories = Set(input.categories.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if input.categories.count > 50 { errors.add("categories", .tooLong) }
        if categories.isEmpty { errors.add("categories", .required) } else if !categories.isSubset(of: knownCategories) { errors.add("categories", .unknownReference) }
        let region = TenderRegion(rawValue: input.region)
        if region == nil { errors.add("region", input.region.isEmpty ? .required : .invalidValue) }
        let language = TenderLanguage(rawValue: input.language)
        if language == nil { errors.add("language", input.language.isEmpty ? .required : .invalidValue) }
        let budget = input.budget.isEmpty ? BudgetRange.open : BudgetRange(rawValue: input.budget)
        if budget == nil { errors.add("budget", .invalidValue) }
        let name = TextInput.field(input.contactName, "contact_name", max: 120, into: &errors)
        let email = EmailAddress(input.contactEmail)
        if input.contactEmail.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("contact_email", .required) }
        else if email == nil { errors.add("contact_email", .invalidEmail) }
        let phone = TextInput.field(input.contactPhone, "contact_phone", max: 40, required: false, into: &errors)
        if !phone.utf8.allSatisfy({ ASCIIDecimal.isDigit($0) || Self.phoneSymbols.contains($0) }) { errors.add("contact_phone", .invalidValue) }
        let organisation = TextInput.field(input.contactOrganisation, "contact_organisation", max: 160, required: false, into: &errors)
        try errors.throwIfAny()
        guard let region, let language, let budget, let email else { throw ValidationErrors([FieldError("contact_email", .invalidEmail)]) }
        return ValidTender(title: title, description: description, categories: categories, region: region, language: language, budget: budget,
                           contact: TenderContact(name: name, email: email, phone: phone.isEmpty ? nil : phone,
                                                  organisation: organisation.isEmpty ? nil : organisation))
    }

    static let phoneSymbols = Set(" +-()./".utf8)

    /// R-T2: a shared category AND the region AND the language; an empty subscription matches nothing.
    public static func matches(_ subscription: TenderSubscription, _ tender: Tender) -> Bool {
        !subscription.categories.isDisjoint(with: tender.categories) && subscription.regions.contains(tender.region)
            && subscription.languages.contains(tender.language)
    }

    /// Who hears of a tender: the addressed partner alone, whatever it subscribed to (R-D1), or
    /// every matching one (R-T2). `subscriptions` are approved partners' only.
    public static func recipients(of tender: Tender, subscriptions: [(OrganisationID, TenderSubscription)]) -> [OrganisationID] {
        if let addressed = tender.addressedTo { return [addressed] }
        return subscriptions.filter { matches($0.1, tender) }.map(\.0)
    }

    /// R-T3/R-T5: open while not deleted and not older than 30 days.
    public static func isAvailable(_ tender: Tender, now: Date) -> Bool {
        tender.deletedAt == nil && now.timeIntervalSince(tender.createdAt) < lifetime
    }

    /// R-T2: title, categories, region, the first 200 characters — never the contact.
    public static func excerpt(_ tender: Tender) -> TenderExcerpt {
        let text = tender.description.count > excerptLength ? String(tender.description.prefix(excerptLength)) + "…" : tender.description
        return TenderExcerpt(title: tender.title, categories: tender.categories.sorted(), region: tender.region, text: text)
    }

    /// R-T4: a message, an optional price (an amount in the partner's currency) and validity.
    public static func validateOffer(_ input: OfferInput, now: Date) throws(ValidationErrors) -> (message: String, price: Int64?, validUntil: Date?) {
        var errors = ValidationErrors()
        let message = TextInput.field(input.message, "message", kind: .multiLine, max: 5000, into: &errors)
        var price: Int64? = nil
        let rawPrice = input.price.trimmingCharacters(in: .whitespaces)
        if !rawPrice.isEmpty {
            if let minor = MoneyFormat.parseAmount(rawPrice), minor >= 0, minor <= 100_000_000_00 { price = minor } else { errors.add("price", .invalidValue) }
        }
        if let validUntil = input.validUntil, validUntil <= now { errors.add("valid_until", .notInFuture) }
        try errors.throwIfAny()
        return (message, price, input.validUntil)
    }
}

/// R-T1: a tender category (editable by program admins), named in the console's languages.
public struct TenderCategory: Sendable, Hashable {
    public let key: String
    public let names: [Language: String]
    public let position: Int
    public let active: Bool
    public init(key: String, names: [Language: String], position: Int, active: Bool) {
        self.key = key
        self.names = names
        self.position = position
        self.active = active
    }
    public func name(_ language: Language) -> String { names[language] ?? names[.en] ?? key }

    /// Keys are lower-case letters, digits and hyphens (they appear in URLs and subscriptions).
    public static func isKey(_ text: String) -> Bool {
        (2...40).contains(text.count) && text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }
}
