import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// Invoices (R-B6) and the CSV exports (R-B7), streamed page by page.
extension BillingConsoleController {
    // MARK: invoices (R-B6)

    func invoicePage(req: Request) async throws -> Response {
        let context = try await billingContext(req)
        let id = try api.param(req, "invoice", InvoiceID.init(string:))
        guard let invoice = try await req.store.invoice(id, of: context.organisationID) else { throw AppError.notFound }
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        func money(_ m: Money) -> String { MoneyFormat.display(m, language: ctx.language) }
        return Layout.page(s("invoice.title", ["number": invoice.number]), ctx) {
            tag("article", cls("invoice")) {
                tag("header") {
                    tag("h1") { text(s(invoice.kind == .invoice ? "invoice.title" : "invoice.credit_title", ["number": invoice.number])) }
                    tag("p") { text(s("invoice.issued", ["date": Self.day(invoice.issuedAt)])) }
                    tag("p") { text(s("invoice.to") + ": " + invoice.recipientName + " (" + invoice.recipientCountry.rawValue + ")") }
                }
                tag("table", cls("table")) {
                    tableHead([s("invoice.line"), s("field.quantity"), s("invoice.unit"), s("order.steps"), s("invoice.net")])
                    tag("tbody") {
                        for line in invoice.lines {
                            tag("tr") {
                                tag("td") { text(line.description) }
                                tag("td", cls("number")) { text(String(line.quantity)) }
                                tag("td", cls("number")) { text(money(line.unitPrice)) }
                                tag("td") { text(line.explanation) }
                                tag("td", cls("number")) { text(money(line.net)) }
                            }
                        }
                    }
                }
                tag("dl", cls("facts totals")) {
                    tag("dt") { text(s("invoice.net")) }; tag("dd") { text(money(invoice.totals.net)) }
                    tag("dt") { text(s("invoice.vat", ["rate": invoice.totals.vatRate.description])) }; tag("dd") { text(money(invoice.totals.vat)) }
                    tag("dt") { text(s("invoice.total")) }; tag("dd") { tag("strong") { text(money(invoice.totals.total)) } }
                }
                if invoice.totals.reverseCharge { tag("p", cls("note")) { text(s("invoice.reverse_charge")) } }
                tag("p", cls("no-print")) { link(s("billing.back"), base(context.organisationID) + "/billing") }
            }
        }
    }

    // MARK: CSV exports (R-B7), streamed page by page

    static func delimiter(_ req: Request) -> CSV.Delimiter { (try? req.query.get(String.self, at: "delimiter")) == "semicolon" ? .semicolon : .comma }

    /// A CSV response written as the pages arrive: memory stays flat however many rows. The
    /// producer fills one `CSVWriter` a page; its bytes go out as one chunk.
    static func csvStream(_ filename: String, header: [String], delimiter: CSV.Delimiter,
                          _ produce: @escaping @Sendable (@escaping @Sendable (CSVWriter) async throws -> Void) async throws -> Void) -> Response {
        let response = Response(status: .ok)
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        response.body = .init(asyncStream: { writer in
            do {
                var head = CSVWriter(delimiter: delimiter)
                head.row(header)
                try await writer.writeBuffer(ByteBuffer(bytes: head.bytes))
                try await produce { page in try await writer.writeBuffer(ByteBuffer(bytes: page.bytes)) }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        })
        return response
    }

    /// Rows of plain text cells, one chunk.
    static func page(_ rows: [[String]], _ delimiter: CSV.Delimiter) -> CSVWriter {
        var page = CSVWriter(delimiter: delimiter, capacity: rows.count * 96)
        for row in rows { page.row(row) }
        return page
    }

    func invoicesCSV(req: Request) async throws -> Response {
        let context = try await billingContext(req)
        let store = req.store
        let delimiter = Self.delimiter(req)
        return Self.csvStream("invoices.csv", header: ["number", "kind", "issued_at", "recipient", "country", "currency", "net", "vat_rate", "vat", "total", "reverse_charge"],
                              delimiter: delimiter) { emit in
            try await store.forEachInvoicePage(context.organisationID) { invoices in
                try await emit(Self.page(invoices.map { i in
                    [i.number, i.kind.rawValue, ISO8601DateFormatter().string(from: i.issuedAt), i.recipientName, i.recipientCountry.rawValue,
                     i.totals.net.currency.rawValue, MoneyFormat.plain(i.totals.net, withCurrency: false), i.totals.vatRate.description,
                     MoneyFormat.plain(i.totals.vat, withCurrency: false), MoneyFormat.plain(i.totals.total, withCurrency: false), i.totals.reverseCharge ? "yes" : "no"]
                }, delimiter))
            }
        }
    }

    func ledgerCSV(req: Request) async throws -> Response {
        let context = try await billingContext(req)
        let store = req.store
        let delimiter = Self.delimiter(req)
        return Self.csvStream("wallet-ledger.csv", header: ["time_utc", "kind", "currency", "amount", "direction", "balance_after", "reference", "description"],
                              delimiter: delimiter) { emit in
            try await store.forEachLedgerPage(context.organisationID) { entries in
                var page = CSVWriter(delimiter: delimiter, capacity: entries.count * 96)
                for e in entries {
                    page.timestamp(secondsSince1970: Int64(e.createdAt.timeIntervalSince1970.rounded(.down)))
                    page.field(e.kind)
                    page.field(e.currency)
                    // Amounts unsigned with a direction column: a leading "-" would be guarded as a formula.
                    page.amount(e.amount < 0 ? -e.amount : e.amount)
                    page.field(e.amount < 0 ? "debit" : "credit")
                    page.amount(e.balanceAfter)
                    page.field(e.reference ?? "")
                    page.field(e.description)
                    page.endRow()
                }
                try await emit(page)
            }
        }
    }

    /// R-B7: a partner's benefit per order line across its clients, oldest first, page by page.
    func earningsCSV(req: Request) async throws -> Response {
        // Who may: the route's action (R-O5 billing).
        let context = try await req.organisationContext()
        let store = req.store
        let delimiter = Self.delimiter(req)
        return Self.csvStream("earnings.csv", header: ["date", "client", "order", "kind", "product", "currency", "benefit", "amount"], delimiter: delimiter) { emit in
            try await store.forEachOrderPage(partner: context.organisationID) { orders in
                let names = try await store.organisations(ids: Set(orders.map(\.organisationID))).mapValues(\.name)
                try await emit(Self.page(orders.flatMap { o in
                    o.priced.lines.map { line in
                        [Self.day(o.createdAt), names[o.organisationID] ?? "", o.id.string, o.kind.rawValue, line.name, o.priced.currency.rawValue,
                         o.priced.benefit.rawValue, MoneyFormat.plain(Self.benefit(o, line), withCurrency: false)]
                    }
                }, delimiter))
            }
        }
    }

    /// What the partner earned on a line: its cashback, or with a discount what it saved on the public price.
    static func benefit(_ order: Order, _ line: PricedLine) -> Money {
        let amount = order.priced.benefit == .discount ? line.publicPrice.minorUnits - line.charged.minorUnits : line.cashback.minorUnits
        return Money(minorUnits: amount, currency: order.priced.currency)
    }

    /// R-B7: a managed client's billing data — the orders and renewals this partner took part in,
    /// with prices, payer and its own benefit; never the client's invoices (mode `client`): the
    /// invoice number only where the partner itself paid.
    func clientBillingCSV(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        // R-O2: billing exports (with the partner's cashback) are for legal representatives and
        // admins — the route's action (R-O5 billing).
        let id = try api.param(req, "partnership", PartnershipID.init(string:))
        guard let listing = try await req.partnerships.visibleClients(context, store: req.store).first(where: { $0.partnership.id == id }),
              let client = listing.partnership.clientID else { throw AppError.notFound }
        let store = req.store
        let delimiter = Self.delimiter(req)
        return Self.csvStream("billing-\(listing.counterpartName.filter { $0.isLetter || $0.isNumber }).csv",
                              header: ["date", "order", "kind", "product", "category", "quantity", "currency", "list", "charged", "payer", "benefit", "benefit_amount", "rule", "our_invoice"],
                              delimiter: delimiter) { emit in
            try await store.forEachOrderPage(partner: context.organisationID, client: client) { orders in
                let numbers = try await store.invoices(orders: orders.filter { $0.payerID == context.organisationID }.map(\.id)).mapValues(\.number)
                try await emit(Self.page(orders.flatMap { o in
                    o.priced.lines.map { line in
                        [Self.day(o.createdAt), o.id.string, o.kind.rawValue, line.name, line.category.rawValue, String(line.quantity), o.priced.currency.rawValue,
                         MoneyFormat.plain(line.steps[0].amount, withCurrency: false), MoneyFormat.plain(line.charged, withCurrency: false),
                         o.priced.payer.rawValue, o.priced.benefit.rawValue, MoneyFormat.plain(Self.benefit(o, line), withCurrency: false),
                         String(o.priced.row), numbers[o.id] ?? ""]
                    }
                }, delimiter))
            }
        }
    }
}
