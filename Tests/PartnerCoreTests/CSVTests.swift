import Foundation
import Testing
@testable import PartnerCore

@Suite("R-B7 CSV")
struct CSVTests {
    @Test("RFC 4180: quotes, delimiters and line breaks are quoted; quotes doubled; CRLF line ends",
          arguments: [
            (["a", "b"], CSV.Delimiter.comma, "a,b\r\n"),
            (["a,b", "c"], .comma, "\"a,b\",c\r\n"),
            // R-H1: the other delimiter is quoted too — a comma file opened as semicolons (or the
            // reverse) would otherwise split the cell and run what follows as a formula.
            (["a,b", "c"], .semicolon, "\"a,b\";c\r\n"),
            (["x;=HYPERLINK(\"http://evil.example\")"], .comma, "\"x;=HYPERLINK(\"\"http://evil.example\"\")\"\r\n"),
            (["x,@SUM(A1)"], .semicolon, "\"x,@SUM(A1)\"\r\n"),
            (["say \"hi\""], .comma, "\"say \"\"hi\"\"\"\r\n"),
            (["two\nlines"], .comma, "\"two\nlines\"\r\n"),
            (["Zürich; Genève"], .semicolon, "\"Zürich; Genève\"\r\n"),
            ([""], .comma, "\r\n"),
          ])
    func quoting(fields: [String], delimiter: CSV.Delimiter, expected: String) {
        #expect(CSV.row(fields, delimiter: delimiter) == expected)
    }

    @Test("R-B7 cells that a spreadsheet would run as a formula are defused", arguments: ["=SUM(A1)", "+41 44", "-2", "@cmd", "\tx"])
    func formulaGuard(cell: String) {
        #expect(CSV.row([cell]).hasPrefix("'") || CSV.row([cell]).hasPrefix("\"'"))
    }

    @Test("Cells written by the byte writer equal the text rows, whatever the delimiter", arguments: [CSV.Delimiter.comma, .semicolon])
    func writerMatchesRows(delimiter: CSV.Delimiter) {
        let fields = ["plain", "=1+1", "a,b", "c;d", "say \"hi\"", "-5", "Zürich\nGenève", ""]
        var writer = CSVWriter(delimiter: delimiter)
        for field in fields { writer.field(field) }
        writer.endRow()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == CSV.row(fields, delimiter: delimiter))
    }

    @Test("Amounts are written as units, a point and two digits", arguments: [
        (Int64(0), "0.00"), (5, "0.05"), (99, "0.99"), (100, "1.00"), (34720, "347.20"), (123_456_789_01, "123456789.01"),
        // A negative amount read from the database is written guarded, never trapped on (R-H1).
        (-1250, "'-12.50"), (Int64.min, "'-92233720368547758.08"),
    ])
    func amounts(minor: Int64, expected: String) {
        var writer = CSVWriter(delimiter: .comma)
        writer.amount(minor)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test("The writer's UTC timestamp equals ISO 8601 for dates across centuries and leap days")
    func timestampsMatchFormatter() {
        let formatter = ISO8601DateFormatter()
        var g = SystemRandomNumberGenerator()
        var seconds: [Int64] = [0, 951_782_400, 1_795_000_000, -86_401, 4_107_542_399]
        for _ in 0..<2000 { seconds.append(Int64.random(in: -2_000_000_000...5_000_000_000, using: &g)) }
        for value in seconds {
            var writer = CSVWriter(delimiter: .comma)
            writer.timestamp(secondsSince1970: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == formatter.string(from: Date(timeIntervalSince1970: Double(value))))
        }
    }
}
