import Foundation

/// A problem with one input field: `field` names it (as in the API and the form), `code` says
/// what is wrong; the web layer turns the code into a message in the user's language.
public struct FieldError: Error, Sendable, Hashable, Codable {
    public let field: String
    public let code: Code
    /// What the refusal is about, when a person needs to know which (the products already
    /// granted to another partner): shown after the message, in the API's detail too.
    public let names: [String]
    public init(_ field: String, _ code: Code, names: [String] = []) {
        self.field = field
        self.code = code
        self.names = names
    }

    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
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
        /// R-H1: a control character, line break (in a single line) or bidirectional override.
        case invalidCharacters = "invalid_characters"
        /// R-H1: more than a documented limit (lines or units in one order, orders an hour).
        case overLimit = "over_limit"
        /// An id or key the request names that does not exist here (a product, a category).
        case unknownReference = "unknown_reference"
        /// A date that has to lie in the future and does not.
        case notInFuture = "not_in_future"
        /// R-B5: a top-up in a currency nothing of the organisation's can be paid in.
        case currencyNotSpendable = "currency_not_spendable"
        /// R-P1: products another partner already manages (by grant or full access), named.
        case grantedToAnotherPartner = "granted_to_another_partner"

        /// A request can be as the contract says and still be refused by what is stored (an
        /// address taken, a balance too low, a date now past): the API answers those 409 (403 for
        /// a wrong password, 402 for a declined card), and 422 only for what the request itself
        /// gets wrong (R-H1).
        public var dependsOnState: Bool {
            switch self {
            case .taken, .wrongPassword, .currencyFixed, .insufficientFunds, .declined, .tooMany, .unknownReference, .notInFuture, .currencyNotSpendable,
                 .grantedToAnotherPartner:
                return true
            default:
                return false
            }
        }
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
        // Byte by byte (R-H1): ASCII letters, digits and the RFC 5322 atext symbols only. Blanks
        // around it are ignored, as `EmailAddress.pattern` says.
        guard TextInput.length(raw) <= 254 else { return nil }
        var scalars = Substring(raw).unicodeScalars
        while let first = scalars.first, TextInput.isBlank(first, in: .singleLine) { scalars.removeFirst() }
        while let last = scalars.last, TextInput.isBlank(last, in: .singleLine) { scalars.removeLast() }
        let text = String(scalars).lowercased()
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        // A dot-atom (RFC 5322): no dot first, last or twice in a row — mail servers refuse those.
        guard !local.isEmpty, local.count <= 64, !domain.contains(UInt8(ascii: "@")),
              local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy({ atom in
                  !atom.isEmpty && atom.allSatisfy { Self.isLetterOrDigit($0) || Self.atextSymbols.contains($0) }
              })
        else { return nil }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        // The top-level domain is letters, or an internationalised one in its xn-- form.
        guard labels.count >= 2, let last = labels.last, last.count >= 2,
              last.allSatisfy({ (0x61...0x7A).contains($0) }) || (last.starts(with: Array("xn--".utf8)) && last.count > 4),
              labels.allSatisfy({ label in
                  !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                      && label.allSatisfy { Self.isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
              })
        else { return nil }
        value = text
    }

    /// The same rule as a JSON Schema pattern, for the API contract (with `maxLength` 254 and
    /// `not` `TextInput.forbiddenPattern(.singleLine)`, which keeps a final line break out, whatever
    /// a validator's `$` allows).
    public static var pattern: String {
        let blank = TextInput.classBody(TextInput.blank(.singleLine))
        let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        let top = "(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9](?:[A-Za-z0-9-]{0,57}[A-Za-z0-9])?)"
        return "^[\(blank)]*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:\(label)\\.)+\(top)[\(blank)]*$"
    }

    /// What `pattern` cannot say with its lengths: a local part's dot first, last or doubled.
    /// With the forbidden characters, the API contract's `not` pattern for addresses.
    public static var forbiddenPattern: String {
        let blank = TextInput.classBody(TextInput.blank(.singleLine))
        return TextInput.forbiddenPattern(.singleLine) + "|^[\(blank)]*[.]|[.][.]|[.]@"
    }

    static let atextSymbols = Set("!#$%&'*+/=?^_`{|}~-".utf8)
    static func isLetterOrDigit(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
}

public enum PasswordRules {
    public static let minimumLength = 10
    /// Counted in Unicode scalars. bcrypt reads only 72 bytes, so longer passwords are hashed
    /// first (PasswordHasher) rather than truncated or refused.
    public static let maximumLength = 256

    public static func check(_ password: String, field: String = "password") -> FieldError? {
        // Any printable text, spaces included; a control character is a paste gone wrong (R-H1).
        guard TextInput.hasOnlyAllowedScalars(password, .singleLine) else { return FieldError(field, .invalidCharacters) }
        let length = TextInput.length(password)
        if length < minimumLength { return FieldError(field, .tooShort) }
        if length > maximumLength { return FieldError(field, .tooLong) }
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
        let name = TextInput.field(input.name, "name", max: 120, into: &errors)
        let email = EmailAddress(input.email)
        if input.email.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("email", .required) }
        else if email == nil { errors.add("email", .invalidEmail) }
        if let problem = PasswordRules.check(input.password) { errors.errors.append(problem) }
        let organisationName = TextInput.field(input.organisationName, "organisation_name", max: 160, into: &errors)
        let country = CountryCode(input.country)
        if country == nil { errors.add("country", input.country.isEmpty ? .required : .invalidCountry) }
        var currency: Currency? = country.map(Currency.default(forCountry:))
        if let raw = input.currency, !raw.isEmpty {
            if let chosen = Currency(rawValue: raw.uppercased()) { currency = chosen } else { errors.add("currency", .invalidCurrency) }
        }
        try errors.throwIfAny()
        guard let email, let country, let currency else { throw ValidationErrors([FieldError("email", .invalidEmail)]) }
        return ValidSignUp(name: name, email: email, password: input.password, organisationName: organisationName,
                           country: country, currency: currency)
    }
}
