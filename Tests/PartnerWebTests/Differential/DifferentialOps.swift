import Foundation

/// SplitMix64: a seeded generator, so a failing world comes back with its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One step of a differential run. Steps name clients, partners and products by number and are
/// resolved against the world when they run, so any subsequence of a run is a run too (the
/// shrinker drops steps freely).
enum DifferentialOp: CustomStringConvertible {
    case clientOrder(client: Int, lines: [(ReferenceModel.Category, Int64)], card: Bool)
    case partnerOrder(client: Int, lines: [(ReferenceModel.Category, Int64)], ownMeans: Bool)
    /// A partner buys for its own organisation (those hostings count for its tiers too).
    case partnerOwnOrder(partner: Int, lines: [(ReferenceModel.Category, Int64)])
    /// A new partnership when the client has none (accepted at once), else new terms.
    case terms(client: Int, partner: Int, full: Bool, partnerPays: Bool, grants: UInt64)
    case end(client: Int)
    case topUp(client: Int, amount: Int64)
    /// The clock moves on and `partnerhub renew` runs.
    case renew(days: Int)

    var description: String {
        func lines(_ l: [(ReferenceModel.Category, Int64)]) -> String { l.map { "\($0.1)×\($0.0.rawValue)" }.joined(separator: " + ") }
        switch self {
        case .clientOrder(let c, let l, let card): return "client C\(c + 1) orders \(lines(l)) (\(card ? "card" : "wallet"))"
        case .partnerOrder(let c, let l, let own): return "partner of C\(c + 1) orders \(lines(l)) with \(own ? "its own" : "the client's") means"
        case .partnerOwnOrder(let p, let l): return "P\(p + 1) orders \(lines(l)) for itself"
        case .terms(let c, let p, let full, let pays, let grants):
            return "C\(c + 1) sets terms with its partner (P\(p + 1) if it has none): \(full ? "full, \(pays ? "partner" : "client") pays" : "limited, grant mask \(String(grants & 0xFFFF, radix: 2)) (bit n: its n-th product)")"
        case .end(let c): return "C\(c + 1) ends its partnership"
        case .topUp(let c, let amount): return "C\(c + 1) tops up \(amount)"
        case .renew(let days): return "\(days) days later, the renewal run"
        }
    }

    static func generate(seed: UInt64, count: Int, clients: Int, partners: Int) -> [DifferentialOp] {
        var rng = SeededGenerator(seed: seed)
        func lines() -> [(ReferenceModel.Category, Int64)] {
            (0..<Int.random(in: 1...2, using: &rng)).map { _ in
                (ReferenceModel.Category.allCases.randomElement(using: &rng)!, Int64.random(in: 1...6, using: &rng))
            }
        }
        return (0..<count).map { _ in
            let client = Int.random(in: 0..<clients, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<22: return .clientOrder(client: client, lines: lines(), card: Bool.random(using: &rng) && Bool.random(using: &rng))
            case 22..<28: return .partnerOwnOrder(partner: Int.random(in: 0..<partners, using: &rng), lines: lines())
            case 28..<48: return .partnerOrder(client: client, lines: lines(), ownMeans: Bool.random(using: &rng))
            case 48..<68:
                return .terms(client: client, partner: Int.random(in: 0..<partners, using: &rng), full: Int.random(in: 0..<3, using: &rng) > 0,
                              partnerPays: Bool.random(using: &rng), grants: UInt64.random(in: 0...UInt64.max, using: &rng))
            case 68..<74: return .end(client: client)
            case 74..<80: return .topUp(client: client, amount: Int64.random(in: 1...500, using: &rng) * 100)
            default: return .renew(days: Int.random(in: 1...40, using: &rng))
            }
        }
    }
}
