import Foundation

// R-O4 accounts that hold: two-factor sign-in. A time-based one-time password (TOTP, RFC 6238)
// from an authenticator app, or one of ten single-use recovery codes shown once. Core holds the
// arithmetic only: the clock, the random bytes and the HMAC-SHA1 are handed in (the web layer
// passes swift-crypto's), and the store keeps the secret, the last used counter and the hashed
// recovery codes.

/// RFC 4648 base32 (alphabet `A`–`Z`, `2`–`7`): how authenticator apps expect the TOTP secret,
/// in the QR code and for typing it in by hand.
public enum Base32 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Without `=` padding: the `otpauth://` key URI format leaves it out, and apps accept that.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1f)])
            }
            // Keep only the bits not written yet, so the buffer never grows.
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower or upper case; spaces anywhere and trailing `=` padding are ignored (people type
    /// secrets in groups). nil for any other character, for text after padding, and for a length
    /// no byte string encodes to (1, 3 or 6 characters over a multiple of 8). Leftover bits of
    /// the last character are ignored, as RFC 4648 §3.5 allows.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var characters = 0
        var padded = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") { continue }
            if byte == UInt8(ascii: "=") { padded = true; continue }
            guard !padded, let value = value(of: byte) else { return nil }
            characters += 1
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        guard ![1, 3, 6].contains(characters % 8) else { return nil }
        return out
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): return byte - UInt8(ascii: "2") + 26
        default: return nil
        }
    }
}

/// R-O4: time-based one-time passwords (RFC 6238 over HOTP, RFC 4226) as every authenticator
/// app makes them by default: HMAC-SHA1, 6 digits, a 30 second step.
public enum TOTP {
    /// HMAC-SHA1 of `message` under `key`, handed in: Core has no cryptography of its own.
    public typealias HMAC = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    public static let digits = 6
    public static let step: Int64 = 30
    /// Steps accepted before and after the current one: the phone's clock may be a little off,
    /// and a code typed in the last seconds of its step arrives in the next (RFC 6238 §5.2).
    public static let window: Int64 = 1
    /// 160 bits, the HMAC-SHA1 output size RFC 4226 §4 recommends for the shared secret.
    public static let secretLength = 20
    /// Longer input is refused before any work: no code plus spaces needs more.
    static let maximumInputLength = 32
    /// An HMAC-SHA1 digest is 20 bytes; dynamic truncation reads up to byte 15 + 3.
    static let digestLength = 20

    public enum Verification: Equatable, Sendable {
        /// The code is right; the store keeps `counter` as the last used one.
        case accepted(counter: Int64)
        /// The code is right for a step at or before the last one used: a code works once, and
        /// an older one never after a newer (RFC 6238 §5.2), so an onlooker cannot reuse it.
        case replayed
        case wrong
    }

    /// The RFC 6238 time step: floor(Unix seconds / 30). A date outside Int64's range is clamped
    /// and a NaN date gives 0, so no value can trap here.
    public static func counter(at date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard !seconds.isNaN else { return 0 }
        let steps = (seconds / Double(step)).rounded(.down)
        if let exact = Int64(exactly: steps) { return exact }
        return steps > 0 ? .max : .min
    }

    /// The HOTP value for `counter` (RFC 4226 §5.3, dynamic truncation), zero-padded to 6 digits.
    /// An HMAC that does not return 20 bytes (not SHA-1) gives "", which `verify` never accepts.
    public static func code(secret: [UInt8], counter: Int64, hmac: HMAC) -> String {
        let bits = UInt64(bitPattern: counter)
        let message = (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * $0)) }
        let digest = hmac(secret, message)
        guard digest.count == digestLength, let last = digest.last else { return "" }
        let offset = Int(last & 0x0f)
        let binary = (UInt32(digest[offset] & 0x7f) << 24) | (UInt32(digest[offset + 1]) << 16)
            | (UInt32(digest[offset + 2]) << 8) | UInt32(digest[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Checks a typed code against the steps now-1, now and now+1. Spaces around and inside are
    /// dropped ("123 456", as apps show it); then exactly 6 ASCII digits are needed — fullwidth
    /// or other Unicode digits are `.wrong`, never trapped on. Every candidate step is computed
    /// and compared in constant time, so the answer's timing says nothing about how close a guess
    /// was. If two steps match (a one in a million collision), the earliest still unused counts.
    public static func verify(_ input: String, secret: [UInt8], now: Date, lastUsedCounter: Int64?, hmac: HMAC) -> Verification {
        guard input.utf8.count <= maximumInputLength else { return .wrong }
        let typed = input.utf8.filter { $0 != UInt8(ascii: " ") }
        guard typed.count == digits, typed.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return .wrong }

        let current = counter(at: now)
        var matches: [Int64] = []
        for offset in -window...window {
            let (candidate, overflow) = current.addingReportingOverflow(offset)
            if overflow { continue }
            let expected = Array(code(secret: secret, counter: candidate, hmac: hmac).utf8)
            if constantTimeEqual(expected, typed) { matches.append(candidate) }
        }
        guard !matches.isEmpty else { return .wrong }
        let unused = matches.filter { used in lastUsedCounter.map { used > $0 } ?? true }
        guard let accepted = unused.min() else { return .replayed }
        return .accepted(counter: accepted)
    }

    /// Equal lengths are compared byte by byte without an early exit; the length is no secret
    /// (always 6 for a code that passed the input check).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The key URI the QR code holds (Google Authenticator's `otpauth://` format): the label
    /// `issuer:account` and the `issuer` parameter both name the issuer, so every app shows it.
    public static func provisioningURI(secret: [UInt8], account: String, issuer: String) -> String {
        let label = percentEncoded(issuer) + ":" + percentEncoded(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(percentEncoded(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(step)"
    }

    /// RFC 3986: unreserved characters (`A`–`Z`, `a`–`z`, `0`–`9`, `-._~`) stay, every other
    /// UTF-8 byte becomes `%XX` — also `:`, `@`, `&` and `?`, so an account name cannot end the
    /// label or add a parameter.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// R-O4: ten single-use recovery codes, shown once when two-factor sign-in is set up, for the day
/// the phone is lost. The store keeps only their hashes and strikes each one when used.
public enum RecoveryCodes {
    /// Codes made at a time.
    public static let count = 10
    /// Characters per code, and random bytes handed in per code.
    public static let length = 10
    /// 31 characters without 0/o, 1/l/i, which are easily mixed up when read off paper.
    public static let alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    static let alphabetBytes: [UInt8] = Array(alphabet.utf8)
    /// Longer input is refused before any work: a code with generous spacing needs far less.
    static let maximumInputLength = 64

    /// A code `xxxxx-xxxxx` from 10 random bytes (handed in, so tests fix them): each byte modulo
    /// 31 picks a character. The modulo bias (256 = 8·31 + 8, so the first 8 characters come up
    /// 9/8 as often) is acceptable: 31^10 ≈ 8·10^14 codes remain, each code is single-use and
    /// sign-in attempts are throttled. Bytes beyond 10 are ignored; fewer give a shorter code,
    /// which `normalise` refuses.
    public static func format(_ bytes: [UInt8]) -> String {
        let characters = bytes.prefix(length).map { alphabetBytes[Int($0) % alphabetBytes.count] }
        let half = length / 2
        guard characters.count > half else { return String(decoding: characters, as: UTF8.self) }
        return String(decoding: characters.prefix(half), as: UTF8.self) + "-" + String(decoding: characters.dropFirst(half), as: UTF8.self)
    }

    /// The 10 characters of a typed code: upper case is lowered and spaces and dashes dropped
    /// ("ABCDE-FGHJK", "abcde fghjk"). nil when anything else is left or the length is not 10.
    /// Works on ASCII bytes only: Unicode lower-casing would turn the Kelvin sign `K` into `k`.
    public static func normalise(_ input: String) -> String? {
        guard input.utf8.count <= maximumInputLength else { return nil }
        var out: [UInt8] = []
        for byte in input.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") { continue }
            let lower = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            guard alphabetBytes.contains(lower) else { return nil }
            out.append(lower)
        }
        guard out.count == length else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}

/// R-O4: who must sign in with a second factor.
public enum TwoFactorRules {
    /// Provider staff always; otherwise whoever is legal representative or admin of at least one
    /// approved partner organisation — they can act for the organisation (members, billing,
    /// partnerships). `partnerRoles` are the roles the user holds in approved partner
    /// organisations only; the caller filters.
    public static func required(isStaff: Bool, partnerRoles: [OrganisationRole]) -> Bool {
        if isStaff { return true }
        return partnerRoles.contains { role in
            // Exhaustive on purpose: a new role must be decided here.
            switch role {
            case .legalRepresentative, .admin: return true
            case .employee, .externalUser: return false
            }
        }
    }
}
