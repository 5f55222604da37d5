import Foundation
import PartnerCore

/// The billing part of the OpenAPI document (R-B2 … R-B7).
extension OpenAPIDocument {
    static var idempotencyKey: JSON {
        ["name": "Idempotency-Key", "in": "header", "required": false,
         "description": "Repeating a request with the same key returns the first result instead of charging twice (R-B5).",
         "schema": ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"]]
    }

    static var delimiter: JSON {
        ["name": "delimiter", "in": "query", "required": false, "description": "`semicolon` for spreadsheets in German locales",
         "schema": ["type": "string", "enum": ["comma", "semicolon"]]]
    }

    static func csv(_ description: String) -> JSON {
        ["description": description + " (RFC 4180, UTF-8, header row)", "content": ["text/csv": ["schema": ["type": "string"]]]]
    }

    static var billingPaths: JSON {
        let org = pathParam("org")
        return [
            "/api/v1/catalogue": ["get": operation("getCatalogue",
                "The catalogue in force: list prices, tiers, domain extensions (R-B4); preferential domain prices only for partners and staff (R-B11)",
                tag: "billing", secured: false, responses: ["200": response("Catalogue", ref("Catalogue"))])],
            "/api/v1/organisations/{org}/quotes": ["post": operation("createQuote",
                "Price new products or a renewal for a client organisation: payer, benefit, R-B3 row and every discount step; valid 15 minutes",
                tag: "billing", parameters: [org], body: jsonBody(ref("QuoteRequest")), responses: ["201": response("Quote", ref("OrderQuote"))])],
            "/api/v1/organisations/{org}/orders": [
                "post": operation("placeOrder", "Confirm a quote and pay (wallet or card); 409 with `fresh_quote` when anything changed", tag: "billing",
                                  parameters: [org, idempotencyKey], body: jsonBody(ref("OrderRequest")),
                                  responses: ["201": response("Ordered", ref("Order")),
                                              "202": response("Waiting for the partner's approval (R-B11)", ref("OrderApprovalRequest"))]),
                "get": operation("listOrders", "Orders of a client organisation; a partner sees those it took part in", tag: "billing", parameters: [org],
                                 responses: ["200": response("Orders", list("Order"))]),
            ],
            "/api/v1/organisations/{org}/wallet": ["get": operation("getWallet", "Prepaid balances per currency (R-B5)", tag: "billing", parameters: [org],
                responses: ["200": response("Balances", ref("Wallet"))])],
            "/api/v1/organisations/{org}/wallet/entries": ["get": operation("listWalletEntries", "The latest ledger entries, newest first", tag: "billing",
                parameters: [org], responses: ["200": response("Entries", list("LedgerEntry"))])],
            "/api/v1/organisations/{org}/wallet/top-ups": ["post": operation("topUpWallet", "Top up the prepaid account by card", tag: "billing",
                parameters: [org, idempotencyKey], body: jsonBody(ref("TopUpRequest")), responses: ["201": response("Credited", ref("LedgerEntry"))])],
            "/api/v1/organisations/{org}/invoices.csv": ["get": operation("exportInvoices", "The organisation's invoices as CSV, streamed (R-B7)", tag: "billing",
                parameters: [org, delimiter], responses: ["200": csv("Invoices")])],
            "/api/v1/organisations/{org}/wallet/entries.csv": ["get": operation("exportWalletEntries", "The whole ledger as CSV, streamed (R-B7)", tag: "billing",
                parameters: [org, delimiter], responses: ["200": csv("Ledger")])],
            "/api/v1/organisations/{org}/earnings.csv": ["get": operation("exportEarnings", "A partner's cashback and discounts per order line as CSV (R-B7)", tag: "billing",
                parameters: [org, delimiter], responses: ["200": csv("Earnings")])],
            "/api/v1/organisations/{org}/clients/{partnership}/billing.csv": ["get": operation("exportClientBilling",
                "A managed client's billing data as the partner may see it: orders it took part in, prices, payer, its benefit (R-B7)", tag: "billing",
                parameters: [org, pathParam("partnership"), delimiter], responses: ["200": csv("Billing data")])],
            "/api/v1/organisations/{org}/members/{member}/products": [
                "get": operation("listAssignedProducts", "Products assigned to an employee or external user (R-O2)", tag: "members",
                                 parameters: [org, pathParam("member")], responses: ["200": response("Assigned", ref("ProductAssignment"))]),
                "put": operation("assignProducts", "Replace the products assigned to an employee or external user (R-O2)", tag: "members",
                                 parameters: [org, pathParam("member")], body: jsonBody(ref("ProductAssignment")), responses: ["200": response("Assigned", ref("ProductAssignment"))]),
            ],
            "/api/v1/organisations/{org}/benefits": ["get": operation("getBenefits", "A partner's benefits: rates per category, preferential domain prices, the premium theme (R-X2)",
                tag: "billing", parameters: [org], responses: ["200": response("Benefits", ref("Benefits"))])],
            "/api/v1/organisations/{org}/invoices": ["get": operation("listInvoices", "Invoices issued to this organisation (R-B6)", tag: "billing",
                parameters: [org], responses: ["200": response("Invoices", list("Invoice"))])],
            "/api/v1/organisations/{org}/invoices/{invoice}": ["get": operation("getInvoice", "One invoice, only inside the paying organisation", tag: "billing",
                parameters: [org, pathParam("invoice")], responses: ["200": response("Invoice", ref("Invoice"))])],
        ]
    }

    /// A card number as the simulated provider reads it: 12 to 19 digits, spaces allowed.
    static var cardNumber: JSON {
        ["type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[0-9 ]*$", "not": ["pattern": TextInput.forbiddenPattern(.singleLine)]]
    }

    /// An amount as MoneyFormat.parseAmount reads it: whole units and up to two decimals.
    static var amount: JSON {
        ["type": "string", "maxLength": 18, "pattern": "^[0-9]{1,15}([.][0-9]{1,2})?$", "not": ["pattern": TextInput.forbiddenPattern(.singleLine)]]
    }

    /// A top-up: more than zero and at most 100,000.00 (BillingService.maximumTopUp).
    static var topUpAmount: JSON {
        ["type": "string", "maxLength": 9, "pattern": "^(?![0.]*$)(?:[0-9]{1,5}([.][0-9]{1,2})?|100000([.]00?)?)$",
         "not": ["pattern": TextInput.forbiddenPattern(.singleLine)], "description": "more than 0 and at most 100000.00"]
    }

    static var billingSchemas: JSON {
        let currency: JSON = ["type": "string", "enum": Currency.allCases.map(\.rawValue)]
        let category: JSON = ["type": "string", "enum": ProductCategory.allCases.map(\.rawValue)]
        let nullableUUID: JSON = ["type": ["string", "null"], "format": "uuid"]
        // R-B11: what only the partner's side sees is null for the client.
        let partnerOnly: JSON = ["anyOf": [ref("Money"), ["type": "null"]], "description": "null for the client: the partner's side only (R-B11)"]
        return [
            "Money": object(["minor_units": ["type": "integer"], "currency": currency, "formatted": string()], required: ["minor_units", "currency", "formatted"]),
            "Catalogue": object([
                "version": ["type": "integer"],
                "products": ["type": "array", "items": object(["category": category, "period": ["type": "string", "enum": ["monthly", "yearly"]],
                                                               "prices": list("Money"), "tiered": ["type": "boolean"]], required: ["category", "period", "prices", "tiered"])],
                "tiers": ["type": "array", "items": object(["from": ["type": "integer"], "rate_basis_points": ["type": "integer"]], required: ["from", "rate_basis_points"])],
                "domains": ["type": "array", "items": object(["extension_name": string(), "list": list("Money"), "preferential": list("Money")],
                                                             required: ["extension_name", "list", "preferential"])],
            ], required: ["version", "products", "tiers", "domains"]),
            "QuoteRequest": object([
                // R-H1: the documented limits of one order (Limits); together at most Limits.unitsPerOrder units.
                "lines": ["type": "array", "maxItems": Limits.linesPerOrder,
                          "items": object(["category": category, "name": text(160),
                                           "quantity": ["type": "integer", "minimum": 1, "maximum": Limits.unitsPerOrder]], required: ["category", "name"])],
                "renew_product_id": uuid,
                "means": ["type": "string", "enum": ["client", "own"], "description": "A partner's choice of whose means pay"],
            ], required: []).merging([
                // New products or the renewal of one, never both in one quote.
                "anyOf": [["required": ["lines"], "properties": ["lines": ["minItems": 1]]], ["required": ["renew_product_id"]]] as [JSON],
                "not": ["required": ["lines", "renew_product_id"]],
            ]) { a, _ in a },
            "OrderRequest": object(["quote_id": uuid, "payment_method": ["type": "string", "enum": ["wallet", "card"]], "card_number": cardNumber],
                                   required: ["quote_id", "payment_method"]),
            "TopUpRequest": object(["amount": topUpAmount, "currency": currency, "card_number": cardNumber],
                                   required: ["amount", "card_number"]),
            "PricedLine": object([
                "category": category, "name": string(), "quantity": ["type": "integer"], "period": string(), "unit_price": ref("Money"),
                "tier_count": ["type": ["integer", "null"]],
                "steps": ["type": "array", "items": object(["step": ["type": "string", "enum": ["list", "partner_discount", "tier_discount", "preferential_price"]],
                                                            "rate_basis_points": ["type": "integer"], "amount": ref("Money")], required: ["step", "rate_basis_points", "amount"])],
                "charged": partnerOnly, "public_price": ref("Money"), "preferential_price": partnerOnly, "cashback": partnerOnly,
            ], required: ["category", "name", "quantity", "period", "unit_price", "tier_count", "steps", "charged", "public_price", "preferential_price", "cashback"]),
            "Totals": object(["net": ref("Money"), "vat_rate_basis_points": ["type": "integer"], "vat": ref("Money"), "total": ref("Money"), "reverse_charge": ["type": "boolean"]],
                             required: ["net", "vat_rate_basis_points", "vat", "total", "reverse_charge"]),
            "OrderQuote": object([
                "id": uuid, "kind": ["type": "string", "enum": ["order", "renewal"]], "party": string(), "payer_id": uuid,
                "payer": ["type": "string", "enum": ["client", "partner"]], "benefit": ["type": "string", "enum": ["none", "cashback", "discount"]],
                "rule": ["type": "integer", "description": "The R-B3 table row that applied"], "partner_id": nullableUUID, "catalogue_version": ["type": "integer"],
                "lines": list("PricedLine"), "cashback": partnerOnly,
                "totals": ["anyOf": [ref("Totals"), ["type": "null"]], "description": "null for the client when its partner pays (R-B11)"], "expires_at": dateTime,
            ], required: ["id", "kind", "party", "payer_id", "payer", "benefit", "rule", "partner_id", "catalogue_version", "lines", "cashback", "totals", "expires_at"]),
            "Order": object([
                "id": uuid, "organisation_id": uuid, "payer_id": uuid, "partner_id": nullableUUID, "kind": string(), "party": string(), "payer": string(),
                "benefit": string(), "rule": ["type": "integer"], "payment_method": ["type": "string", "enum": ["wallet", "card"]], "lines": list("PricedLine"),
                "net": partnerOnly, "cashback": partnerOnly, "product_ids": ["type": "array", "items": ["type": "array", "items": uuid]],
                "invoice_id": nullableUUID, "invoice_number": ["type": ["string", "null"]], "created_at": dateTime,
            ], required: ["id", "organisation_id", "payer_id", "partner_id", "kind", "party", "payer", "benefit", "rule", "payment_method", "lines", "net",
                          "cashback", "product_ids", "invoice_id", "invoice_number", "created_at"]),
            "ProductAssignment": object(["product_ids": ["type": "array", "items": uuid, "maxItems": 1000]], required: ["product_ids"]),
            "Benefits": object([
                "rates": ["type": "array", "items": object(["category": category, "rate_basis_points": ["type": "integer", "minimum": 0, "maximum": 3500]],
                                                           required: ["category", "rate_basis_points"])],
                "domains": ["type": "array", "items": object(["extension_name": string(), "list": ref("Money"), "preferential": ref("Money")],
                                                             required: ["extension_name", "list", "preferential"])],
                "theme_request": ["oneOf": [["type": "null"], object(["requested_at": dateTime, "fulfilled_at": ["type": ["string", "null"], "format": "date-time"],
                                                                      "licence_key": ["type": ["string", "null"]]], required: ["requested_at", "fulfilled_at", "licence_key"])]],
            ], required: ["rates", "domains", "theme_request"]),
            "Wallet": object(["balances": list("Money")], required: ["balances"]),
            "LedgerEntry": object([
                "id": uuid, "kind": ["type": "string", "enum": LedgerKind.allCases.map(\.rawValue)], "amount": ref("Money"), "balance_after": ref("Money"),
                "reference": ["type": ["string", "null"]], "description": string(), "created_at": dateTime,
            ], required: ["id", "kind", "amount", "balance_after", "reference", "description", "created_at"]),
            "Invoice": object([
                "id": uuid, "number": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{6}$"], "kind": ["type": "string", "enum": ["invoice", "credit_note"]],
                "order_id": nullableUUID, "recipient_name": string(), "recipient_country": string(),
                "lines": ["type": "array", "items": object(["description": string(), "quantity": ["type": "integer"], "unit_price": ref("Money"),
                                                           "explanation": string(), "net": ref("Money")], required: ["description", "quantity", "unit_price", "explanation", "net"])],
                "totals": ref("Totals"), "issued_at": dateTime,
            ], required: ["id", "number", "kind", "order_id", "recipient_name", "recipient_country", "lines", "totals", "issued_at"]),
        ]
    }
}
