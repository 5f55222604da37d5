import Foundation

/// R-E1: the commercial register id an applicant gives.
public enum RegisterIDCheck: Sendable, Hashable {
    /// A Swiss UID or French SIRET whose check digits hold; `normalized` is the canonical form
    /// (`CHE-123.456.788`, `73282932000074`).
    case valid(kind: Kind, normalized: String)
    case invalid(kind: Kind, reason: Reason)
    /// Any other register: free text for the program admin to judge.
    case manualReview(String)

    public enum Kind: String, Sendable, Hashable { case swissUID = "swiss_uid", siret }
    public enum Reason: String, Sendable, Hashable {
        case malformed
        case checkDigit = "check_digit"
        case checkDigitTen = "check_digit_ten"
    }
}

public enum RegisterID {
    /// `country` is the applying organisation's: in a country whose register is checked (CH, FR)
    /// an id without that register's shape is invalid, not left for manual review.
    public static func check(_ input: String, country: CountryCode? = nil) -> RegisterIDCheck {
        let trimmed = input.trimmingCharacters(in: .whitespaces)
        let upper = trimmed.uppercased()
        if upper.hasPrefix("CHE") { return checkSwissUID(upper) }
        let digits = trimmed.filter { $0 != " " }
        if digits.utf8.count == 14, ASCIIDecimal.isDigits(digits) { return checkSIRET(digits) }
        switch country?.rawValue {
        case "CH", "LI": return .invalid(kind: .swissUID, reason: .malformed)
        case "FR": return .invalid(kind: .siret, reason: .malformed)
        default: return .manualReview(trimmed)
        }
    }

    /// Swiss UID `CHE-123.456.788` or `CHE123456788`: 9 digits, the last a mod-11 check digit over
    /// the first 8 with weights 5 4 3 2 7 6 5 4; a remainder giving check digit 10 is invalid.
    /// Read byte by byte (R-H1): only ASCII digits count.
    static func checkSwissUID(_ upper: String) -> RegisterIDCheck {
        var rest = Array(upper.utf8.dropFirst(3))
        // Separators: "-" after CHE, "." between groups, optional spaces; suffixes like "MWST" are not ids.
        while let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: " ") { rest.removeFirst() }
        let digitBytes = rest.filter { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: " ") }
        guard digitBytes.count == 9, digitBytes.allSatisfy(ASCIIDecimal.isDigit) else { return .invalid(kind: .swissUID, reason: .malformed) }
        // Separators, if any, must sit where the canonical form puts them.
        if rest.contains(UInt8(ascii: ".")) && !(rest.count == 11 && rest[3] == UInt8(ascii: ".") && rest[7] == UInt8(ascii: ".")) {
            return .invalid(kind: .swissUID, reason: .malformed)
        }
        let values = digitBytes.map { Int($0 - 0x30) }
        let weights = [5, 4, 3, 2, 7, 6, 5, 4]
        let sum = zip(values.prefix(8), weights).reduce(0) { $0 + $1.0 * $1.1 }
        let remainder = sum % 11
        let check = remainder == 0 ? 0 : 11 - remainder
        if check == 10 { return .invalid(kind: .swissUID, reason: .checkDigitTen) }
        guard check == values[8] else { return .invalid(kind: .swissUID, reason: .checkDigit) }
        let d = String(decoding: digitBytes, as: UTF8.self)
        let normalized = "CHE-\(d.prefix(3)).\(d.dropFirst(3).prefix(3)).\(d.suffix(3))"
        return .valid(kind: .swissUID, normalized: normalized)
    }

    /// La Poste's head office, whose SIRET follows the Luhn rule like any other.
    static let laPosteHeadOffice = "35600000000048"

    /// French SIRET: 14 digits, Luhn over the SIRET and over its SIREN (first 9 digits). La Poste
    /// (SIREN 356000000) is the exception for its establishments other than the head office:
    /// their digits must sum to a multiple of 5.
    static func checkSIRET(_ digits: String) -> RegisterIDCheck {
        guard let values = ASCIIDecimal.digits(digits), values.count == 14 else { return .invalid(kind: .siret, reason: .malformed) }
        let siren = Array(values.prefix(9))
        if siren == [3, 5, 6, 0, 0, 0, 0, 0, 0], digits != laPosteHeadOffice {
            return values.reduce(0, +) % 5 == 0
                ? .valid(kind: .siret, normalized: digits) : .invalid(kind: .siret, reason: .checkDigit)
        }
        guard luhn(values), luhn(siren) else { return .invalid(kind: .siret, reason: .checkDigit) }
        return .valid(kind: .siret, normalized: digits)
    }

    static func luhn(_ values: [Int]) -> Bool {
        var sum = 0
        for (index, value) in values.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
        }
        return sum % 10 == 0
    }
}
