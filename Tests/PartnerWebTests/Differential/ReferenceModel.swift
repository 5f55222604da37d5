import Foundation

/// R-B2 … R-B8 written a second time, from DESIGN.md's words, for the differential test. It never
/// calls PartnerCore's pricing, payer table or tier count: its own table, its own rounding, its
/// own count of who pays which hosting. What it predicts is compared with what the running
/// system stored: every order and renewal, every invoice, every wallet balance, every cashback.
struct ReferenceModel {
    enum Category: String, CaseIterable {
        case web = "web-hosting", mail = "mail-hosting", vps, kdrive
    }

    /// The catalogue as the project ships it (list prices a month, CHF and EUR; DESIGN.md's
    /// seed example CHF 9.92 / EUR 5.75 for web hosting) and its hosting tier table.
    static let listPrices: [Category: [String: Int64]] = [
        .web: ["CHF": 992, "EUR": 575], .mail: ["CHF": 300, "EUR": 275], .vps: ["CHF": 2500, "EUR": 2300], .kdrive: ["CHF": 650, "EUR": 600],
    ]
    static let tiered: Set<Category> = [.web, .mail]
    static let tiers: [(from: Int64, basisPoints: Int64)] = [(5, 500), (10, 1000), (20, 1500), (35, 2500)]
    /// R-B6's choice: VAT by the payer's country.
    static let vat: [String: Int64] = ["CH": 810, "FR": 2000]

    struct Org {
        let label: String
        let country: String
        let currency: String
    }

    /// A client's one partnership (the test gives each client at most one at a time).
    struct Partnership {
        var partner: Int
        var full: Bool
        var partnerPays: Bool
        var grants: Set<String>
    }

    struct Product {
        let id: String
        let client: Int
        let category: Category
        var renewsAt: Date
    }

    enum Party { case client, partnerWithClientMeans, partnerWithOwnMeans, renewalRun }
    enum Benefit: String { case none, cashback, discount }
    enum PayerRef: Hashable {
        case client(Int), partner(Int)
    }

    let clients: [Org]
    let partners: [Org]
    /// Per partner, basis points per category.
    let rates: [[Category: Int64]]
    var partnerships: [Int: Partnership] = [:]
    var products: [Product] = []
    var wallets: [String: Int64] = [:]
    var orders: [String] = []
    var invoices: [String] = []
    var cashbacks: [String] = []
    var renewals = 0
    /// The highest tier count priced so far (a run that never reaches a tier proves little).
    var highestTierCount: Int64 = 0

    init(clients: [Org], partners: [Org], rates: [[Category: Int64]]) {
        self.clients = clients
        self.partners = partners
        self.rates = rates
    }

    func org(_ payer: PayerRef) -> Org {
        switch payer {
        case .client(let i): return clients[i]
        case .partner(let i): return partners[i]
        }
    }

    static func wallet(_ org: Org, _ currency: String) -> String { "\(org.label) \(currency)" }

    // MARK: R-B3, as DESIGN.md's table reads, row by row

    func decide(client: Int, party: Party, newOrder: Bool, product: String?) -> (payer: PayerRef, benefit: Benefit)? {
        if party == .renewalRun && newOrder { return nil }
        let clientSide = party == .client || party == .renewalRun
        guard let p = partnerships[client] else { return clientSide ? (.client(client), .none) : nil }
        if p.full && !p.partnerPays {
            switch party {
            case .client, .renewalRun, .partnerWithClientMeans: return (.client(client), .cashback)
            case .partnerWithOwnMeans: return nil
            }
        }
        if p.full {
            switch party {
            case .client: return (.partner(p.partner), .cashback)
            case .partnerWithOwnMeans, .renewalRun: return (.partner(p.partner), .discount)
            case .partnerWithClientMeans: return nil
            }
        }
        let managed = product.map { p.grants.contains($0) } ?? false
        switch party {
        case .client, .renewalRun: return (.client(client), managed ? .cashback : .none)
        case .partnerWithClientMeans: return !newOrder && managed ? (.client(client), .cashback) : nil
        case .partnerWithOwnMeans: return nil
        }
    }

    // MARK: R-B4: hostings billed to a payer now, by today's partnerships

    /// A partner's own products count too: payers are compared as organisations (a partner
    /// ordering for itself is a "client" of the model without a partnership).
    func hostings(of payer: PayerRef, _ category: Category) -> Int64 {
        let label = org(payer).label
        return Int64(products.filter { product in
            product.category == category && decide(client: product.client, party: .renewalRun, newOrder: false, product: product.id).map { org($0.payer).label } == label
        }.count)
    }

    // MARK: R-B2 and R-B1: each step rounds half-up to the minor unit

    static func apply(_ amount: Int64, discount basisPoints: Int64) -> Int64 {
        let scaled = amount * (10_000 - basisPoints)
        return scaled / 10_000 + (scaled % 10_000 * 2 >= 10_000 ? 1 : 0)
    }

    static func share(_ amount: Int64, _ basisPoints: Int64) -> Int64 {
        let scaled = amount * basisPoints
        return scaled / 10_000 + (scaled % 10_000 * 2 >= 10_000 ? 1 : 0)
    }

    static func tierRate(_ count: Int64) -> Int64 { tiers.last { count >= $0.from }?.basisPoints ?? 0 }

    struct Line {
        let category: Category
        let quantity: Int64
        let tierCount: Int64
        let charged: Int64
        let cashback: Int64
        var description: String { "\(category.rawValue) x\(quantity) tier=\(tierCount) charged=\(charged) cb=\(cashback)" }
    }

    struct Priced {
        let payer: PayerRef
        let benefit: Benefit
        let currency: String
        let lines: [Line]
        var net: Int64 { lines.reduce(0) { $0 + $1.charged } }
        var cashback: Int64 { lines.reduce(0) { $0 + $1.cashback } }
    }

    /// `renewal`: the product priced is already among the payer's hostings.
    func price(client: Int, lines: [(Category, Int64)], payer: PayerRef, benefit: Benefit, renewal: Bool) -> Priced {
        let currency = clients[client].currency
        let rate: [Category: Int64] = partnerships[client].map { rates[$0.partner] } ?? [:]
        var newUnits: [Category: Int64] = [:]
        if !renewal { for (category, quantity) in lines { newUnits[category, default: 0] += quantity } }
        let priced = lines.map { category, quantity -> Line in
            let list = Self.listPrices[category]![currency]! * quantity
            let count = Self.tiered.contains(category) ? hostings(of: payer, category) + newUnits[category, default: 0] : 0
            let tier = Self.tiered.contains(category) ? Self.tierRate(count) : 0
            let publicPrice = Self.apply(list, discount: tier)
            let preferential = Self.apply(Self.apply(list, discount: benefit == .none ? 0 : rate[category] ?? 0), discount: tier)
            return Line(category: category, quantity: quantity, tierCount: count, charged: benefit == .discount ? preferential : publicPrice,
                        cashback: benefit == .cashback ? publicPrice - preferential : 0)
        }
        return Priced(payer: payer, benefit: benefit, currency: currency, lines: priced)
    }

    func total(_ priced: Priced) -> (vat: Int64, total: Int64) {
        let vat = Self.share(priced.net, Self.vat[org(priced.payer).country] ?? 0)
        return (vat, priced.net + vat)
    }

    // MARK: recording (R-B5 wallets, R-B6 invoices, R-B3 cashback)

    mutating func record(_ priced: Priced, client: Int, kind: String, paidFromWallet: Bool) {
        let payer = org(priced.payer)
        let (vat, total) = self.total(priced)
        if paidFromWallet { wallets[Self.wallet(payer, priced.currency), default: 0] -= total }
        highestTierCount = max(highestTierCount, priced.lines.map(\.tierCount).max() ?? 0)
        orders.append("\(kind) \(clients[client].label) payer=\(payer.label) \(priced.benefit.rawValue) [\(priced.lines.map(\.description).joined(separator: ", "))] net=\(priced.net) cb=\(priced.cashback) \(priced.currency)")
        invoices.append("\(payer.label) \(priced.currency) [\(priced.lines.map { "x\($0.quantity)=\($0.charged)" }.joined(separator: ", "))] net=\(priced.net) vat=\(vat) total=\(total)")
        if priced.cashback > 0, let partner = partnerships[client]?.partner {
            wallets[Self.wallet(partners[partner], priced.currency), default: 0] += priced.cashback
            cashbacks.append("\(partners[partner].label) \(priced.currency) \(priced.cashback)")
        }
    }

    static func month(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .month, value: 1, to: date)!
    }

    /// R-B8: every product due by `until` is billed once per period it is behind, by the
    /// partnerships now; identical hostings of a payer share one count (R-B4). Returns false
    /// when a payer could not pay (the test keeps wallets full, so that is a model failure).
    mutating func renew(until: Date) -> Bool {
        var billed = true
        while billed {
            billed = false
            for index in products.indices.sorted(by: { (products[$0].renewsAt, products[$0].id) < (products[$1].renewsAt, products[$1].id) })
            where products[index].renewsAt <= until {
                let product = products[index]
                guard let (payer, benefit) = decide(client: product.client, party: .renewalRun, newOrder: false, product: product.id) else { return false }
                let priced = price(client: product.client, lines: [(product.category, 1)], payer: payer, benefit: benefit, renewal: true)
                if wallets[Self.wallet(org(payer), priced.currency), default: 0] < total(priced).total { return false }
                record(priced, client: product.client, kind: "renewal", paidFromWallet: true)
                products[index].renewsAt = Self.month(after: product.renewsAt)
                renewals += 1
                billed = true
            }
        }
        return true
    }
}
