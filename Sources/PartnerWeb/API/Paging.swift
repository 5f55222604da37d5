import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// Keyset pagination for every list of the API: `?limit=` (1 … 500, default 100) and `?cursor=`
/// (opaque: the key of the last row of the previous page). A page that is not the last carries a
/// `Link: <…>; rel="next"` header (RFC 8288) with the same query and the next cursor; the body
/// stays the JSON array it always was. Because the cursor names a row's key, not an offset, a row
/// added or removed between two pages never makes another appear twice or go missing.
struct PageRequest: Sendable {
    static let defaultLimit = 100
    static let maximumLimit = 500

    let limit: Int
    /// The key fields of the last row of the previous page.
    let after: [String]?

    /// Reads `limit` and `cursor`; a bad limit is 422 naming it. A cursor the contract allows but
    /// that names no page of this list (not one of its `Link`s) refers to nothing here: 409
    /// `unknown_reference` naming `cursor`, as any reference to nothing stored.
    init(_ req: Request) throws {
        let rawLimit = req.query[String.self, at: "limit"]
        if let rawLimit {
            guard rawLimit.utf8.count <= 4, let value = Int(rawLimit), (1...Self.maximumLimit).contains(value) else {
                throw AppError.validation([FieldError("limit", .invalidValue)])
            }
            limit = value
        } else {
            limit = Self.defaultLimit
        }
        if let cursor = req.query[String.self, at: "cursor"] {
            // A cursor names its list: one from another list (or organisation) is refused.
            guard let fields = Self.decode(cursor), fields.first == req.url.path, fields.count > 1 else {
                throw AppError.validation([FieldError("cursor", .unknownReference)])
            }
            after = Array(fields.dropFirst())
        } else {
            after = nil
        }
    }

    init(limit: Int, after: [String]?) {
        self.limit = limit
        self.after = after
    }

    // MARK: cursors

    /// Key fields joined by U+001F, base64url without padding: opaque to callers, and nothing a
    /// caller types in can be more than a key to compare with.
    static func encode(_ key: [String]) -> String {
        Data(key.joined(separator: "\u{1F}").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> [String]? {
        guard !cursor.isEmpty, cursor.utf8.count <= 1024, cursor.utf8.allSatisfy({ ASCIIDecimal.isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }

    /// A time that sorts as text (fixed width, to the millisecond) for lists paged in memory.
    static func sortableTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// A time as its exact stored value (Date's own seconds), so a keyset bound again matches
    /// the row it came from to the last bit.
    static func timeField(_ date: Date) -> String { String(date.timeIntervalSinceReferenceDate) }

    /// 1970-01-01 and 2200-01-01 in Date's own seconds (since 2001-01-01).
    static let epochOffset = 978_307_200.0
    static let latestTime = 6_279_811_200.0

    /// The keyset (time, id) of a list sorted by time and id, or nil on the first page.
    var timeKey: Store.TimeKey? {
        get throws {
            guard let after else { return nil }
            // Only times a row can have (1970 … 2200): a far one would trap in the PostgreSQL
            // driver's conversion to microseconds (R-H1).
            guard after.count == 2, let seconds = Double(after[0]), (-Self.epochOffset...Self.latestTime).contains(seconds), let id = UUID(uuidString: after[1]) else {
                throw AppError.validation([FieldError("cursor", .unknownReference)])
            }
            return Store.TimeKey(time: Date(timeIntervalSinceReferenceDate: seconds), id: id)
        }
    }

    // MARK: pages

    /// One page of a list the store read in its final order (newest first, or by name) with one
    /// row more than the limit; `key` names a row uniquely.
    func page<T>(_ rows: [T], key: (T) -> [String]) -> (rows: [T], next: [String]?) {
        guard rows.count > limit else { return (rows, nil) }
        let kept = Array(rows.prefix(limit))
        return (kept, kept.last.map(key))
    }

    /// One page of a short list read whole: ordered by `key` (ascending, or descending for
    /// newest first), after the cursor's key. Keys compare field by field.
    func slice<T>(_ rows: [T], descending: Bool = false, key: (T) -> [String]) -> (rows: [T], next: [String]?) {
        let keyed = rows.map { (key($0), $0) }.sorted { descending ? $1.0.lexicographicallyPrecedes($0.0) : $0.0.lexicographicallyPrecedes($1.0) }
        let after = keyed.filter { row in
            guard let cursor = self.after else { return true }
            return descending ? row.0.lexicographicallyPrecedes(cursor) : cursor.lexicographicallyPrecedes(row.0)
        }
        return page(after.map(\.1), key: key)
    }

    /// The response: the rows as JSON, and the link to the next page when there is one.
    func respond<T>(_ req: Request, _ page: (rows: [T], next: [String]?), encode: ([T]) throws -> Response) throws -> Response {
        let response = try encode(page.rows)
        if let next = page.next {
            response.headers.replaceOrAdd(name: "Link", value: "<\(nextURL(req, cursor: Self.encode([req.url.path] + next)))>; rel=\"next\"")
        }
        return response
    }

    /// The same path and query with the next cursor.
    func nextURL(_ req: Request, cursor: String) -> String {
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "cursor" && $0.name != "limit" }
        items.append(URLQueryItem(name: "limit", value: String(limit)))
        items.append(URLQueryItem(name: "cursor", value: cursor))
        var components = URLComponents()
        components.path = req.url.path
        components.queryItems = items
        return components.string ?? req.url.path
    }
}

extension APIController {
    /// A short list read whole, paged by key (see `PageRequest.slice`).
    func list<T: Encodable>(_ req: Request, _ rows: [T], descending: Bool = false, key: (T) -> [String]) throws -> Response {
        let paging = try PageRequest(req)
        return try paging.respond(req, paging.slice(rows, descending: descending, key: key)) { try json($0) }
    }
}
