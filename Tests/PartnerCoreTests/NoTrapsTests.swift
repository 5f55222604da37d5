import Foundation
import PartnerCore
import Testing

/// R-H1 by class: every value from outside (request, header, cookie, file, database row) is
/// parsed and refused, never trapped on. One force unwrap after a digit check once let a single
/// request stop the process, so the sources hold no force unwrap, `try!`, `as!`, `fatalError`
/// or `precondition` at all — except the few sites below that no outside value can reach.
@Suite("R-H1 no traps: no force unwrap, try!, as!, fatalError or precondition in Sources")
struct NoTrapsTests {
    /// Sites no value from outside can reach, each with its reason; kept as short as honest.
    /// `path` is relative to the package root; `code` is a fragment of the site's line, so an
    /// entry allows that site only, not every trap of the file.
    static let allowed: [(path: String, code: String, reason: String)] = [
        ("Sources/PartnerCore/Money.swift", "precondition(denominator > 0)",
         "`scaled(numerator:denominator:)` is internal and only ever called with the literal denominator 10_000"),
        ("Sources/PartnerWeb/App+build.swift", "storage[PartnerHubKey.self]!",
         "set by buildApplication before any route or command can run; no request, row or file holds it"),
    ]

    @Test("No source file under Sources holds a force unwrap, try!, as!, fatalError( or precondition( outside the allow-list")
    func noTrapsInSources() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 50, "found only \(files.count) Swift files under \(sources.path)")

        let base = sources.standardizedFileURL.path + "/"
        var found: [TrapScanner.Site] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let full = file.standardizedFileURL.path
            let path = full.hasPrefix(base) ? "Sources/" + String(full.dropFirst(base.count)) : full
            found += TrapScanner.sites(in: text, path: path)
        }
        let isAllowed = { (site: TrapScanner.Site) in
            Self.allowed.contains { $0.path == site.path && site.text.contains($0.code) }
        }
        let offending = found.filter { !isAllowed($0) }
        let byFile = Dictionary(grouping: offending, by: \.path)
        var report = "\(offending.count) trap site(s) in \(byFile.count) file(s) (R-H1). Parse and refuse instead; "
        report += "only a site no outside value can reach may go into NoTrapsTests.allowed, with its reason.\n"
        for path in byFile.keys.sorted() {
            report += "\(path)\n"
            for site in byFile[path, default: []].sorted(by: { $0.line < $1.line }) {
                report += "  \(site.path):\(site.line): \(site.kind): \(site.text)\n"
            }
        }
        // The count, not the array: the expectation's own expansion would print every site a second time.
        #expect(offending.count == 0, "\(report)")

        let stale = Self.allowed.filter { entry in !found.contains { $0.path == entry.path && $0.text.contains(entry.code) } }
        #expect(stale.isEmpty, "allow-list entries that match no site any more; remove them: \(stale.map { "\($0.path): \($0.code)" })")
    }

    @Test("Values read from the database that used to reach a trap are refused: a price missing in one currency, a negative affiliate sum")
    func formerTrapsRefuse() {
        let chf = Money(minorUnits: 2000, currency: .chf)
        let entry = PriceListEntry(category: .webHosting, period: .monthly, prices: [.chf: chf], tiered: true)
        #expect(throws: MissingPrice(item: "web-hosting", currency: .eur)) { try entry.price(in: .eur) }
        #expect((try? entry.price(in: .chf)) == chf)
        let domain = DomainPrice(extensionName: "*", list: [.chf: chf], preferential: [.chf: chf])
        #expect(PriceList.validate(domain: domain) == .missingCurrency)
        let list = PriceList(version: 1, entries: PriceList.standard.entries, tiers: [], domains: [:], otherDomain: domain)
        #expect(throws: PricingError.unknownProduct("domain")) {
            try OrderPricing.price(LineRequest(category: .domain, name: "shop.io", quantity: 1), currency: .eur, benefit: .cashback,
                                   partnerRate: .zero, tierCount: 0, list: list)
        }
        #expect(AffiliateScheme.rate(cumulative: Money(minorUnits: -1, currency: .chf)) == BasisPoints(2500))
    }

    @Test("The scanner skips comments and string literals but sees code in interpolations")
    func scannerSeesOnlyCode() {
        let sample = ##"""
            // x! try! fatalError("no")
            /* y! /* nested z! */ as! */
            let a = "b! \(c!) d \" e!"
            let e = #"f! \(g!) \#(h!) "quoted!" "#
            let m = """
                i! as! Foo "
                \(j!)
                """
            let k = l != m && !n && o !== p
            let q = r!
            precondition(s)
            let t = try! u as! V
            fatalError ("w")
            let x = y?.z!.w
            """##
        let sites = TrapScanner.sites(in: sample, path: "Sample.swift").map { "\($0.line) \($0.kind)" }
        #expect(sites == ["3 force unwrap", "4 force unwrap", "7 force unwrap", "10 force unwrap", "11 precondition(",
                          "12 try!", "12 as!", "13 fatalError(", "14 force unwrap"])
    }
}

/// Finds trap sites in Swift source: comments and string literals (also multi-line `"""` and raw
/// `#"…"#` ones) are blanked first, while the code inside interpolations `\(…)` is kept.
enum TrapScanner {
    struct Site: Hashable {
        let path: String
        let line: Int
        let kind: String
        /// The site's line as written (trimmed).
        let text: String
    }

    static func sites(in source: String, path: String) -> [Site] {
        let bytes = Array(source.utf8)
        let code = codeOnly(bytes).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var sites: [Site] = []
        for (index, line) in code.enumerated() {
            let text = index < lines.count ? String(decoding: lines[index], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            for kind in kinds(Array(line)) {
                sites.append(Site(path: path, line: index + 1, kind: kind, text: text))
            }
        }
        return sites
    }

    static func isIdentifier(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte >= 0x80
    }

    /// The trap kinds on one line of code (comments and strings already blanked).
    static func kinds(_ line: [UInt8]) -> [String] {
        var found: [String] = []
        // What may follow a force unwrap: `x!.y`, `f(x!)`, `x!, y`, `[x!]`, `{ x! }`, `x! `, `x!?`, `x!;`,
        // `f!(…)`, `a![0]`, `x!:` or the end of the line — never `=` (`!=`, `!==`).
        let followers = Set(".),]} ?;([:\t".utf8)
        var index = 0
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "!"), index > 0 {
                let previous = line[index - 1]
                let next: UInt8? = index + 1 < line.count ? line[index + 1] : nil
                if next != UInt8(ascii: "="), isIdentifier(previous) || Set(")]}\"".utf8).contains(previous) {
                    var start = index
                    while start > 0, isIdentifier(line[start - 1]) { start -= 1 }
                    let word = String(decoding: line[start..<index], as: UTF8.self)
                    if word == "try" {
                        found.append("try!")
                    } else if word == "as" {
                        found.append("as!")
                    } else if next.map({ followers.contains($0) }) ?? true {
                        found.append("force unwrap")
                    }
                }
                index += 1
                continue
            }
            if isIdentifier(byte), index == 0 || !isIdentifier(line[index - 1]) {
                var end = index
                while end < line.count, isIdentifier(line[end]) { end += 1 }
                let word = String(decoding: line[index..<end], as: UTF8.self)
                if ["fatalError", "precondition", "preconditionFailure"].contains(word) {
                    var after = end
                    while after < line.count, line[after] == UInt8(ascii: " ") || line[after] == UInt8(ascii: "\t") { after += 1 }
                    if after < line.count, line[after] == UInt8(ascii: "(") { found.append(word + "(") }
                }
                index = end
                continue
            }
            index += 1
        }
        return found
    }

    private enum Context {
        /// Code; `depth` counts open parentheses inside an interpolation.
        case code(depth: Int)
        case string(hashes: Int, multiLine: Bool)
    }

    /// The source with comments and the contents and delimiters of string literals replaced by
    /// spaces (line breaks kept, so line numbers hold); interpolated code stays.
    static func codeOnly(_ source: [UInt8]) -> [UInt8] {
        let quote = UInt8(ascii: "\""), hash = UInt8(ascii: "#"), slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        let backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n"), open = UInt8(ascii: "("), close = UInt8(ascii: ")")
        var out = source
        func blank(_ range: Range<Int>) {
            for k in range where out[k] != newline { out[k] = UInt8(ascii: " ") }
        }
        func starts(_ pattern: [UInt8], at k: Int) -> Bool {
            k + pattern.count <= source.count && Array(source[k..<(k + pattern.count)]) == pattern
        }
        var stack: [Context] = [.code(depth: 0)]
        var i = 0
        while i < source.count {
            let c = source[i]
            switch stack.last ?? .code(depth: 0) {
            case .code(let depth):
                if c == slash, starts([slash, slash], at: i) {
                    var end = i
                    while end < source.count, source[end] != newline { end += 1 }
                    blank(i..<end)
                    i = end
                } else if c == slash, starts([slash, star], at: i) {
                    // Block comments nest in Swift.
                    var level = 0, end = i
                    while end < source.count {
                        if starts([slash, star], at: end) { level += 1; end += 2; continue }
                        if starts([star, slash], at: end) {
                            level -= 1; end += 2
                            if level == 0 { break }
                            continue
                        }
                        end += 1
                    }
                    blank(i..<end)
                    i = end
                } else if c == hash || c == quote {
                    var j = i
                    while j < source.count, source[j] == hash { j += 1 }
                    if j < source.count, source[j] == quote {
                        let multiLine = starts([quote, quote, quote], at: j)
                        let end = j + (multiLine ? 3 : 1)
                        blank(i..<end)
                        stack.append(.string(hashes: j - i, multiLine: multiLine))
                        i = end
                    } else {
                        i = max(j, i + 1)
                    }
                } else if c == open, stack.count > 1 {
                    stack[stack.count - 1] = .code(depth: depth + 1)
                    i += 1
                } else if c == close, stack.count > 1 {
                    if depth == 0 {
                        // The end of an interpolation: back into its string.
                        blank(i..<(i + 1))
                        stack.removeLast()
                    } else {
                        stack[stack.count - 1] = .code(depth: depth - 1)
                    }
                    i += 1
                } else {
                    i += 1
                }
            case .string(let hashes, let multiLine):
                if c == backslash {
                    var j = i + 1, seen = 0
                    while j < source.count, source[j] == hash, seen < hashes { j += 1; seen += 1 }
                    if seen == hashes {
                        if j < source.count, source[j] == open {
                            blank(i..<(j + 1))
                            stack.append(.code(depth: 0))
                        } else {
                            // An escape such as \" or \\ (or \#" in a raw string): the next character is text.
                            blank(i..<min(j + 1, source.count))
                        }
                        i = j + 1
                    } else {
                        blank(i..<(i + 1))
                        i += 1
                    }
                } else if c == quote {
                    let quotes = multiLine ? 3 : 1
                    let closing = [UInt8](repeating: quote, count: quotes) + [UInt8](repeating: hash, count: hashes)
                    if starts(closing, at: i) {
                        blank(i..<(i + closing.count))
                        stack.removeLast()
                        i += closing.count
                    } else {
                        blank(i..<(i + 1))
                        i += 1
                    }
                } else if c == newline {
                    // A single-line string cannot span lines: recover rather than blank the rest of the file.
                    if !multiLine { stack.removeLast() }
                    i += 1
                } else {
                    blank(i..<(i + 1))
                    i += 1
                }
            }
        }
        return out
    }
}
