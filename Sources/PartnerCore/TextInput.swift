/// R-H1: text that came from outside, checked at the level of Unicode scalars — never of
/// `Character`s, whose comparisons follow Unicode order (a digit followed by a combining mark
/// still sorts between "0" and "9", and 100,000 combining marks on one letter are one Character).
import Foundation

public enum TextKind: Sendable {
    /// Names, titles, subjects, addresses: everything that may reach a mail header or an attribute.
    case singleLine
    /// Descriptions and messages: line breaks and tabs are allowed, other controls are not.
    case multiLine
}

public enum TextInput {
    /// Refused everywhere: C0 and C1 controls (line breaks and tabs only in multi-line text), DEL,
    /// U+2028/29 in single lines, the bidirectional embeddings, overrides and isolates (they make
    /// a text read differently from what it holds), noncharacters, U+FEFF and U+FFFD (the mark of
    /// bytes that were not UTF-8), and the characters that show nothing at all — the zero-width
    /// space, word joiner and invisible operators, the Mongolian vowel separator, the Hangul
    /// fillers, the deprecated format characters, interlinear annotation and musical formatting
    /// controls — with which a name looks like another or like none. (The zero-width joiner and
    /// non-joiner stay: emoji sequences and Persian need them; see `invisible`.) The same ranges
    /// make the API contract's patterns (`pattern`).
    static func forbidden(_ kind: TextKind) -> [ClosedRange<UInt32>] {
        let controls: [ClosedRange<UInt32>] = kind == .singleLine
            ? [0x00...0x1F, 0x7F...0x9F, 0x2028...0x2029] : [0x00...0x08, 0x0B...0x0C, 0x0E...0x1F, 0x7F...0x9F]
        let invisible: [ClosedRange<UInt32>] = [0x115F...0x1160, 0x180E...0x180E, 0x200B...0x200B, 0x2060...0x2064, 0x206A...0x206F, 0x3164...0x3164,
                                                0xFFA0...0xFFA0, 0xFFF9...0xFFFB, 0x1D173...0x1D17A]
        return controls + invisible + [0x202A...0x202E, 0x2066...0x2069, 0xFDD0...0xFDEF, 0xFEFF...0xFEFF, 0xFFFD...0xFFFF]
    }

    /// What trimming removes and what a required field needs one character besides: the Unicode
    /// spaces (Zs) and the left-to-right and right-to-left marks, and in multi-line text the line
    /// breaks and tabs too.
    static func blank(_ kind: TextKind) -> [ClosedRange<UInt32>] {
        let spaces: [ClosedRange<UInt32>] = [0x20...0x20, 0xA0...0xA0, 0x061C...0x061C, 0x1680...0x1680, 0x2000...0x200A, 0x200E...0x200F, 0x202F...0x202F,
                                             0x205F...0x205F, 0x3000...0x3000]
        return kind == .singleLine ? spaces : [0x09...0x0A, 0x0D...0x0D, 0x2028...0x2029] + spaces
    }

    /// Allowed inside text, where they join, vary or mark the characters beside them (emoji
    /// joiners and variation selectors, the non-joiner, combining marks, the soft hyphen, flag
    /// tags, Mongolian variation selectors, the braille blank), but showing nothing on their own:
    /// a required field needs one character besides these and the blanks, and a text of nothing
    /// else counts as empty.
    static let invisible: [ClosedRange<UInt32>] = [
        0x00AD...0x00AD, 0x0300...0x036F, 0x17B4...0x17B5, 0x180B...0x180F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x200C...0x200D, 0x20D0...0x20FF,
        0x2800...0x2800, 0xFE00...0xFE0F, 0xFE20...0xFE2F, 0xE0001...0xE0001, 0xE0020...0xE007F, 0xE0100...0xE01EF,
    ]

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool { invisible.contains { $0.contains(scalar.value) } }

    public static func isAllowed(_ scalar: Unicode.Scalar, in kind: TextKind) -> Bool {
        !forbidden(kind).contains { $0.contains(scalar.value) }
    }

    static func isBlank(_ scalar: Unicode.Scalar, in kind: TextKind) -> Bool {
        blank(kind).contains { $0.contains(scalar.value) }
    }

    public static func hasOnlyAllowedScalars(_ text: some StringProtocol, _ kind: TextKind) -> Bool {
        text.unicodeScalars.allSatisfy { isAllowed($0, in: kind) }
    }

    /// The length a user and the API contract both count: Unicode scalars (JSON Schema's
    /// `maxLength` counts code points too).
    public static func length(_ text: some StringProtocol) -> Int { text.unicodeScalars.count }

    /// The contract's two patterns for a text field of `kind`, from the same ranges as the check.
    /// Both are unanchored character classes, so every JSON Schema dialect reads them alike (an
    /// anchored `$` would let Python's validators through a final line break): `forbiddenPattern`
    /// goes under `not` (no character the field refuses), `requiredPattern` says a required field
    /// holds one character that is not blank.
    public static func forbiddenPattern(_ kind: TextKind) -> String { "[\(classBody(forbidden(kind)))]" }

    public static func requiredPattern(_ kind: TextKind) -> String { "[^\(classBody(forbidden(kind) + blank(kind) + invisible))]" }

    /// `\uXXXX` in the BMP; beyond it the scalar itself, as dialects disagree on escaping those
    /// (`\u{…}`, `\U…`) but Python's `re`, ICU and ECMA-262 with the `u` flag all read a literal
    /// scalar as one.
    static func escape(_ value: UInt32) -> String {
        if value <= 0xFFFF { return String(format: "\\u%04X", value) }
        return Unicode.Scalar(value).map { String(Character($0)) } ?? ""
    }

    static func classBody(_ ranges: [ClosedRange<UInt32>]) -> String {
        ranges.map { range in
            let low = escape(range.lowerBound), high = escape(range.upperBound)
            return range.lowerBound == range.upperBound ? low : "\(low)-\(high)"
        }.joined()
    }

    /// Checks length, characters and presence, then trims blanks at both ends. Returns the trimmed
    /// text (meaningful only when no error was added). The length counts what was sent, as the
    /// contract's `maxLength` does.
    @discardableResult
    public static func field(_ raw: String, _ field: String, kind: TextKind = .singleLine, max: Int, required: Bool = true,
                             into errors: inout ValidationErrors) -> String {
        if length(raw) > max {
            errors.add(field, .tooLong)
            return ""
        }
        guard hasOnlyAllowedScalars(raw, kind) else {
            errors.add(field, .invalidCharacters)
            return ""
        }
        var scalars = Substring(raw).unicodeScalars
        while let first = scalars.first, isBlank(first, in: kind) { scalars.removeFirst() }
        while let last = scalars.last, isBlank(last, in: kind) { scalars.removeLast() }
        if scalars.allSatisfy(isInvisible) { scalars = Substring("").unicodeScalars }
        if scalars.isEmpty, required { errors.add(field, .required) }
        return String(scalars)
    }

    /// For a text that is not a form field (a search box, a token's name from the CLI): nil when
    /// it holds anything a single line may not or is longer than `max`.
    public static func singleLine(_ raw: String, max: Int) -> String? {
        var errors = ValidationErrors()
        let text = field(raw, "text", max: max, required: false, into: &errors)
        return errors.isEmpty ? text : nil
    }
}

/// R-H1: decimal numbers from outside are ASCII digits (U+0030…U+0039) read byte by byte; fullwidth,
/// Arabic-Indic or combined digits are not numbers here, and overflow is a refusal, not a trap.
public enum ASCIIDecimal {
    public static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    public static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.utf8.isEmpty && text.utf8.allSatisfy(isDigit)
    }

    /// An unsigned decimal of at most `maxDigits` digits, or nil.
    public static func parse(_ text: some StringProtocol, maxDigits: Int = 18) -> Int64? {
        parse(bytes: text.utf8, maxDigits: maxDigits)
    }

    public static func parse(bytes: some Collection<UInt8>, maxDigits: Int = 18) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= min(maxDigits, 18) else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    /// The digit values of an all-digit text, or nil.
    public static func digits(_ text: some StringProtocol) -> [Int]? {
        var result: [Int] = []
        for byte in text.utf8 {
            guard isDigit(byte) else { return nil }
            result.append(Int(byte - 0x30))
        }
        return result
    }
}
