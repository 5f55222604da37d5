import Foundation
import PartnerCore

/// The edge to a card payment provider (issue #4: one simulated provider now, a real one plugs
/// in later). A charge either succeeds with an id or throws; `refund` undoes a charge whose
/// order could not be recorded, so a failed order never keeps the money.
protocol PaymentProvider: Sendable {
    func charge(_ amount: Money, card: String, reference: String) async throws -> String
    func refund(chargeID: String) async throws
}

struct PaymentDeclined: Error, Equatable {
    let reason: String
}

/// A simulated card provider with the usual test numbers: any number passing the Luhn check is
/// accepted, except 4000 0000 0000 0002 which is declined. Nothing leaves the process.
struct SimulatedCardProvider: PaymentProvider {
    static let declinedCard = "4000000000000002"

    func charge(_ amount: Money, card: String, reference: String) async throws -> String {
        // ASCII digits only, byte by byte (R-H1): a fullwidth or combined digit is no card digit.
        guard card.utf8.allSatisfy({ ASCIIDecimal.isDigit($0) || $0 == UInt8(ascii: " ") }) else { throw PaymentDeclined(reason: "invalid card number") }
        let digits = card.filter { $0 != " " }
        guard digits.utf8.count >= 12, digits.utf8.count <= 19, Self.luhn(digits) else { throw PaymentDeclined(reason: "invalid card number") }
        guard digits != Self.declinedCard else { throw PaymentDeclined(reason: "card declined") }
        guard amount.minorUnits > 0 else { throw PaymentDeclined(reason: "nothing to charge") }
        return "sim_" + UUID().uuidString.lowercased()
    }

    func refund(chargeID: String) async throws {}

    static func luhn(_ digits: String) -> Bool {
        guard let values = ASCIIDecimal.digits(digits) else { return false }
        var sum = 0
        for (index, value) in values.reversed().enumerated() {
            var d = value
            if index % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }
}
