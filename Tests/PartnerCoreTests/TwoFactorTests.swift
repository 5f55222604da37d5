import Foundation
import Testing
@testable import PartnerCore

/// R-O4 two-factor sign-in. Every expected value comes from the RFCs (4226, 6238, 4648, 2202,
/// FIPS 180-4) or is worked out by hand from the rule, never from the code's own output.
@Suite("R-O4 two-factor sign-in: base32, TOTP, recovery codes, who must use it")
struct TwoFactorTests {
    /// RFC 4226 Appendix D and RFC 6238 Appendix B: the ASCII bytes of "12345678901234567890".
    static let rfcSecret = Array("12345678901234567890".utf8)
    static let hmac: TOTP.HMAC = { key, message in TestSHA1.hmac(key: key, message: message) }

    /// The date in the middle of a 30 second step.
    static func date(counter: Int64) -> Date { Date(timeIntervalSince1970: Double(counter * 30 + 15)) }

    static func verify(_ input: String, counter: Int64, lastUsed: Int64? = nil) -> TOTP.Verification {
        TOTP.verify(input, secret: rfcSecret, now: date(counter: counter), lastUsedCounter: lastUsed, hmac: hmac)
    }

    // MARK: The test-only SHA-1 and HMAC, checked first

    @Test("The test-only SHA-1 matches FIPS 180-4's examples and HMAC-SHA1 matches RFC 2202")
    func testHashIsRight() {
        #expect(TestSHA1.hex(TestSHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(TestSHA1.hex(TestSHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        // 56 bytes: the padding needs a second block.
        #expect(TestSHA1.hex(TestSHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // RFC 2202 §3, test cases 1, 2 and 6 (a key longer than the block is hashed first).
        #expect(TestSHA1.hex(TestSHA1.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(TestSHA1.hex(TestSHA1.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(TestSHA1.hex(TestSHA1.hmac(key: [UInt8](repeating: 0xaa, count: 80),
                                           message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    // MARK: Base32

    @Test("R-O4 base32 encodes and decodes the RFC 4648 §10 vectors, without padding",
          arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func base32Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test("R-O4 base32 decoding takes lower case, spaces and trailing padding, and round-trips every length")
    func base32Lenient() {
        #expect(Base32.decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(Base32.decode("MzXw 6yTb oI") == Array("foobar".utf8))
        #expect(Base32.decode(" MZXW6YQ= ") == Array("foob".utf8))
        #expect(Base32.decode("MZXW6===") == Array("foo".utf8))
        #expect(Base32.decode("MY======") == Array("f".utf8))
        // The secret of the RFC vectors, as the Google Authenticator key URI documentation shows it.
        #expect(Base32.encode(Self.rfcSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        var generator = SplitMix64(seed: 4648)
        for length in 0...41 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
            #expect(Base32.decode(Base32.encode(bytes).lowercased()) == bytes)
        }
    }

    @Test("R-O4 base32 refuses other characters, text after padding and impossible lengths",
          arguments: ["MZXW1", "MZXW0", "MZXW8", "MZXW9", "MZ-XW6", "MZXW6\u{0}", "MZXW6😀", "ＭＺＸＷ６", "MZ=XW6", "M", "MZX", "MZXW6Y", "MZXW6YTBO"])
    func base32Refused(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    // MARK: TOTP codes against the RFCs

    @Test("R-O4 HOTP codes match RFC 4226 Appendix D for counters 0 to 9")
    func hotpVectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(TOTP.code(secret: Self.rfcSecret, counter: Int64(counter), hmac: Self.hmac) == code, "counter \(counter)")
        }
    }

    @Test("R-O4 TOTP codes match RFC 6238 Appendix B (SHA-1, last 6 of the 8 digits) at the RFC's steps",
          arguments: [(59.0, Int64(0x1), "287082"), (1_111_111_109, 0x23523EC, "081804"), (1_111_111_111, 0x23523ED, "050471"),
                      (1_234_567_890, 0x273EF07, "005924"), (2_000_000_000, 0x3F940AA, "279037"), (20_000_000_000, 0x27BC86AA, "353130")])
    func totpVectors(seconds: Double, counter: Int64, code: String) {
        let now = Date(timeIntervalSince1970: seconds)
        #expect(TOTP.counter(at: now) == counter)
        #expect(TOTP.code(secret: Self.rfcSecret, counter: TOTP.counter(at: now), hmac: Self.hmac) == code)
        #expect(TOTP.verify(code, secret: Self.rfcSecret, now: now, lastUsedCounter: nil, hmac: Self.hmac) == .accepted(counter: counter))
    }

    @Test("R-O4 the step is floor(seconds / 30); odd dates are clamped, never trapped on")
    func counters() {
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: 0)) == 0)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: 29.999)) == 0)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: 30)) == 1)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: -1)) == -1)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: .nan)) == 0)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: .infinity)) == .max)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: -.infinity)) == .min)
        #expect(TOTP.counter(at: Date(timeIntervalSince1970: 1e300)) == .max)
        _ = TOTP.counter(at: .distantPast)
        _ = TOTP.counter(at: .distantFuture)
        // At the ends of the counter range the window has no neighbour on one side; nothing overflows.
        for date in [Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: -.infinity), Date(timeIntervalSince1970: .nan)] {
            let result = TOTP.verify("287082", secret: Self.rfcSecret, now: date, lastUsedCounter: .max, hmac: Self.hmac)
            #expect([.wrong, .replayed].contains(result))
        }
    }

    @Test("R-O4 an HMAC that is not SHA-1 sized gives no code, and nothing is accepted")
    func wrongHMAC() {
        let short: TOTP.HMAC = { _, _ in [1, 2, 3] }
        #expect(TOTP.code(secret: Self.rfcSecret, counter: 1, hmac: short) == "")
        #expect(TOTP.verify("287082", secret: Self.rfcSecret, now: Self.date(counter: 1), lastUsedCounter: nil, hmac: short) == .wrong)
    }

    // MARK: Verification

    @Test("R-O4 the steps before and after now are accepted (clock skew), two steps away are wrong")
    func window() {
        // Now is step 5 (RFC 4226 code 254676); steps 3 to 7 are 969429, 338314, 254676, 287922, 162583.
        #expect(Self.verify("254676", counter: 5) == .accepted(counter: 5))
        #expect(Self.verify("338314", counter: 5) == .accepted(counter: 4))
        #expect(Self.verify("287922", counter: 5) == .accepted(counter: 6))
        #expect(Self.verify("969429", counter: 5) == .wrong)
        #expect(Self.verify("162583", counter: 5) == .wrong)
        #expect(TOTP.window == 1 && TOTP.step == 30 && TOTP.digits == 6 && TOTP.secretLength == 20)
        // The first and last second of step 5 (seconds 150 and 179).
        for seconds in [150.0, 179.999] {
            let now = Date(timeIntervalSince1970: seconds)
            #expect(TOTP.verify("254676", secret: Self.rfcSecret, now: now, lastUsedCounter: nil, hmac: Self.hmac) == .accepted(counter: 5))
        }
        #expect(TOTP.verify("287922", secret: Self.rfcSecret, now: Date(timeIntervalSince1970: 149.999), lastUsedCounter: nil, hmac: Self.hmac) == .wrong)
    }

    @Test("R-O4 a code works once: the same step again, or an older step after a newer one, is a replay")
    func replay() {
        #expect(Self.verify("254676", counter: 5, lastUsed: 5) == .replayed)
        #expect(Self.verify("338314", counter: 5, lastUsed: 5) == .replayed)
        #expect(Self.verify("338314", counter: 5, lastUsed: 6) == .replayed)
        #expect(Self.verify("254676", counter: 5, lastUsed: 4) == .accepted(counter: 5))
        #expect(Self.verify("287922", counter: 5, lastUsed: 5) == .accepted(counter: 6))
        // The code of step 6 was used (typed early); the code of step 5 is older and may not follow it.
        #expect(Self.verify("254676", counter: 6, lastUsed: 6) == .replayed)
        // A replay is only ever a right code: a wrong one stays wrong whatever was used before.
        #expect(Self.verify("000000", counter: 5, lastUsed: 5) == .wrong)
    }

    @Test("R-O4 spaces around and inside a code are dropped", arguments: ["287 082", " 287082 ", "28 70 82", "  287  082  "])
    func spaces(input: String) {
        #expect(Self.verify(input, counter: 1) == .accepted(counter: 1))
    }

    @Test("R-O4 hostile or malformed codes are wrong, never trapped on",
          arguments: ["", " ", "abcdef", "２８７０８２", "٢٨٧٠٨٢", "2870820", "28708", "0287082", "+28708", "-28708", "287\u{0}082", "287082\u{0}",
                      "😀", "287082😀", "287\u{301}082", "287\t082", "287-082", "28708２", "\u{FEFF}287082", String(repeating: " ", count: 40) + "287082"])
    func hostile(input: String) {
        #expect(Self.verify(input, counter: 1) == .wrong)
    }

    @Test("R-O4 100,000 characters are refused as wrong before any work")
    func huge() {
        for input in [String(repeating: "2", count: 100_000), String(repeating: "😀", count: 100_000), "287082" + String(repeating: " ", count: 100_000)] {
            #expect(Self.verify(input, counter: 1) == .wrong)
        }
    }

    @Test("R-O4 the key URI names the issuer twice and percent-encodes everything but RFC 3986 unreserved characters")
    func provisioningURI() {
        #expect(TOTP.provisioningURI(secret: Self.rfcSecret, account: "anna.muster@example.ch", issuer: "Partner Hub")
                == "otpauth://totp/Partner%20Hub:anna.muster%40example.ch?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Partner%20Hub&algorithm=SHA1&digits=6&period=30")
        // ü is C3 BC in UTF-8; ':', '&', '?', '=' and '/' could otherwise end the label or add a parameter.
        #expect(TOTP.provisioningURI(secret: [0], account: "zü:a&b?c=d/e", issuer: "A-Z_a.z~0")
                == "otpauth://totp/A-Z_a.z~0:z%C3%BC%3Aa%26b%3Fc%3Dd%2Fe?secret=AA&issuer=A-Z_a.z~0&algorithm=SHA1&digits=6&period=30")
    }

    // MARK: Recovery codes

    @Test("R-O4 a recovery code is 10 characters of the 31-character alphabet, grouped xxxxx-xxxxx")
    func recoveryFormat() {
        #expect(RecoveryCodes.count == 10)
        #expect(RecoveryCodes.alphabet.count == 31)
        #expect(!RecoveryCodes.alphabet.contains { "0o1li".contains($0) })
        // Byte n picks character n mod 31: 0…9 are "23456789ab"; 30 is 'z', 31 wraps to '2', 255 = 8·31 + 7 is '9'.
        #expect(RecoveryCodes.format(Array(0..<10)) == "23456-789ab")
        #expect(RecoveryCodes.format([30, 31, 255, 61, 92, 123, 154, 185, 216, 247]) == "z29zz-zzzzz")
        var generator = SplitMix64(seed: 10)
        var seen = Set<String>()
        for _ in 0..<1000 {
            let code = RecoveryCodes.format((0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) })
            #expect(code.count == 11 && Array(code)[5] == "-")
            #expect(code.filter { $0 != "-" }.allSatisfy { RecoveryCodes.alphabet.contains($0) })
            #expect(RecoveryCodes.normalise(code) == code.filter { $0 != "-" })
            #expect(RecoveryCodes.normalise(code.uppercased()) == code.filter { $0 != "-" })
            seen.insert(code)
        }
        #expect(seen.count == 1000)
        // Too few bytes give a code that is never accepted.
        #expect(RecoveryCodes.normalise(RecoveryCodes.format([1, 2, 3])) == nil)
    }

    @Test("R-O4 typed recovery codes ignore case, spaces and dashes",
          arguments: ["ABCDE-FGHJK", "abcde-fghjk", "abcdefghjk", "ABCDE FGHJK", " AbCdE - fGhJk ", "a-b-c-d-e-f-g-h-j-k",
                      String(repeating: " ", count: 54) + "abcdefghjk"])
    func recoveryAccepted(input: String) {
        #expect(RecoveryCodes.normalise(input) == "abcdefghjk")
    }

    @Test("R-O4 typed recovery codes with a wrong length or an excluded or foreign character are refused",
          arguments: ["", "-", "abcde-fghj", "abcde-fghjkm", "abcde-fghji", "abcde-fghjl", "abcde-fghjo", "abcde-fghj0", "abcde-fghj1",
                      "ABCDE-FGHJI", "abcde_fghjk", "abcde\tfghjk", "abcde-fghj\u{212A}", "ａｂｃｄｅ-ｆｇｈｊｋ", "abcde-fghjk\u{0}", "abcde-fghj😀",
                      String(repeating: " ", count: 55) + "abcdefghjk"])
    func recoveryRefused(input: String) {
        #expect(RecoveryCodes.normalise(input) == nil)
    }

    @Test("R-O4 100,000 characters are refused as a recovery code before any work")
    func recoveryHuge() {
        for input in [String(repeating: "a", count: 100_000), String(repeating: "😀", count: 100_000), "abcdefghjk" + String(repeating: " ", count: 100_000)] {
            #expect(RecoveryCodes.normalise(input) == nil)
        }
    }

    // MARK: Who must use it

    @Test("R-O4 two-factor sign-in is required for staff and for LRs and admins of approved partners, for every role")
    func required() {
        let table: [OrganisationRole: Bool] = [.legalRepresentative: true, .admin: true, .employee: false, .externalUser: false]
        #expect(Set(table.keys) == Set(OrganisationRole.allCases))
        for (role, needed) in table {
            #expect(TwoFactorRules.required(isStaff: false, partnerRoles: [role]) == needed, "\(role)")
            #expect(TwoFactorRules.required(isStaff: true, partnerRoles: [role]), "\(role), staff")
        }
        #expect(TwoFactorRules.required(isStaff: true, partnerRoles: []))
        #expect(!TwoFactorRules.required(isStaff: false, partnerRoles: []))
        #expect(TwoFactorRules.required(isStaff: false, partnerRoles: [.employee, .externalUser, .admin]))
        #expect(!TwoFactorRules.required(isStaff: false, partnerRoles: [.employee, .externalUser, .employee]))
    }
}

/// TEST ONLY — not for production use. SHA-1 (FIPS 180-4 §6.1) and HMAC (RFC 2104), because
/// PartnerCoreTests cannot import Crypto; the web layer hands swift-crypto's HMAC<Insecure.SHA1>
/// to `TOTP`. Written for clarity, not speed, and checked against the published vectors above.
enum TestSHA1 {
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        // Padding: a 1 bit, zeros to 56 mod 64 bytes, then the message length in bits, big-endian.
        var data = message
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
        for block in stride(from: 0, to: data.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 80)
            for t in 0..<16 {
                let i = block + 4 * t
                w[t] = (UInt32(data[i]) << 24) | (UInt32(data[i + 1]) << 16) | (UInt32(data[i + 2]) << 8) | UInt32(data[i + 3])
            }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                (e, d, c, b, a) = (d, c, rotl(b, 30), a, temp)
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }
    }

    /// RFC 2104 with SHA-1's 64-byte block: H((K ^ opad) || H((K ^ ipad) || message)).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = hash(block.map { $0 ^ 0x36 } + message)
        return hash(block.map { $0 ^ 0x5c } + inner)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
