/// RFC 4180 CSV (R-B7): fields quoted when they hold the delimiter, a quote or a line break;
/// quotes doubled; CRLF line ends; cells starting with = + - @ (or a tab or carriage return)
/// prefixed with an apostrophe so spreadsheets do not run them as formulas.
public enum CSV {
    public enum Delimiter: String, Sendable {
        case comma = ","
        /// For spreadsheets in German locales.
        case semicolon = ";"
    }

    public static func row(_ fields: [String], delimiter: Delimiter = .comma) -> String {
        fields.map { field($0, delimiter: delimiter) }.joined(separator: delimiter.rawValue) + "\r\n"
    }

    static func field(_ raw: String, delimiter: Delimiter) -> String {
        // One pass over the bytes (exports write millions of cells): most need nothing.
        let separator = delimiter == .comma ? UInt8(ascii: ",") : UInt8(ascii: ";")
        var guardFormula = false, needsQuotes = false, first = true
        for byte in raw.utf8 {
            if first {
                first = false
                guardFormula = byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
                    || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            }
            if byte == separator || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                needsQuotes = true
                break
            }
        }
        if !guardFormula && !needsQuotes { return raw }
        let text = guardFormula ? "'" + raw : raw
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text { quoted += character == "\"" ? "\"\"" : String(character) }
        return quoted + "\""
    }
}
