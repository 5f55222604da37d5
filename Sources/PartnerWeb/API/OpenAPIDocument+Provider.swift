import Foundation
import PartnerCore

/// The provider's part of the OpenAPI document (R-O3): staff tokens, catalogue and rates (R-B4),
/// refunds (R-B6). Customers' tokens get 401 on these paths; support agents 403.
extension OpenAPIDocument {
    static var providerPaths: JSON {
        let category: JSON = ["name": "category", "in": "path", "required": true, "schema": ["type": "string", "enum": ProductCategory.allCases.map(\.rawValue)]]
        let ext: JSON = ["name": "extension", "in": "path", "required": true, "description": "Without the dot (`ch`), or `*` for every other extension",
                         "schema": ["type": "string", "pattern": "^(\\*|[A-Za-z0-9-]{1,24})$"]]
        return [
            "/api/v1/provider/auth/tokens": ["post": operation("createStaffToken", "Provider staff exchange e-mail and password for an API token (`phs_…`)",
                tag: "provider", secured: false, body: jsonBody(ref("StaffTokenRequest")), responses: ["201": response("Created; the token is shown only here", ref("NewAccessToken"))])],
            "/api/v1/provider/catalogue/products/{category}": ["put": operation("setCataloguePrice",
                "Program admins: a category's list prices and period; bumps the catalogue version (R-B4)", tag: "provider", parameters: [category],
                body: jsonBody(ref("CatalogueEntryRequest")), responses: ["200": response("The catalogue now in force", ref("Catalogue"))])],
            "/api/v1/provider/catalogue/tiers": ["put": operation("setCatalogueTiers", "Program admins: the tier table for web and mail hosting (R-B4)",
                tag: "provider", body: jsonBody(ref("TiersRequest")), responses: ["200": response("The catalogue now in force", ref("Catalogue"))])],
            "/api/v1/provider/catalogue/domains/{extension}": ["put": operation("setDomainPrice",
                "Program admins: a domain extension's list and preferential prices (R-B4)", tag: "provider", parameters: [ext],
                body: jsonBody(ref("DomainPriceRequest")), responses: ["200": response("The catalogue now in force", ref("Catalogue"))])],
            "/api/v1/provider/partners/{org}/rates": [
                "get": operation("getPartnerRates", "Program admins: a partner's discount rates per category", tag: "provider", parameters: [pathParam("org")],
                                 responses: ["200": response("Rates", ref("PartnerRates"))]),
                "put": operation("setPartnerRates", "Program admins: set a partner's rates (each ≤ 3500 basis points, R-B4); every change audited", tag: "provider",
                                 parameters: [pathParam("org")], body: jsonBody(ref("PartnerRates")), responses: ["200": response("Rates", ref("PartnerRates"))]),
            ],
            "/api/v1/provider/orders/{order}/refund": ["post": operation("refundOrder",
                "Program admins: refund an order — credit note, payer credited, cashback taken back, products ended; all or nothing (R-B6)", tag: "provider",
                parameters: [pathParam("order")], responses: ["201": response("The credit note", ref("Invoice"))])],
        ]
    }

    static var providerSchemas: JSON {
        let minor: JSON = ["type": "integer", "minimum": 0, "maximum": 100_000_000, "description": "minor units"]
        let category: JSON = ["type": "string", "enum": ProductCategory.allCases.filter { $0 != .domain }.map(\.rawValue)]
        return [
            "StaffTokenRequest": object(["email": ["type": "string", "maxLength": 254], "password": secret, "name": text(100, required: false),
                                         "otp": ["type": "string", "maxLength": 32,
                                                 "description": "R-O4: the authenticator's 6-digit code, or a recovery code, when two-factor sign-in is on"],
                                         "expires_in_days": ["type": "integer", "minimum": 1, "maximum": AccessTokenRules.maximumDays,
                                                             "description": "R-O4: the token ends by itself after this many days; without it, when revoked"]],
                                        required: ["email", "password"]),
            "CatalogueEntryRequest": object(["period": ["type": "string", "enum": BillingPeriod.allCases.map(\.rawValue)], "price_chf": minor, "price_eur": minor,
                                             "tiered": ["type": "boolean"]], required: ["period", "price_chf", "price_eur", "tiered"]),
            "TiersRequest": object(["tiers": ["type": "array", "maxItems": 20, "items": object(["from": ["type": "integer", "minimum": 1],
                                                                                               "rate_basis_points": ["type": "integer", "minimum": 0, "maximum": 10_000]],
                                                                                              required: ["from", "rate_basis_points"])]], required: ["tiers"]),
            "DomainPriceRequest": object(["list_chf": minor, "list_eur": minor, "preferential_chf": minor, "preferential_eur": minor],
                                         required: ["list_chf", "list_eur", "preferential_chf", "preferential_eur"]),
            "PartnerRates": object(["rates": ["type": "array", "items": object(["category": category, "rate_basis_points": ["type": "integer", "minimum": 0, "maximum": 3500]],
                                                                                required: ["category", "rate_basis_points"])]], required: ["rates"]),
        ]
    }
}
