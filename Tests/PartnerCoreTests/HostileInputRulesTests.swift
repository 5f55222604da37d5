import Foundation
import Testing
@testable import PartnerCore

/// R-H1 in the core: text, digits and header values from outside are read as Unicode scalars or
/// bytes, refused when they hold what their field may not, and never trapped on.
@Suite("R-H1 hostile input: text, digits, mail headers")
struct HostileInputRulesTests {
    @Test("Single lines refuse every control, line break and direction override; multi-line text allows line breaks and tabs only",
          arguments: [
            ("a\u{0}b", false, false), ("a\nb", false, true), ("a\r\nb", false, true), ("a\tb", false, true), ("a\u{1B}[31m", false, false),
            ("a\u{7F}", false, false), ("a\u{85}b", false, false), ("a\u{202E}gnp.exe", false, false), ("a\u{2066}b", false, false),
            ("a\u{2028}b", false, true), ("a\u{FFFD}", false, false), ("a\u{FFFF}", false, false), ("a\u{FEFF}", false, false),
            ("Zürich", true, true), ("👩‍👩‍👧‍👦 family", true, true), ("Ærø \u{200D} x", true, true), ("عربي", true, true), ("\"><'", true, true),
          ])
    func scalars(text: String, singleLine: Bool, multiLine: Bool) {
        #expect(TextInput.hasOnlyAllowedScalars(text, .singleLine) == singleLine)
        #expect(TextInput.hasOnlyAllowedScalars(text, .multiLine) == multiLine)
    }

    @Test("Length is counted in Unicode scalars: 100,000 combining marks on one letter are not one character")
    func lengthInScalars() {
        var errors = ValidationErrors()
        let zalgo = "a" + String(repeating: "\u{0301}", count: 100_000)
        #expect(zalgo.count == 1)
        _ = TextInput.field(zalgo, "name", max: 120, into: &errors)
        #expect(errors.errors == [FieldError("name", .tooLong)])
    }

    @Test("A field refuses control characters anywhere, trims blanks, says required for blanks, counts what was sent")
    func field() {
        var errors = ValidationErrors()
        #expect(TextInput.field("  Anna  ", "name", max: 10, into: &errors) == "Anna")
        #expect(TextInput.field("\u{3000}Anna\u{A0}", "name", max: 10, into: &errors) == "Anna")
        _ = TextInput.field("Anna\r\nBcc: x@evil.example", "name", max: 100, into: &errors)
        _ = TextInput.field("Anna\n", "last", max: 100, into: &errors)
        _ = TextInput.field("   ", "title", max: 10, into: &errors)
        _ = TextInput.field("", "phone", max: 10, required: false, into: &errors)
        _ = TextInput.field("Anna      ", "short", max: 5, into: &errors)
        #expect(TextInput.field(" line one\n\tline two\n", "description", kind: .multiLine, max: 100, into: &errors) == "line one\n\tline two")
        #expect(errors.errors == [FieldError("name", .invalidCharacters), FieldError("last", .invalidCharacters), FieldError("title", .required),
                                  FieldError("short", .tooLong)])
    }

    @Test("The contract's patterns accept exactly what the field accepts (one set of ranges for both)",
          arguments: ["Anna", " Anna ", "Anna\n", "", "   ", "\u{3000}", "a\u{0}", "a\rb", "a\nb", "\nb", "Zürich 👩‍👩‍👧", "a\u{202E}b", "a\u{FEFF}",
                      "a\u{85}", "x\u{2028}y", "\t", "x\ty", "\n\n",
                      "\u{200B}", "An\u{200B}na", "\u{3164}", "\u{115F}\u{1160}", "\u{FFA0}", "a\u{2060}", "\u{180E}", "\u{200E}", " \u{200F} ",
                      "\u{200F}שלום", "Ann\u{200D}a", "می\u{200C}خواهم", "\u{200D}", "\u{0301}", "Jose\u{0301}", "\u{E0041}", "a\u{1D173}", "\u{2800}",
                      "🏴\u{E0067}\u{E0062}\u{E007F}", "\u{061C}"])
    func patternsAgreeWithField(text: String) throws {
        func contains(_ pattern: String) throws -> Bool {
            try NSRegularExpression(pattern: pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        for kind in [TextKind.singleLine, .multiLine] {
            for required in [true, false] {
                var errors = ValidationErrors()
                _ = TextInput.field(text, "f", kind: kind, max: 1000, required: required, into: &errors)
                let valid = try !contains(TextInput.forbiddenPattern(kind)) && (!required || contains(TextInput.requiredPattern(kind)))
                #expect(valid == errors.isEmpty, "\(kind) required=\(required) \(text.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
    }

    @Test("A name that shows nothing, or looks like another, is refused: zero-width space, word joiner, Hangul fillers; direction marks alone are empty",
          arguments: [("An\u{200B}na", FieldError.Code.invalidCharacters), ("\u{3164}", .invalidCharacters), ("\u{115F}", .invalidCharacters),
                      ("\u{FFA0}", .invalidCharacters), ("Anna\u{2060}", .invalidCharacters), ("\u{180E}", .invalidCharacters),
                      ("\u{200E}\u{200F}", .required), ("Ann\u{200D}a", nil), ("\u{200F}שלום", nil),
                      // Showing nothing on their own: a name of only these is empty (found by an outside review).
                      ("\u{200D}", .required), ("\u{200C}", .required), ("\u{00AD}", .required), ("\u{034F}", .required), ("\u{17B4}", .required),
                      ("\u{2800}", .required), ("\u{FE0F}", .required), ("\u{E0041}", .required), ("\u{061C}", .required), ("\u{180B}", .required),
                      ("\u{0301}", .required), ("\u{206A}", .invalidCharacters), ("\u{FFF9}", .invalidCharacters), ("\u{1D173}", .invalidCharacters),
                      // …but they stay where they belong: an accent, an emoji sequence, a flag.
                      ("Jose\u{0301}", nil), ("👩‍👩‍👧", nil), ("❤\u{FE0F}", nil), ("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", nil)]
          as [(String, FieldError.Code?)])
    func invisible(text: String, code: FieldError.Code?) {
        var errors = ValidationErrors()
        _ = TextInput.field(text, "name", kind: .singleLine, max: 100, into: &errors)
        #expect(errors.errors.map(\.code) == (code.map { [$0] } ?? []), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("E-mail addresses: the contract's pattern agrees with the parser",
          arguments: ["anna@alpenweb.ch", " anna@alpenweb.ch ", "ANNA@Alpenweb.CH", "a@b.c", "a@b", "a.b+c@x-y.example.ch", "a@-b.ch", "a@b-.ch",
                      "\"a\"@b.ch", "a@b.ch\n", "é@b.ch", "a@b..ch", "a@@b.ch", "0@0.com", "a@" + String(repeating: "x", count: 64) + ".ch",
                      ".a@b.ch", " .a@b.ch", "a.@b.ch", "a..b@b.ch", "a.b.c@b.ch", "a@b.c1", "a@b.123", "a@b.xn--p1ai", "a@b.XN--P1AI", "a@b.xn--",
                      "a@b.xn-p1ai", "a@b.ch.", String(repeating: "a", count: 64) + "@b.ch", String(repeating: "a", count: 65) + "@b.ch"])
    func emailPattern(text: String) throws {
        let whole = NSRange(text.startIndex..., in: text)
        let matches = try NSRegularExpression(pattern: EmailAddress.pattern).firstMatch(in: text, range: whole).map { $0.range == whole } ?? false
        let clean = try NSRegularExpression(pattern: EmailAddress.forbiddenPattern).firstMatch(in: text, range: whole) == nil
        #expect((matches && clean) == (EmailAddress(text) != nil), "\(text)")
    }

    @Test("Digits are U+0030…U+0039 only; overflow is a refusal",
          arguments: [("1\u{0301}", nil), ("１２", nil), ("١٢", nil), ("12", 12), ("007", 7), ("", nil), ("+1", nil), ("-1", nil),
                      ("999999999999999999", 999_999_999_999_999_999), ("9999999999999999999", nil), ("9223372036854775808", nil)] as [(String, Int64?)])
    func decimals(text: String, value: Int64?) {
        #expect(ASCIIDecimal.parse(text) == value)
    }

    @Test("Amounts: the review's crash case and its relatives are refused, not trapped on",
          arguments: [("1\u{0301}", nil), ("1.5\u{0301}", nil), ("10.00", 1000), ("10.5", 1050), ("0.99", 99), ("１0", nil), ("1e3", nil),
                      ("1.", nil), (".5", nil), ("1.234", nil), ("999999999999999", 99_999_999_999_999_900), ("9999999999999999", nil)] as [(String, Int64?)])
    func amounts(text: String, minor: Int64?) {
        #expect(MoneyFormat.parseAmount(text) == minor)
    }

    @Test("Support codes take ASCII digits only", arguments: ["1234 567\u{0301}8", "１２３４５６７８", "12345678\u{0}"])
    func supportCodes(text: String) {
        #expect(SupportCode(text) == nil)
    }

    @Test("E-mail addresses are ASCII byte by byte; anything with a line break, quote or combining mark is refused",
          arguments: ["a@b.ch\r\nBcc: x@evil.example", "a\"@b.ch", "é@b.ch", "a@b\u{0301}.ch", "a@b.ch\u{0}", "<a@b.ch>", "a@@b.ch", "a@-b.ch",
                      ".anna@b.ch", "anna.@b.ch", "an..na@b.ch", "anna@b.c0m", "anna@10.0.0.1"])
    func emails(text: String) {
        #expect(EmailAddress(text) == nil)
    }

    @Test("A mail header value never holds a line break of its own: controls become spaces, the rest is RFC 2047 encoded and folded")
    func headers() {
        #expect(MailHeader.encode("Welcome to PartnerHub") == "Welcome to PartnerHub")
        #expect(MailHeader.encode("Offer\r\nBcc: victim@example.ch") == "Offer  Bcc: victim@example.ch")
        let german = MailHeader.encode("Grüezi – Zugriffsrechte für Bäckerei Huber")
        #expect(german.hasPrefix("=?UTF-8?B?"))
        // Every line of the folded value is one encoded-word of at most 75 characters.
        let words = german.components(separatedBy: "\r\n ")
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        let decoded = words.map { word -> String in
            let base64 = String(word.dropFirst(10).dropLast(2))
            return String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == "Grüezi – Zugriffsrechte für Bäckerei Huber")
        // A long value with a line break: encoded, the break gone.
        let long = MailHeader.encode(String(repeating: "ä", count: 200) + "\nX-Evil: 1")
        #expect(!long.replacingOccurrences(of: "\r\n ", with: "").contains("\n"))
        #expect(!long.replacingOccurrences(of: "\r\n ", with: "").contains("\r"))
        // A value that looks like an encoded-word is encoded itself, so it cannot smuggle one.
        #expect(MailHeader.encode("=?UTF-8?B?QmNjOg==?=").hasPrefix("=?UTF-8?B?PT9"))
    }
}

@Suite("R-H1 dates read byte by byte")
struct DateInputTests {
    @Test("Days: what Foundation's formatter trapped on is refused; real days agree with it",
          arguments: ["1\u{0301}", "2027-01-3\u{0301}1", "２０２７-01-31", "2027-02-29", "2028-02-29", "2027-13-01", "0000-01-01", "2027-1-31", "2027-01-31T00:00:00Z", ""])
    func days(text: String) {
        let reference = DateFormatter()
        reference.locale = Locale(identifier: "en_US_POSIX")
        reference.timeZone = TimeZone(identifier: "UTC")
        reference.dateFormat = "yyyy-MM-dd"
        reference.isLenient = false
        // Only plain ASCII texts go to the reference: it is the formatter that traps on the others.
        let expected = text.utf8.allSatisfy { $0 < 0x80 } && text.utf8.count == 10 ? reference.date(from: text) : nil
        #expect(DateInput.day(text) == expected, "\(text)")
    }

    @Test("Date-times: RFC 3339 with fractions and offsets, as ISO8601DateFormatter reads them",
          arguments: ["2027-01-31T12:00:00Z", "2027-01-31t12:00:00z", "2027-01-31T12:00:00+01:00", "2027-01-31T12:00:00-05:30", "2000-02-29T23:59:59Z",
                      "2027-01-31T12:00:00.250Z"])
    func dateTimes(text: String) {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let expected = plain.date(from: text.uppercased()) ?? fractional.date(from: text.uppercased())
        #expect(expected != nil && DateInput.dateTime(text) == expected, "\(text)")
    }

    @Test("Date-times that are not RFC 3339 are refused", arguments: ["2027-01-31 12:00:00Z", "2027-01-31T12:00:00", "2027-01-31T24:00:00Z",
                                                                      "2027-01-31T12:00:0\u{0301}0Z", "2027-02-30T12:00:00Z", "2027-01-31T12:00:00+1:00"])
    func refused(text: String) {
        #expect(DateInput.dateTime(text) == nil)
    }
}
