import Testing
@testable import PartnerCore

@Suite("R-B7 CSV")
struct CSVTests {
    @Test("RFC 4180: quotes, delimiters and line breaks are quoted; quotes doubled; CRLF line ends",
          arguments: [
            (["a", "b"], CSV.Delimiter.comma, "a,b\r\n"),
            (["a,b", "c"], .comma, "\"a,b\",c\r\n"),
            (["a,b", "c"], .semicolon, "a,b;c\r\n"),
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
}
