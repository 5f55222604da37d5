import Testing
@testable import PartnerCore

@Suite("R-E1 register ids")
struct RegisterIDTests {
    @Test("R-E1 Swiss UID with a correct mod-11 check digit is valid, with or without separators",
          arguments: ["CHE-123.456.788", "CHE123456788", "che-123.456.788", " CHE-123.456.788 "])
    func validUID(input: String) {
        #expect(RegisterID.check(input) == .valid(kind: .swissUID, normalized: "CHE-123.456.788"))
    }

    @Test("R-E1 Swiss UID with a wrong check digit is invalid")
    func wrongUID() {
        #expect(RegisterID.check("CHE-123.456.789") == .invalid(kind: .swissUID, reason: .checkDigit))
    }

    @Test("R-E1 a UID whose check digit would be 10 is invalid")
    func checkDigitTen() {
        // Digits 1 0 0 0 0 0 0 1: 1×5 + 1×4 = 9; 9 mod 11 = 9; 11 − 9 = 2 → valid with 2.
        // Digits 0 0 0 0 0 0 0 1: 1×4 = 4; 11 − 4 = 7. Digits 0 0 0 0 0 0 1 0: 5 → 6.
        // Digits 0 0 0 0 0 0 0 3: 3×4 = 12; 12 mod 11 = 1; 11 − 1 = 10 → no valid number exists.
        for last in 0...9 {
            #expect(RegisterID.check("CHE-000.000.03\(last)") == .invalid(kind: .swissUID, reason: .checkDigitTen))
        }
        #expect(RegisterID.check("CHE-000.000.017") == .valid(kind: .swissUID, normalized: "CHE-000.000.017"))
    }

    @Test("R-E1 a remainder of 0 gives check digit 0")
    func remainderZero() {
        // 0 0 0 0 0 0 1 1: 5 + 4 = 9 → 2. 0 0 0 0 0 0 2 3: 10 + 12 = 22 → remainder 0 → check 0.
        #expect(RegisterID.check("CHE-000.000.230") == .valid(kind: .swissUID, normalized: "CHE-000.000.230"))
    }

    @Test("R-E1 malformed UIDs are invalid, not sent to manual review",
          arguments: ["CHE-123.456.78", "CHE-123.456.7888", "CHE-12.3456.788", "CHE-ABC.456.788"])
    func malformedUID(input: String) {
        #expect(RegisterID.check(input) == .invalid(kind: .swissUID, reason: .malformed))
    }

    @Test("R-E1 a SIRET passing Luhn over SIRET and SIREN is valid")
    func validSIRET() {
        #expect(RegisterID.check("73282932000074") == .valid(kind: .siret, normalized: "73282932000074"))
        #expect(RegisterID.check("732 829 320 00074") == .valid(kind: .siret, normalized: "73282932000074"))
    }

    @Test("R-E1 changing any one digit of a valid SIRET makes it invalid")
    func oneDigitChanged() {
        let valid = Array("73282932000074")
        for index in valid.indices {
            for digit in "0123456789" where digit != valid[index] {
                var changed = valid
                changed[index] = digit
                #expect(RegisterID.check(String(changed)) == .invalid(kind: .siret, reason: .checkDigit), "\(String(changed))")
            }
        }
    }

    @Test("R-E1 a SIRET whose SIREN fails Luhn is invalid even when the SIRET passes")
    func sirenMustPassToo() {
        // 12345678900007: the SIRET passes Luhn; its SIREN 123456789 does not.
        #expect(RegisterID.luhn(ASCIIDecimal.digits("12345678900007") ?? []))
        #expect(RegisterID.check("12345678900007") == .invalid(kind: .siret, reason: .checkDigit))
    }

    @Test("R-E1 La Poste's head office (35600000000048) follows the Luhn rule like any other SIRET")
    func laPosteHeadOffice() {
        // Luhn from the right: 8 + (4·2) + 0 … + (6·2 → 3) + 5 + (3·2) = 30; the digit sum 26 is no multiple of 5.
        #expect(RegisterID.check("35600000000048") == .valid(kind: .siret, normalized: "35600000000048"))
        #expect(RegisterID.check("35600000000049") == .invalid(kind: .siret, reason: .checkDigit))
    }

    @Test("R-E1 in a country whose register is checked, an id of another shape is invalid, not manual review",
          arguments: [("HRB 12345", "CH", RegisterIDCheck.Kind.swissUID), ("123 456 789", "FR", .siret), ("DE123456789", "LI", .swissUID)])
    func shapeByCountry(input: String, country: String, kind: RegisterIDCheck.Kind) {
        #expect(RegisterID.check(input, country: CountryCode(country)) == .invalid(kind: kind, reason: .malformed))
        #expect(RegisterID.check(input, country: CountryCode("DE")) == .manualReview(input))
    }

    @Test("R-H1 digits are ASCII digits: fullwidth, Arabic-Indic and combined digits are no id",
          arguments: ["CHE-１２３.４５６.７８８", "CHE-١٢٣.٤٥٦.٧٨٨", "CHE-123.456.78\u{0301}8", "7328293200007\u{0301}4"])
    func unicodeDigits(input: String) {
        #expect(RegisterID.check(input, country: CountryCode("CH")) != .valid(kind: .swissUID, normalized: "CHE-123.456.788"))
        if case .valid = RegisterID.check(input) { Issue.record("\(input) was accepted") }
    }

    @Test("R-E1 La Poste's other establishments (SIREN 356000000): the digits must sum to a multiple of 5")
    func laPoste() {
        // 3+5+6 = 14; + 0 0 0 0 1 → 15 → valid; + 0 0 0 0 2 → 16 → invalid.
        #expect(RegisterID.check("35600000000001") == .valid(kind: .siret, normalized: "35600000000001"))
        #expect(RegisterID.check("35600000000002") == .invalid(kind: .siret, reason: .checkDigit))
        // 35600000049837 is a published La Poste establishment: 3+5+6+4+9+8+3+7 = 45.
        #expect(RegisterID.check("35600000049837") == .valid(kind: .siret, normalized: "35600000049837"))
    }

    @Test("R-E1 any other register goes to manual review", arguments: ["HRB 12345", "DE123456789", "B 123.456"])
    func manualReview(input: String) {
        #expect(RegisterID.check(input) == .manualReview(input))
    }
}
