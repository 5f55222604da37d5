import NIOCore
import PartnerCore
import Vapor

/// `application/x-www-form-urlencoded` read byte by byte (R-H1): `+` is a space, `%XX` a byte,
/// and the decoded bytes must be UTF-8. Used by the input gate and by the refused-form page,
/// which shows a refused form again with what was typed.
enum FormEncoding {
    struct Pair {
        let name: String
        /// As sent, decoded (bytes that were not UTF-8 read as U+FFFD).
        let value: String
        /// Whether name and value hold only what a field may hold (UTF-8, no control character
        /// but line breaks and tabs, no direction override …).
        let readable: Bool
        /// The value without what no field may hold: what a refused form shows again.
        var clean: String { String(String.UnicodeScalarView(value.unicodeScalars.filter { TextInput.isAllowed($0, in: .multiLine) })) }
    }

    enum Problem: Error {
        case unreadable(field: String)
    }

    /// Every field, each marked readable or not: one bad field leaves the others readable, so a
    /// refused form can be shown again with all that was typed.
    static func read(_ bytes: some Collection<UInt8>) -> [Pair] {
        var result: [Pair] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let halves = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let strictName = decode(halves.first.map(Array.init) ?? [])
            let name = strictName ?? String(decoding: percentDecoded(halves.first.map(Array.init) ?? []), as: UTF8.self)
            let rawValue = halves.count > 1 ? Array(halves[1]) : []
            let strictValue = decode(rawValue)
            let value = strictValue ?? String(decoding: percentDecoded(rawValue), as: UTF8.self)
            let readable = strictName != nil && strictValue != nil && !name.isEmpty && TextInput.hasOnlyAllowedScalars(name, .singleLine)
                && TextInput.hasOnlyAllowedScalars(value, .multiLine)
            result.append(Pair(name: name, value: value, readable: readable))
        }
        return result
    }

    /// The fields, or the first unreadable one.
    static func pairs(_ bytes: some Collection<UInt8>) throws(Problem) -> [Pair] {
        let all = read(bytes)
        if let bad = all.first(where: { !$0.readable }) {
            throw .unreadable(field: bad.name.isEmpty || !TextInput.hasOnlyAllowedScalars(bad.name, .singleLine) ? "body" : bad.name)
        }
        return all
    }

    /// `%XX` and `+` decoded, bytes as they come (a malformed escape is kept as text).
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] { percentDecoded(bytes, strict: false) ?? bytes }

    /// Percent-decoding into bytes, then strict UTF-8 validation; nil when either fails.
    static func decode(_ bytes: [UInt8]) -> String? {
        percentDecoded(bytes, strict: true).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The one decoding loop: `+` is a space, `%XX` a byte; a malformed escape is nil when
    /// `strict`, else kept as it came.
    static func percentDecoded(_ bytes: [UInt8], strict: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else if byte == UInt8(ascii: "%") && strict {
                return nil
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// JSON bodies scanned for what no field can store (R-H1): a NUL (`\u0000`), a lone UTF-16
/// surrogate escape, or bytes that are not UTF-8. Foundation would turn the first into a string
/// PostgreSQL refuses and the second into U+FFFD; the field is named when the document parses.
enum JSONScan {
    static func firstProblem(_ bytes: [UInt8]) -> String? {
        guard String(validating: bytes, as: UTF8.self) != nil else { return "body" }
        var index = 0
        var suspicious = false
        while index + 5 < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                if bytes[index + 1] == UInt8(ascii: "u"), let unit = utf16Unit(bytes, at: index + 2) {
                    if unit == 0 { suspicious = true; break }
                    if (0xD800...0xDBFF).contains(unit) {
                        // A high surrogate must be followed by an escaped low one.
                        let next = index + 6
                        guard next + 5 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u"),
                              let low = utf16Unit(bytes, at: next + 2), (0xDC00...0xDFFF).contains(low)
                        else { suspicious = true; break }
                        index = next + 6
                        continue
                    }
                    if (0xDC00...0xDFFF).contains(unit) { suspicious = true; break }
                    index += 6
                    continue
                }
                index += 2
                continue
            }
            index += 1
        }
        guard suspicious else { return nil }
        return locate(bytes) ?? "body"
    }

    static func utf16Unit(_ bytes: [UInt8], at start: Int) -> UInt16? {
        guard start + 3 < bytes.count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            guard let digit = FormEncoding.hex(bytes[start + offset]) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// The dotted path of the first string holding a NUL or U+FFFD (what a lone surrogate became).
    static func locate(_ bytes: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        func walk(_ value: Any, _ path: String) -> String? {
            switch value {
            case let text as String:
                return text.unicodeScalars.contains(where: { $0 == "\0" || $0 == "\u{FFFD}" }) ? (path.isEmpty ? "body" : path) : nil
            case let dictionary as [String: Any]:
                for (key, item) in dictionary.sorted(by: { $0.key < $1.key }) {
                    let here = path.isEmpty ? key : "\(path).\(key)"
                    if key.unicodeScalars.contains(where: { $0 == "\0" || $0 == "\u{FFFD}" }) { return here }
                    if let found = walk(item, here) { return found }
                }
                return nil
            case let array as [Any]:
                for (offset, item) in array.enumerated() {
                    if let found = walk(item, path.isEmpty ? "\(offset)" : "\(path).\(offset)") { return found }
                }
                return nil
            default:
                return nil
            }
        }
        return walk(object, "")
    }
}

/// R-H1's safety net in front of every handler: a query string or form that is not UTF-8 or holds a
/// character no field may hold (a NUL — PostgreSQL refuses it in text —, another control, a
/// direction override) is refused with 422 naming the field, whatever the route and whether or
/// not a handler reads the field; the console shows the form again with what was typed. Line
/// breaks pass to the services, whose Core checks refuse them in single-line fields with the form
/// shown again. JSON bodies are the contract's (ContractMiddleware) but for NUL and lone
/// surrogates, which are refused here.
struct InputGateMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let query = req.url.query {
            do { _ = try FormEncoding.pairs(Array(query.utf8)) } catch .unreadable(let field) {
                throw AppError.validation([FieldError(field, .invalidCharacters)])
            }
        }
        if let buffer = req.body.data, buffer.readableBytes > 0 {
            let bytes = Array(buffer.readableBytesView)
            if req.headers.contentType == .urlEncodedForm {
                do { _ = try FormEncoding.pairs(bytes) } catch .unreadable(let field) {
                    throw AppError.validation([FieldError(field, .invalidCharacters)])
                }
            } else if req.headers.contentType == .json || req.isAPI {
                if let field = JSONScan.firstProblem(bytes) { throw AppError.validation([FieldError(field, .invalidCharacters)]) }
            }
        }
        return try await next.respond(to: req)
    }
}
