/// The console's languages (CONSOLE.md).
public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    case de, en, fr
}

/// Formats money for people (per language) and for machines. Pure string work on the integer
/// minor units: no floating point, no platform locale data (R-B1).
public enum MoneyFormat {
    /// `CHF 347.20`, `EUR -12.05`: the plain form for CLI output, CSV and logs.
    public static func plain(_ money: Money, withCurrency: Bool = true) -> String {
        let amount = number(money.minorUnits, grouping: "", decimal: ".")
        return withCurrency ? "\(money.currency.rawValue) \(amount)" : amount
    }

    /// CONSOLE.md: `CHF 1'234.50` (de, CHF), `EUR 1.234,50` (de, EUR), `€1,234.50` / `CHF 1,234.50` (en),
    /// `1 234,50 €` / `1 234,50 CHF` (fr). The currency is always visible.
    public static func display(_ money: Money, language: Language) -> String {
        let units = money.minorUnits
        switch (language, money.currency) {
        case (.de, .chf): return "CHF " + number(units, grouping: "'", decimal: ".")
        case (.de, .eur): return "EUR " + number(units, grouping: ".", decimal: ",")
        case (.en, .chf): return "CHF " + number(units, grouping: ",", decimal: ".")
        case (.en, .eur):
            let text = number(units.magnitude, grouping: ",", decimal: ".")
            return units < 0 ? "-€" + text : "€" + text
        case (.fr, .chf): return number(units, grouping: "\u{202F}", decimal: ",") + "\u{A0}CHF"
        case (.fr, .eur): return number(units, grouping: "\u{202F}", decimal: ",") + "\u{A0}€"
        }
    }

    static func number(_ minorUnits: Int64, grouping: String, decimal: String) -> String {
        let text = number(minorUnits.magnitude, grouping: grouping, decimal: decimal)
        return minorUnits < 0 ? "-" + text : text
    }

    static func number(_ magnitude: UInt64, grouping: String, decimal: String) -> String {
        let whole = magnitude / 100, cents = magnitude % 100
        var digits = Array(String(whole))
        var grouped = ""
        while digits.count > 3 {
            grouped = grouping + String(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        grouped = String(digits) + grouped
        return grouped + decimal + (cents < 10 ? "0\(cents)" : "\(cents)")
    }

    /// Parses `347.20`, `347.2`, `347` into minor units; nil for anything else (no floats involved).
    /// "12", "12.5", "12.50" → minor units; anything else (signs, separators, non-ASCII or
    /// combined digits, more than 15 whole digits) → nil. Byte by byte (R-H1).
    public static func parseAmount(_ text: String) -> Int64? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = ASCIIDecimal.parse(bytes: parts[0], maxDigits: 15) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), let value = ASCIIDecimal.parse(bytes: fraction, maxDigits: 2) else { return nil }
            cents = fraction.count == 1 ? value * 10 : value
        }
        return whole * 100 + cents
    }
}
