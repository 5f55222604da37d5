import Foundation

/// A problem with one input field: `field` names it (as in the API and the form), `code` says
/// what is wrong; the web layer turns the code into a message in the user's language.
public struct FieldError: Error, Sendable, Hashable, Codable {
    public let field: String
    public let code: Code
    public init(_ field: String, _ code: Code) {
        self.field = field
        self.code = code
    }

    public enum Code: String, Sendable, Hashable, Codable {
        case required
        case tooShort = "too_short"
        case tooLong = "too_long"
        case invalidEmail = "invalid_email"
        case invalidCountry = "invalid_country"
        case invalidCurrency = "invalid_currency"
        case invalidValue = "invalid_value"
        case taken
        case mismatch
        case wrongPassword = "wrong_password"
        case currencyFixed = "currency_fixed"
        /// R-B5: the prepaid account cannot cover the payment.
        case insufficientFunds = "insufficient_funds"
        /// The card provider declined the payment.
        case declined
        /// R-E1: a Swiss UID or SIRET whose check digits do not hold.
        case invalidRegisterID = "invalid_register_id"
        /// R-E1: not an absolute http(s) URL.
        case invalidURL = "invalid_url"
        /// Too many submissions from this address or e-mail (R-T1).
        case tooMany = "too_many"
    }
}

public struct ValidationErrors: Error, Sendable, Hashable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError] = []) { self.errors = errors }
    public var isEmpty: Bool { errors.isEmpty }
    public mutating func add(_ field: String, _ code: FieldError.Code) { errors.append(FieldError(field, code)) }
    public func first(_ field: String) -> FieldError? { errors.first { $0.field == field } }
    public func throwIfAny() throws(ValidationErrors) { if !errors.isEmpty { throw self } }
}

public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Lower-cased: addresses are unique regardless of case.
    public let value: String
    public var description: String { value }

    public init?(_ raw: String) {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard text.utf8.count <= 254 else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return nil }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        let allowedLocal = Set("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-")
        let allowedDomain = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard parts[0].allSatisfy({ allowedLocal.contains($0) }),
              labels.allSatisfy({ $0.allSatisfy { allowedDomain.contains($0) } && $0.first != "-" && $0.last != "-" }),
              labels.last!.count >= 2
        else { return nil }
        value = text
    }
}

public enum PasswordRules {
    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so refuse them.
    public static let maximumBytes = 72

    public static func check(_ password: String, field: String = "password") -> FieldError? {
        if password.count < minimumLength { return FieldError(field, .tooShort) }
        if password.utf8.count > maximumBytes { return FieldError(field, .tooLong) }
        return nil
    }
}

public struct CountryCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public var description: String { rawValue }
    public init?(_ raw: String) {
        let upper = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard CountryCode.all.contains(upper) else { return nil }
        rawValue = upper
    }

    /// ISO 3166-1 alpha-2.
    public static let all: Set<String> = Set("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO \
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO \
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV \
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split(separator: " ").map(String.init))
}

/// Checks for the sign-up form; the same rules serve the API and the console.
public struct SignUpInput: Sendable {
    public var name: String
    public var email: String
    public var password: String
    public var organisationName: String
    public var country: String
    public var currency: String?
    public init(name: String, email: String, password: String, organisationName: String, country: String, currency: String?) {
        self.name = name
        self.email = email
        self.password = password
        self.organisationName = organisationName
        self.country = country
        self.currency = currency
    }
}

public struct ValidSignUp: Sendable {
    public let name: String
    public let email: EmailAddress
    public let password: String
    public let organisationName: String
    public let country: CountryCode
    public let currency: Currency
}

public enum SignUpRules {
    public static func validate(_ input: SignUpInput) throws(ValidationErrors) -> ValidSignUp {
        var errors = ValidationErrors()
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        checkText(name, field: "name", max: 120, into: &errors)
        let email = EmailAddress(input.email)
        if input.email.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("email", .required) }
        else if email == nil { errors.add("email", .invalidEmail) }
        if let problem = PasswordRules.check(input.password) { errors.errors.append(problem) }
        let organisationName = input.organisationName.trimmingCharacters(in: .whitespacesAndNewlines)
        checkText(organisationName, field: "organisation_name", max: 160, into: &errors)
        let country = CountryCode(input.country)
        if country == nil { errors.add("country", input.country.isEmpty ? .required : .invalidCountry) }
        var currency: Currency? = country.map(Currency.default(forCountry:))
        if let raw = input.currency, !raw.isEmpty {
            if let chosen = Currency(rawValue: raw.uppercased()) { currency = chosen } else { errors.add("currency", .invalidCurrency) }
        }
        try errors.throwIfAny()
        return ValidSignUp(name: name, email: email!, password: input.password, organisationName: organisationName,
                           country: country!, currency: currency!)
    }

    public static func checkText(_ text: String, field: String, max: Int, into errors: inout ValidationErrors) {
        if text.isEmpty { errors.add(field, .required) } else if text.count > max { errors.add(field, .tooLong) }
    }
}
