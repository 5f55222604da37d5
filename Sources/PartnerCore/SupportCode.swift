/// R-S1: every user has a numeric support code of 8 digits (choice), unique, regenerable.
/// Randomness is handed in, so tests fix it; uniqueness is the store's job (a unique index and a retry).
public struct SupportCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String
    public var description: String { value }
    public static let length = 8

    public init?(_ text: String) {
        let digits = text.filter { $0 != " " }
        guard digits.utf8.count == Self.length, ASCIIDecimal.isDigits(digits), digits.utf8.first != UInt8(ascii: "0") else { return nil }
        value = digits
    }

    private init(digits: String) { value = digits }

    /// A code from 10000000 to 99999999 (no leading zero, so it survives spreadsheets and phones).
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> SupportCode {
        SupportCode(digits: String(Int.random(in: 10_000_000...99_999_999, using: &generator)))
    }

    /// `1234 5678`: easier to read out on the phone.
    public var grouped: String { "\(value.prefix(4)) \(value.suffix(4))" }
}
