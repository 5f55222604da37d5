#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small JSON writer for the hot list endpoints. Foundation's JSONEncoder (with snake-case key
/// conversion and ISO 8601 dates) took about a quarter of the CPU of the clients list under load
/// (perf, issue #3); this writes the same document directly. A test checks that it equals what
/// the Codable path produces.
struct FastJSON {
    private(set) var text = ""

    init(capacity: Int = 1024) { text.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { text += s }

    mutating func string(_ value: String) {
        // Most strings (ids, names, states) need no escaping: one byte scan, then a plain append.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += "\""
            text += value
            text += "\""
            return
        }
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { text += "null" }
    }

    /// `2026-11-28T06:00:00Z`, as JSONEncoder's `.iso8601` writes it (whole seconds, UTC).
    mutating func date(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        text += "\"\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z\""
    }

    mutating func optionalDate(_ value: Date?) {
        if let value { date(value) } else { text += "null" }
    }

    mutating func bool(_ value: Bool) { text += value ? "true" : "false" }
}

extension PartnershipResponse {
    /// The same object as the Codable encoding with sorted keys.
    func write(into json: inout FastJSON) {
        json.raw("{\"access\":"); json.string(access)
        json.raw(",\"assigned_memberships\":[")
        for (index, id) in assignedMemberships.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(id)
        }
        json.raw("],\"client_id\":"); json.optionalString(clientId)
        json.raw(",\"counterpart_name\":"); json.string(counterpartName)
        json.raw(",\"created_at\":"); json.date(createdAt)
        json.raw(",\"ends_at\":"); json.optionalDate(endsAt)
        json.raw(",\"id\":"); json.string(id)
        json.raw(",\"initiator\":"); json.string(initiator)
        json.raw(",\"invited_email\":"); json.optionalString(invitedEmail)
        json.raw(",\"partner_id\":"); json.string(partnerId)
        json.raw(",\"payment_mode\":"); json.string(paymentMode)
        json.raw(",\"products\":[")
        for (index, grant) in products.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"product_id\":"); json.string(grant.productId)
            json.raw(",\"statistics\":"); json.bool(grant.statistics)
            json.raw(",\"technical\":"); json.bool(grant.technical)
            json.raw("}")
        }
        json.raw("],\"requested_access\":"); json.string(requestedAccess)
        json.raw(",\"requested_payment_mode\":"); json.string(requestedPaymentMode)
        json.raw(",\"state\":"); json.string(state)
        json.raw("}")
    }

    static func jsonArray(_ list: [PartnershipResponse]) -> String {
        var json = FastJSON(capacity: 512 * max(1, list.count))
        json.raw("[")
        for (index, item) in list.enumerated() {
            if index > 0 { json.raw(",") }
            item.write(into: &json)
        }
        json.raw("]")
        return json.text
    }
}
