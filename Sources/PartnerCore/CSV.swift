/// RFC 4180 CSV (R-B7): fields quoted when they hold either delimiter (`,` or `;` — a file
/// written with one is often opened with the other, and `a;=cmd` would otherwise become a
/// formula cell there), a quote or a line break;
/// quotes doubled; CRLF line ends; cells starting with = + - @ (or a tab or carriage return)
/// prefixed with an apostrophe so spreadsheets do not run them as formulas.
public enum CSV {
    public enum Delimiter: String, Sendable {
        case comma = ","
        /// For spreadsheets in German locales.
        case semicolon = ";"
    }

    public static func row(_ fields: [String], delimiter: Delimiter = .comma) -> String {
        var writer = CSVWriter(delimiter: delimiter)
        writer.row(fields)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Writes CSV rows straight into bytes: exports write millions of cells (R-B7: a million
/// ledger rows), so a cell that needs no quoting or guard is copied as it is, in one pass.
public struct CSVWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    let separator: UInt8
    var atRowStart = true

    public init(delimiter: CSV.Delimiter, capacity: Int = 0) {
        separator = delimiter == .comma ? UInt8(ascii: ",") : UInt8(ascii: ";")
        bytes.reserveCapacity(capacity)
    }

    public mutating func row(_ fields: [String]) {
        for field in fields { self.field(field) }
        endRow()
    }

    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
        atRowStart = true
    }

    mutating func startField() {
        if !atRowStart { bytes.append(separator) }
        atRowStart = false
    }

    public mutating func field(_ raw: String) {
        startField()
        var guardFormula = false, needsQuotes = false, first = true
        for byte in raw.utf8 {
            if first {
                first = false
                guardFormula = byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
                    || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            }
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") {
                needsQuotes = true
                break
            }
        }
        if !guardFormula && !needsQuotes {
            bytes.append(contentsOf: raw.utf8)
            return
        }
        if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
        if guardFormula { bytes.append(UInt8(ascii: "'")) }
        for byte in raw.utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
    }

    /// A non-negative amount of minor units as `1234.50` (two decimals, no grouping), written
    /// without going through a String. Exports carry a direction column instead of signs; a
    /// negative amount (a row that should not exist) is written guarded, `'-12.50`, not trapped on.
    public mutating func amount(_ minorUnits: Int64) {
        startField()
        if minorUnits < 0 { bytes.append(contentsOf: "'-".utf8) }
        let magnitude = minorUnits.magnitude
        appendDigits(magnitude / 100)
        bytes.append(UInt8(ascii: "."))
        let cents = UInt8(magnitude % 100)
        bytes.append(UInt8(ascii: "0") + cents / 10)
        bytes.append(UInt8(ascii: "0") + cents % 10)
    }

    /// A time as ISO 8601 in UTC, whole seconds: `2026-12-02T13:04:05Z`.
    public mutating func timestamp(secondsSince1970 seconds: Int64) {
        startField()
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        appendDigits(UInt64(max(0, year)))
        bytes.append(UInt8(ascii: "-"))
        two(month)
        bytes.append(UInt8(ascii: "-"))
        two(day)
        bytes.append(UInt8(ascii: "T"))
        two(rest / 3600)
        bytes.append(UInt8(ascii: ":"))
        two(rest % 3600 / 60)
        bytes.append(UInt8(ascii: ":"))
        two(rest % 60)
        bytes.append(UInt8(ascii: "Z"))
    }

    mutating func two(_ value: Int64) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    mutating func appendDigits(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
