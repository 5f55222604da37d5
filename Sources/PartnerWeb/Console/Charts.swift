import Foundation
import PartnerCore
import PartnerStore
import Plot

/// Pictures where people would rather look than read (CONSOLE.md): earnings per month as an SVG
/// bar chart, volume toward the program threshold as a progress bar. Each has its numbers in text
/// too (a table or a sentence), so nothing depends on seeing the picture.
enum Charts {
    struct Month: Equatable {
        let label: String
        let cashback: Int64
        let discount: Int64
    }

    /// The last 12 months (oldest first): cashback and discount (public − charged) in `currency`.
    static func monthlyEarnings(_ orders: [Order], now: Date, currency: Currency) -> [Month] {
        let own = orders.filter { $0.priced.currency == currency }
        let cashback = monthly(own.flatMap { o in o.priced.lines.map { (o.createdAt, $0.cashback.minorUnits) } }, now: now)
        let discount = monthly(own.filter { $0.priced.benefit == .discount }
            .flatMap { o in o.priced.lines.map { (o.createdAt, $0.publicPrice.minorUnits - $0.charged.minorUnits) } }, now: now)
        return zip(cashback, discount).map { Month(label: $0.label, cashback: $0.cashback, discount: $1.cashback) }
    }

    /// Sums (time, amount) pairs into the last 12 calendar months (UTC), oldest first.
    static func monthly(_ items: [(Date, Int64)], now: Date) -> [Month] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
        let starts = (0..<12).reversed().map { calendar.date(byAdding: .month, value: -$0, to: thisMonth) ?? thisMonth }
        var sums = [Int64](repeating: 0, count: 12)
        for (time, amount) in items where time >= starts[0] {
            if let index = starts.lastIndex(where: { $0 <= time }) { sums[index] += amount }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM"
        return starts.enumerated().map { Month(label: formatter.string(from: $1), cashback: sums[$0], discount: 0) }
    }

    /// One series of monthly bars (the first series of `Month`), with its numbers as a table.
    static func bars(_ months: [Month], currency: Currency, ctx: PageContext, id: String, title: String) -> Component {
        let s = ctx.strings
        let width = 600, height = 150, barWidth = 36, gap = 14, bottom = 30
        let maximum = max(1, months.map(\.cashback).max() ?? 1)
        func money(_ v: Int64) -> String { MoneyFormat.display(Money(minorUnits: v, currency: currency), language: ctx.language) }
        return ComponentGroup {
            tag("figure", cls("chart")) {
                tag("svg", attr("viewBox", "0 0 \(width) \(height)"), attr("role", "img"), attr("aria-labelledby", "\(id)-title"),
                    attr("xmlns", "http://www.w3.org/2000/svg"), attr("width", "100%")) {
                    tag("title", attr("id", "\(id)-title")) { text(title + ": " + money(months.reduce(0) { $0 + $1.cashback })) }
                    for (index, month) in months.enumerated() {
                        let x = 10 + index * (barWidth + gap)
                        let barHeight = Int(Double(month.cashback) / Double(maximum) * Double(height - 10 - bottom))
                        tag("rect", attr("class", "bar-cashback"), attr("x", String(x)), attr("y", String(height - bottom - barHeight)),
                            attr("width", String(barWidth)), attr("height", String(barHeight))) {
                            tag("title") { text("\(month.label): \(money(month.cashback))") }
                        }
                        tag("text", attr("x", String(x + barWidth / 2)), attr("y", String(height - 10)), attr("text-anchor", "middle"), attr("font-size", "11")) {
                            text(String(month.label.suffix(2)))
                        }
                    }
                }
            }
            tag("details") {
                tag("summary") { text(s("chart.as_table")) }
                tag("table", cls("table")) {
                    tableHead([s("chart.month"), s("invoice.total")])
                    tag("tbody") {
                        for month in months {
                            tag("tr") { tag("td") { text(month.label) }; tag("td", cls("number")) { text(money(month.cashback)) } }
                        }
                    }
                }
            }
        }
    }

    /// R-E3: the partner's managed volume over the last 12 months per currency — the public
    /// price of the orders it took part in, refunds excluded — as the provider's partner list
    /// counts it (Store.managedVolumes, one definition for both).
    static func managedVolume(_ store: Store, partner: OrganisationID, now: Date) async throws -> [Money] {
        let volumes = try await store.managedVolumes(partners: [partner], since: now.addingTimeInterval(-365 * 86_400))[partner] ?? [:]
        return Currency.allCases.map { volumes[$0] ?? .zero($0) }
    }

    /// R-E3 thresholds: CHF 2000 / EUR 1800 a year.
    static func threshold(_ currency: Currency) -> Money { ProgramRules.minimumVolume(currency) }

    static func earnings(_ months: [Month], currency: Currency, ctx: PageContext) -> Component {
        let s = ctx.strings
        let width = 600, height = 180, barWidth = 36, gap = 14, top = 10, bottom = 30
        let maximum = max(1, months.map { $0.cashback + $0.discount }.max() ?? 1)
        func money(_ v: Int64) -> String { MoneyFormat.display(Money(minorUnits: v, currency: currency), language: ctx.language) }
        let total = months.reduce(Int64(0)) { $0 + $1.cashback + $1.discount }
        return ComponentGroup {
            tag("figure", cls("chart")) {
                tag("svg", attr("viewBox", "0 0 \(width) \(height)"), attr("role", "img"), attr("aria-labelledby", "earnings-title"),
                    attr("xmlns", "http://www.w3.org/2000/svg"), attr("width", "100%")) {
                    tag("title", attr("id", "earnings-title")) { text(s("chart.earnings_title", ["total": money(total)])) }
                    for (index, month) in months.enumerated() {
                        let x = 10 + index * (barWidth + gap)
                        let plot = height - top - bottom
                        let cashbackHeight = Int(Double(month.cashback) / Double(maximum) * Double(plot))
                        let discountHeight = Int(Double(month.discount) / Double(maximum) * Double(plot))
                        tag("rect", attr("class", "bar-cashback"), attr("x", String(x)), attr("y", String(height - bottom - cashbackHeight)),
                            attr("width", String(barWidth)), attr("height", String(cashbackHeight))) {
                            tag("title") { text("\(month.label): \(s("benefit.cashback")) \(money(month.cashback))") }
                        }
                        tag("rect", attr("class", "bar-discount"), attr("x", String(x)), attr("y", String(height - bottom - cashbackHeight - discountHeight)),
                            attr("width", String(barWidth)), attr("height", String(discountHeight))) {
                            tag("title") { text("\(month.label): \(s("benefit.discount")) \(money(month.discount))") }
                        }
                        tag("text", attr("x", String(x + barWidth / 2)), attr("y", String(height - 10)), attr("text-anchor", "middle"), attr("font-size", "11")) {
                            text(String(month.label.suffix(2)))
                        }
                    }
                }
                tag("figcaption") {
                    tag("span", cls("key key-cashback")) { text(s("benefit.cashback")) }
                    text(" ")
                    tag("span", cls("key key-discount")) { text(s("benefit.discount")) }
                }
            }
            tag("details") {
                tag("summary") { text(s("chart.as_table")) }
                tag("table", cls("table")) {
                    tableHead([s("chart.month"), s("benefit.cashback"), s("benefit.discount")])
                    tag("tbody") {
                        for month in months {
                            tag("tr") {
                                tag("td") { text(month.label) }
                                tag("td", cls("number")) { text(money(month.cashback)) }
                                tag("td", cls("number")) { text(money(month.discount)) }
                            }
                        }
                    }
                }
            }
        }
    }

    static func volume(_ volumes: [Money], ctx: PageContext) -> Component {
        let s = ctx.strings
        return ComponentGroup {
            for volume in volumes where volume.minorUnits > 0 || volume.currency == .chf {
                let goal = threshold(volume.currency)
                let percent = min(100, Int(volume.minorUnits * 100 / goal.minorUnits))
                tag("div", cls("volume")) {
                    tag("label", attr("for", "volume-\(volume.currency.rawValue)")) {
                        text(s("chart.volume", ["volume": MoneyFormat.display(volume, language: ctx.language), "goal": MoneyFormat.display(goal, language: ctx.language)]))
                    }
                    tag("progress", attr("id", "volume-\(volume.currency.rawValue)"), attr("max", "100"), attr("value", String(percent))) { text("\(percent) %") }
                }
            }
        }
    }
}
