import Foundation
import Testing
@testable import PartnerCore

@Suite("Accounts: validation, support codes, throttling, invitations, audit chain")
struct AccountRulesTests {
    @Test("E-mail addresses are lower-cased so uniqueness ignores case")
    func emailLowercased() {
        #expect(EmailAddress("  Anna.Muster@Example.CH ")?.value == "anna.muster@example.ch")
    }

    @Test("Malformed e-mail addresses are refused",
          arguments: ["", "anna", "anna@", "@example.ch", "anna@example", "anna@@example.ch", "an na@example.ch", "anna@-x.ch", "anna@example.c"])
    func emailRefused(text: String) {
        #expect(EmailAddress(text) == nil)
    }

    @Test("Passwords need 10 to 256 characters (Unicode scalars), and no control characters (R-H1)")
    func passwords() {
        #expect(PasswordRules.check("123456789") == FieldError("password", .tooShort))
        #expect(PasswordRules.check("1234567890") == nil)
        // Longer than bcrypt's 72 bytes is fine: PasswordHasher reduces such a password first.
        #expect(PasswordRules.check(String(repeating: "ü", count: 256)) == nil)
        #expect(PasswordRules.check(String(repeating: "a", count: 257)) == FieldError("password", .tooLong))
        // A combining mark is a scalar of its own: 5 letters with a mark each are 10 scalars.
        #expect(PasswordRules.check(String(repeating: "e\u{301}", count: 5)) == nil)
        #expect(PasswordRules.check("correct-horse\u{0}battery") == FieldError("password", .invalidCharacters))
        #expect(PasswordRules.check("correct-horse\nbattery") == FieldError("password", .invalidCharacters))
    }

    @Test("Sign-up names every field that is wrong at once")
    func signUpErrors() {
        let input = SignUpInput(name: "", email: "nope", password: "short", organisationName: " ", country: "XX", currency: "USD")
        #expect(throws: ValidationErrors([
            FieldError("name", .required), FieldError("email", .invalidEmail), FieldError("password", .tooShort),
            FieldError("organisation_name", .required), FieldError("country", .invalidCountry), FieldError("currency", .invalidCurrency),
        ])) { try SignUpRules.validate(input) }
    }

    @Test("R-O1 sign-up takes CHF for CH/LI and EUR elsewhere unless the user chose")
    func signUpCurrency() throws {
        func currency(_ country: String, _ chosen: String?) throws -> Currency {
            try SignUpRules.validate(SignUpInput(name: "A", email: "a@b.ch", password: "0123456789", organisationName: "O",
                                                 country: country, currency: chosen)).currency
        }
        #expect(try currency("ch", nil) == .chf)
        #expect(try currency("LI", "") == .chf)
        #expect(try currency("FR", nil) == .eur)
        #expect(try currency("CH", "eur") == .eur)
    }

    @Test("R-S1 support codes are 8 digits without a leading zero")
    func supportCodes() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let code = SupportCode.generate(using: &generator)
            #expect(code.value.count == 8 && code.value.first != "0" && code.value.allSatisfy(\.isNumber))
        }
        #expect(SupportCode("1234 5678")?.value == "12345678")
        #expect(SupportCode("01234567") == nil)
        #expect(SupportCode("1234567") == nil)
        #expect(SupportCode("12345678")?.grouped == "1234 5678")
    }

    @Test("Five failures in 15 minutes lock further attempts until the oldest leaves the window")
    func throttle() {
        let throttle = LoginThrottle()
        let now = Date(timeIntervalSince1970: 1_000_000)
        let four = (1...4).map { now.addingTimeInterval(Double(-60 * $0)) }
        #expect(throttle.decide(failures: four, now: now) == .allowed)
        let five = four + [now.addingTimeInterval(-600)]
        // The oldest failure (600 s ago) leaves the 900 s window in 300 s.
        #expect(throttle.decide(failures: five, now: now) == .retryAfter(seconds: 300))
        let old = four + [now.addingTimeInterval(-901)]
        #expect(throttle.decide(failures: old, now: now) == .allowed)
    }

    @Test("R-P4 an invitation token works once, while pending and unexpired")
    func invitationStates() {
        let now = Date(timeIntervalSince1970: 2_000_000)
        let later = now.addingTimeInterval(InvitationRules.lifetime)
        #expect(InvitationRules.check(status: .pending, expiresAt: later, now: now) == nil)
        #expect(InvitationRules.check(status: .pending, expiresAt: now, now: now) == .expired)
        #expect(InvitationRules.check(status: .accepted, expiresAt: later, now: now) == .used)
        #expect(InvitationRules.check(status: .withdrawn, expiresAt: later, now: now) == .withdrawn)
        #expect(InvitationRules.lifetime == 14 * 86_400)
    }

    /// A stand-in digest for testing the chain logic only (the store uses SHA-256).
    static func digest(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    static func chain(_ n: Int) -> [AuditRecord] {
        var records: [AuditRecord] = []
        var previous = AuditChain.genesis
        for i in 1...n {
            let at = Date(timeIntervalSince1970: Double(1_700_000_000 + i))
            let hash = digest(AuditChain.canonical(sequence: Int64(i), occurredAt: at, actor: "u\(i)", organisation: "o",
                                                   action: "login", target: "t", details: "{}", previousHash: previous))
            records.append(AuditRecord(sequence: Int64(i), occurredAt: at, actor: "u\(i)", organisation: "o", action: "login",
                                       target: "t", details: "{}", previousHash: previous, hash: hash))
            previous = hash
        }
        return records
    }

    @Test("R-L1 an intact chain verifies")
    func intactChain() {
        #expect(AuditChain.verify(Self.chain(5), sha256Hex: Self.digest) == nil)
    }

    @Test("R-L1 a changed event is the first broken link")
    func changedEvent() {
        var records = Self.chain(5)
        let r = records[2]
        records[2] = AuditRecord(sequence: r.sequence, occurredAt: r.occurredAt, actor: "mallory", organisation: r.organisation,
                                 action: r.action, target: r.target, details: r.details, previousHash: r.previousHash, hash: r.hash)
        #expect(AuditChain.verify(records, sha256Hex: Self.digest) == .contentChanged(sequence: 3))
    }

    @Test("R-L1 a removed event shows as a gap")
    func removedEvent() {
        var records = Self.chain(5)
        records.remove(at: 1)
        #expect(AuditChain.verify(records, sha256Hex: Self.digest) == .gap(after: 1, found: 3))
    }
}

@Suite("Typed ids")
struct TaggedTests {
    @Test("The string form is the lower-case canonical UUID and parses back")
    func stringForm() {
        for _ in 0..<200 {
            let id = UserID(UUID())
            #expect(id.string == id.rawValue.uuidString.lowercased())
            #expect(UserID(string: id.string) == id)
        }
    }
}
