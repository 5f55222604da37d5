import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The dashboard's money (issue #4): for everyone with billing rights the prepaid balance, what
/// the organisation paid per month and where its products' invoices go; for partners also the
/// earnings per month and the managed volume against the R-E3 threshold.
struct MoneyDashboard {
    let balance: Money
    let paidPerMonth: [Charts.Month]
    /// Orders for this organisation's products by who was invoiced: (payer name, count, net).
    let invoicedTo: [(String, Int, Money)]
    let earnings: [Charts.Month]?
    let volume: [Money]?

    static func load(_ req: Request, organisation: Organisation) async throws -> MoneyDashboard {
        let store = req.store
        let now = req.partnerHub.configuration.clock.now()
        let currency = organisation.currency
        let balance = try await store.walletBalance(organisation.id, currency: currency)
        // What this organisation paid: its invoices, as "cashback" bars for the chart's first series.
        let invoices = try await store.invoices(of: organisation.id, limit: 1000)
        let paid = Charts.monthly(invoices.filter { $0.totals.total.currency == currency }.map { ($0.issuedAt, $0.totals.total.minorUnits) }, now: now)
        var byPayer: [OrganisationID: (Int, Int64)] = [:]
        for order in try await store.orders(client: organisation.id, limit: 1000) where order.priced.currency == currency {
            let current = byPayer[order.payerID] ?? (0, 0)
            // R-B11: what another payer (the partner) was charged is the partner's; the client
            // sees the list value of what it got.
            let amount = order.payerID == organisation.id ? order.priced.net.minorUnits
                : PriceDisclosure.lines(order.priced, to: .clientSide).reduce(Int64(0)) { $0 + $1.publicPrice.minorUnits }
            byPayer[order.payerID] = (current.0 + 1, current.1 + amount)
        }
        var invoicedTo: [(String, Int, Money)] = []
        for (payer, (count, net)) in byPayer.sorted(by: { $0.value.1 > $1.value.1 }) {
            let name = payer == organisation.id ? organisation.name : (try await store.organisation(id: payer)?.name ?? "")
            invoicedTo.append((name, count, Money(minorUnits: net, currency: currency)))
        }
        var earnings: [Charts.Month]? = nil, volume: [Money]? = nil
        if organisation.isPartner {
            let orders = try await store.orders(partner: organisation.id)
            earnings = Charts.monthlyEarnings(orders, now: now, currency: currency)
            volume = try await Charts.managedVolume(store, partner: organisation.id, now: now)
        }
        return MoneyDashboard(balance: balance, paidPerMonth: paid, invoicedTo: invoicedTo, earnings: earnings, volume: volume)
    }

    func render(_ ctx: PageContext, organisation: Organisation) -> Component {
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)"
        return ComponentGroup {
            tag("section", cls("card"), attr("aria-labelledby", "money")) {
                tag("h2", attr("id", "money")) { text(s("dashboard.money")) }
                tag("p") {
                    text(s("billing.wallet") + ": ")
                    tag("strong") { text(MoneyFormat.display(balance, language: ctx.language)) }
                    text(" · ")
                    link(s("nav.billing"), base + "/billing")
                }
                tag("h3") { text(s("dashboard.paid_per_month")) }
                Charts.bars(paidPerMonth, currency: organisation.currency, ctx: ctx, id: "paid", title: s("dashboard.paid_title"))
                tag("h3") { text(s("dashboard.invoiced_to")) }
                if invoicedTo.isEmpty {
                    tag("p", cls("empty")) { text(s("dashboard.no_orders")) }
                } else {
                    tag("table", cls("table")) {
                        tableHead([s("order.payer"), s("dashboard.orders"), s("dashboard.value")])
                        tag("tbody") {
                            for (name, count, net) in invoicedTo {
                                tag("tr") {
                                    tag("td") { text(name) }
                                    tag("td", cls("number")) { text(String(count)) }
                                    tag("td", cls("number")) { text(MoneyFormat.display(net, language: ctx.language)) }
                                }
                            }
                        }
                    }
                }
            }
            if let earnings, let volume {
                tag("section", cls("card"), attr("aria-labelledby", "earnings")) {
                    tag("h2", attr("id", "earnings")) { text(s("billing.earnings")) }
                    Charts.earnings(earnings, currency: organisation.currency, ctx: ctx)
                    Charts.volume(volume, ctx: ctx)
                }
            }
        }
    }
}
