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
        var text = raw
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        let needsQuotes = text.contains(delimiter.rawValue) || text.contains("\"") || text.contains("\n") || text.contains("\r")
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
