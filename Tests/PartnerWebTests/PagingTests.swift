import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// Keyset pagination of every API list (issue #12): found from the served contract, so a list
/// added later is walked without anyone listing it.
@Suite("API lists page by keyset", .serialized)
struct PagingTests {
    typealias JSON = [String: Any]

    /// The `rel="next"` target of a Link header.
    static func next(_ response: TestingHTTPResponse) -> String? {
        guard let link = response.headers.first(name: "Link"), link.hasSuffix(#"; rel="next""#), link.hasPrefix("<"),
              let end = link.firstIndex(of: ">") else { return nil }
        return String(link[link.index(after: link.startIndex)..<end])
    }

    static func rows(_ t: TestApp, _ response: TestingHTTPResponse) throws -> [String] {
        let array = try #require(try t.json(response) as? [Any])
        return try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
    }

    /// Walks a list `limit` rows at a time; every page at most `limit` rows, every Link followed.
    static func walk(_ t: TestApp, _ path: String, token: String?, limit: Int, between: () async throws -> Void = {}) async throws -> (rows: [String], pages: Int) {
        var url: String? = "\(path)?limit=\(limit)"
        var rows: [String] = [], pages = 0
        while let current = url, pages < 1000 {
            let response = try await t.send(.GET, current, token: token)
            try #require(response.status == .ok, "\(current): \(response.status) \(response.body.string.prefix(200))")
            let page = try Self.rows(t, response)
            #expect(page.count <= limit, "\(current) answered \(page.count) rows")
            rows += page
            pages += 1
            url = Self.next(response)
            if url != nil { try await between() }
        }
        return (rows, pages)
    }

    @Test("Every list of the contract pages: one row at a time walks exactly the rows of one large page, in its order, each once")
    func everyList() async throws {
        try await TestApp.with { t in
            _ = try await DemoSeed.seedIfNeeded(t.app)
            let anna = try await t.token("anna@alpenweb.demo", password: DemoSeed.password)
            let org = try #require((try t.json(try await t.send(.GET, "/api/v1/organisations", token: anna)) as? [JSON])?.first?["organisation"] as? JSON)["id"] as? String
            let staffLogin = try await t.send(.POST, "/api/v1/provider/auth/tokens",
                                              json: #"{"email":"admin@provider.demo","password":"\#(DemoSeed.password)","name":"paging"}"#)
            let staff = try #require((try t.json(staffLogin) as? JSON)?["token"] as? String)
            // A few more rows where the demo has one or none.
            for n in 1...2 {
                #expect(try await t.send(.POST, "/api/v1/me/tokens", token: anna, json: #"{"name":"paging \#(n)"}"#).status == .created)
                #expect(try await t.send(.POST, "/api/v1/organisations/\(org ?? "")/invitations", token: anna,
                                         json: #"{"email":"paging\#(n)@example.test","role":"employee"}"#).status == .created)
                let billing = BillingTests()
                let q = try await billing.quote(t, TestApp.Account(token: anna, userID: "", organisationID: org ?? "", email: ""), client: org ?? "", billing.webHostings(1))
                #expect(try await t.send(.POST, "/api/v1/organisations/\(org ?? "")/orders", token: anna,
                                         json: #"{"quote_id":"\#(q["id"] as! String)","payment_method":"card","card_number":"\#(BillingTests.card)"}"#).status == .created)
            }
            #expect(try await t.send(.POST, "/api/v1/organisations", token: anna, json: #"{"name":"Paging GmbH","country":"CH"}"#).status == .created)
            let paths = try #require(OpenAPIDocument.document["paths"] as? JSON)
            var lists = 0, walkedSeveral = 0, pagesWalked = 0
            var failures: [String] = []
            for (template, methods) in paths.sorted(by: { $0.key < $1.key }) {
                guard let get = (methods as? JSON)?["get"] as? JSON, OpenAPIDocument.isList(get) else { continue }
                lists += 1
                let names = ((get["parameters"] as? [JSON]) ?? []).compactMap { $0["name"] as? String }
                #expect(names.contains("limit") && names.contains("cursor"), "\(template) documents no paging")
                let path = template.replacingOccurrences(of: "{org}", with: org ?? "")
                guard !path.contains("{") else { failures.append("\(template): a list under another parameter; give it a walk here"); continue }
                let token = path.hasPrefix("/api/v1/provider") ? staff : (get["security"] as? [Any])?.isEmpty == true ? nil : anna
                let whole = try await t.send(.GET, "\(path)?limit=\(PageRequest.maximumLimit)", token: token)
                guard whole.status == .ok else { failures.append("\(path): \(whole.status)"); continue }
                #expect(Self.next(whole) == nil, "\(path) has more than \(PageRequest.maximumLimit) demo rows")
                let all = try Self.rows(t, whole)
                let walked = try await Self.walk(t, path, token: token, limit: 1)
                if walked.rows != all { failures.append("\(path): walked \(walked.rows.count) rows in \(walked.pages) pages, one page holds \(all.count)") }
                if all.count >= 2 { walkedSeveral += 1 } else { print("paging: \(path) holds \(all.count) demo rows") }
                pagesWalked += walked.pages
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            // The demo fills most lists with at least two rows, so walking them proves something.
            #expect(lists >= 20 && walkedSeveral >= 10, "\(lists) lists, \(walkedSeveral) with two rows or more")
            print("paging: \(lists) lists, \(walkedSeveral) walked over several pages, \(pagesWalked) pages")
        }
    }

    @Test("Orders, invoices and wallet entries walk 2 at a time while new rows arrive: every row present at the start comes exactly once")
    func walkWhileWriting() async throws {
        try await TestApp.with { t in
            let billing = BillingTests()
            let w = try await PartnershipTests().world(t)
            for _ in 0..<5 {
                let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
                #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
                #expect(try await billing.topUp(t, w.client, "10.00").status == .created)
            }
            for list in ["orders", "invoices", "wallet/entries"] {
                let path = "/api/v1/organisations/\(w.client.organisationID)/\(list)"
                let before = try Self.rows(t, try await t.send(.GET, path, token: w.client.token))
                #expect(before.count >= 5, "\(list)")
                // Rows written between pages are newer than the cursor: they never push one in twice.
                let walked = try await Self.walk(t, path, token: w.client.token, limit: 2) {
                    t.clock.advance(1)
                    let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
                    #expect(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q).status == .created)
                    #expect(try await billing.topUp(t, w.client, "1.00").status == .created)
                }
                #expect(walked.pages >= 3, "\(list)")
                #expect(walked.rows == before, "\(list): \(walked.rows.count) rows walked, \(before.count) at the start")
            }
        }
    }

    @Test("A bad limit or cursor (malformed, out of range, or another list's) is refused naming the parameter, on either database")
    func badParameters() async throws {
        try await TestApp.with { t in
            let clara = try await t.signUp("clara@client.test")
            let path = "/api/v1/organisations/\(clara.organisationID)/orders"
            let id = UUID().uuidString
            // Crafted cursors: a time too far for PostgreSQL's microseconds (it must not trap), not
            // a number, and one from another list.
            let crafted = [[path, "1e13", id], [path, "-1e13", id], [path, "nan", id], [path, "1", "x"],
                           ["/api/v1/organisations/\(clara.organisationID)/invoices", "1", id]].map { "cursor=" + PageRequest.encode($0) }
            for query in ["limit=0", "limit=501", "limit=abc", "limit=-1", "cursor=", "cursor=%2F%2F", "cursor=AAAA", "cursor=" + String(repeating: "A", count: 2000)] + crafted {
                let response = try await t.send(.GET, "\(path)?\(query)", token: clara.token)
                // 422 for what the contract refuses, 409 for a cursor it allows that names no page here.
                #expect([409, 422].contains(response.status.code), "\(query): \(response.status)")
                #expect(response.headers.first(name: .contentType) == "application/problem+json", "\(query)")
                let field = query.prefix { $0 != "=" }
                #expect(response.body.string.contains(#""\#(field)""#), "\(query): \(response.body.string)")
            }
        }
    }

    @Test("Cursors are opaque and round-trip any key; short lists page by their key in either direction")
    func cursorsAndSlices() throws {
        for key in [["a"], ["2026-12-03T10:00:00.000Z", UUID().uuidString], ["", "ü\u{1F}x"].map { $0.replacingOccurrences(of: "\u{1F}", with: "") }] {
            let cursor = PageRequest.encode(key)
            #expect(cursor.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(PageRequest.decode(cursor) == key)
        }
        let rows = (1...7).map { String($0) }
        var seen: [String] = [], after: [String]? = nil
        repeat {
            let page = PageRequest(limit: 3, after: after).slice(rows, descending: true) { [$0] }
            seen += page.rows
            after = page.next
        } while after != nil
        #expect(seen == ["7", "6", "5", "4", "3", "2", "1"])
    }
}
