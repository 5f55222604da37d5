import Foundation
import PartnerCore
import PartnerStore

/// R-H1: what one quote or order may ask for, and the hourly limits per organisation.
extension BillingService {
    func validated(_ lines: [LineRequest]) throws -> [LineRequest] {
        // R-H1: the documented limits first, so an oversized order costs nothing to refuse.
        if lines.count > Limits.linesPerOrder {
            throw AppError.overLimit(field: "lines", limit: "at most \(Limits.linesPerOrder) lines per order")
        }
        var errors = ValidationErrors()
        if lines.isEmpty { errors.add("lines", .required) }
        var units: Int64 = 0
        var cleaned: [LineRequest] = []
        for (index, line) in lines.enumerated() {
            let name = TextInput.field(line.name, "lines.\(index).name", max: 160, into: &errors)
            if line.category == .domain, !name.isEmpty, !Self.looksLikeDomain(name) { errors.add("lines.\(index).name", .invalidValue) }
            if line.quantity < 1 || line.quantity > Int64(Limits.unitsPerOrder) { errors.add("lines.\(index).quantity", .invalidValue) } else { units += line.quantity }
            cleaned.append(LineRequest(category: line.category, name: name, quantity: line.quantity))
        }
        if units > Int64(Limits.unitsPerOrder) {
            throw AppError.overLimit(field: "lines", limit: "at most \(Limits.unitsPerOrder) units per order, all lines together")
        }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        return cleaned
    }

    /// Letters, digits and hyphens per label, ASCII only (an internationalised name is written in
    /// its xn-- form), byte by byte (R-H1).
    static func looksLikeDomain(_ name: String) -> Bool {
        let labels = name.lowercased().utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { (0x61...0x7A).contains($0) || ASCIIDecimal.isDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// R-H1: an hourly limit per organisation, reserved atomically before the work it limits.
    func reserve(_ key: String, limit: Int, field: String, store: Store) async throws {
        try await store.reserveAttempts([(key, LoginThrottle(maximumFailures: limit, window: Limits.hour))], now: clock.now())
    }
}
