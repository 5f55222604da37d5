/// R-H1: text that came from outside, checked at the level of Unicode scalars — never of
/// `Character`s, whose comparisons follow Unicode order (a digit followed by a combining mark
/// still sorts between "0" and "9", and 100,000 combining marks on one letter are one Character).
public enum TextKind: Sendable {
    /// Names, titles, subjects, addresses: everything that may reach a mail header or an attribute.
    case singleLine
    /// Descriptions and messages: line breaks and tabs are allowed, other controls are not.
    case multiLine
}

public enum TextInput {
    /// Whether `scalar` may stand in a field of `kind`. Refused everywhere: C0 and C1 controls
    /// (line breaks and tabs only in multi-line text), DEL, the bidirectional embeddings,
    /// overrides and isolates (they make a text read differently from what it holds), U+2028/29
    /// in single lines, noncharacters and U+FFFD (the mark of bytes that were not UTF-8).
    public static func isAllowed(_ scalar: Unicode.Scalar, in kind: TextKind) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return kind == .multiLine
        case 0x00...0x1F, 0x7F...0x9F: return false
        case 0x202A...0x202E, 0x2066...0x2069: return false
        case 0x2028, 0x2029: return kind == .multiLine
        case 0xFDD0...0xFDEF, 0xFFFD, 0xFFFE, 0xFFFF: return false
        default: return scalar.value & 0xFFFE != 0xFFFE
        }
    }

    public static func hasOnlyAllowedScalars(_ text: some StringProtocol, _ kind: TextKind) -> Bool {
        text.unicodeScalars.allSatisfy { isAllowed($0, in: kind) }
    }

    /// The length a user and the API contract both count: Unicode scalars (JSON Schema's
    /// `maxLength` counts code points too).
    public static func length(_ text: some StringProtocol) -> Int { text.unicodeScalars.count }

    /// Trims surrounding white space, then checks characters, presence and length. Returns the
    /// trimmed text (meaningful only when no error was added).
    @discardableResult
    public static func field(_ raw: String, _ field: String, kind: TextKind = .singleLine, max: Int, required: Bool = true,
                             into errors: inout ValidationErrors) -> String {
        guard hasOnlyAllowedScalars(raw, kind) else {
            errors.add(field, .invalidCharacters)
            return ""
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            if required { errors.add(field, .required) }
        } else if length(text) > max {
            errors.add(field, .tooLong)
        }
        return text
    }

    /// For a text that is not a form field (an API token's name from the CLI, a search box):
    /// nil when it holds anything a single line may not.
    public static func singleLine(_ raw: String, max: Int) -> String? {
        guard hasOnlyAllowedScalars(raw, .singleLine) else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        return length(text) <= max ? text : nil
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
