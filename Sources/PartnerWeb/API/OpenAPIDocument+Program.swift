import Foundation
import PartnerCore

/// The partner program's part of the OpenAPI document (issue #5): applications (R-E1 … R-E4),
/// the provider's queue and partner list (R-E2, R-E3), tenders (R-T1 … R-T5), the directory (R-D1).
extension OpenAPIDocument {
    static var regionEnum: JSON { ["type": "string", "enum": TenderRegion.allCases.map(\.rawValue)] }
    static var tenderLanguageEnum: JSON { ["type": "string", "enum": TenderLanguage.allCases.map(\.rawValue)] }

    static var programPaths: JSON {
        let org = pathParam("org")
        let token: JSON = ["name": "token", "in": "path", "required": true, "description": "The token from the contact's e-mail",
                           "schema": ["type": "string", "minLength": 1, "maxLength": 100]]
        let key: JSON = ["name": "key", "in": "path", "required": true, "schema": ["type": "string", "pattern": "^[a-z][a-z0-9-]{1,39}$"]]
        let filters: [JSON] = [
            ["name": "region", "in": "query", "required": false, "schema": regionEnum],
            ["name": "language", "in": "query", "required": false, "schema": tenderLanguageEnum],
            ["name": "specialty", "in": "query", "required": false, "schema": ["type": "string", "pattern": "^[a-z0-9-]{1,40}$"]],
            ["name": "page", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 10_000]],
        ]
        return [
            "/api/v1/reseller-terms": ["get": operation("resellerTerms", "The current version of the reseller terms an applicant accepts (R-E1)", tag: "program",
                secured: false, responses: ["200": response("The terms", ref("ResellerTerms"))])],
            "/api/v1/organisations/{org}/partner-applications": [
                "get": operation("listPartnerApplications", "The organisation's applications to become a partner", tag: "program", parameters: [org],
                                 responses: ["200": response("Applications, newest first", list("PartnerApplication"))]),
                "post": operation("applyAsPartner", "The legal representative applies (R-E1): register id, website, the terms' version, the minimum volume; R-E4 checked",
                                  tag: "program", parameters: [org], body: jsonBody(ref("PartnerApplicationRequest")),
                                  responses: ["201": response("Submitted; program admins are e-mailed", ref("PartnerApplication"))]),
            ],
            "/api/v1/provider/applications": ["get": operation("listApplicationQueue", "Program admins: applications by status (default pending)", tag: "provider",
                parameters: [["name": "status", "in": "query", "required": false, "schema": ["type": "string", "enum": ["pending", "approved", "rejected", "all"]]]],
                responses: ["200": response("Applications", list("PartnerApplication"))])],
            "/api/v1/provider/applications/{application}/approve": ["post": operation("approveApplication",
                "Program admins: approve with the partner's discount rates per category (each ≤ 3500 basis points, R-E2); the applicant is e-mailed", tag: "provider",
                parameters: [pathParam("application")], body: jsonBody(ref("PartnerRates")), responses: ["200": response("The decided application", ref("PartnerApplication"))])],
            "/api/v1/provider/applications/{application}/reject": ["post": operation("rejectApplication",
                "Program admins: reject with a reason, e-mailed to the applicant (R-E2)", tag: "provider", parameters: [pathParam("application")],
                body: jsonBody(ref("RejectRequest")), responses: ["200": response("The decided application", ref("PartnerApplication"))])],
            "/api/v1/provider/partners": ["get": operation("listPartnerStandings",
                "Program admins: every partner's managed volume over 12 months against CHF 2000 / EUR 1800, flagged 12 months after approval (R-E3)", tag: "provider",
                responses: ["200": response("Partners", list("PartnerStanding"))])],
            "/api/v1/provider/tender-categories/{key}": ["put": operation("saveTenderCategory", "Program admins: add, rename or (de)activate a tender category (R-T1)",
                tag: "provider", parameters: [key], body: jsonBody(ref("TenderCategory")), responses: ["200": response("Every category", list("TenderCategory"))])],
            "/api/v1/tender-categories": ["get": operation("listTenderCategories", "The active tender categories", tag: "tenders", secured: false,
                responses: ["200": response("Categories", list("TenderCategory"))])],
            "/api/v1/tenders": ["post": operation("submitTender",
                "Anyone posts a tender for free (R-T1); the contact is e-mailed a link to manage and delete it; at most 5 an hour per IP and per e-mail (429)",
                tag: "tenders", secured: false, body: jsonBody(ref("TenderRequest")), responses: ["201": response("Submitted", ref("TenderCreated"))])],
            "/api/v1/tenders/manage/{token}": [
                "get": operation("contactTender", "The contact's view: the tender and every offer on it (R-T4); 410 once deleted", tag: "tenders", secured: false,
                                 parameters: [token], responses: ["200": response("The tender", ref("ContactTender"))]),
                "delete": operation("deleteTender", "Delete immediately (R-T5); a second time answers 410", tag: "tenders", secured: false, parameters: [token],
                                    responses: ["204": response("Deleted")]),
            ],
            "/api/v1/tenders/manage/{token}/offers/{offer}/accept": ["post": operation("acceptOffer",
                "The contact accepts an offer: the partner's request to manage them starts (R-P2)", tag: "tenders", secured: false,
                parameters: [token, pathParam("offer")], responses: ["201": response("The partnership request", ref("PartnershipCreated"))])],
            "/api/v1/organisations/{org}/tender-subscription": [
                "get": operation("getTenderSubscription", "A partner's tender categories, regions and languages (R-T2)", tag: "tenders", parameters: [org],
                                 responses: ["200": response("The subscription", ref("TenderSubscription"))]),
                "put": operation("setTenderSubscription", "Set them; an empty set matches nothing (R-T2)", tag: "tenders", parameters: [org],
                                 body: jsonBody(ref("TenderSubscription")), responses: ["200": response("The subscription", ref("TenderSubscription"))]),
            ],
            "/api/v1/organisations/{org}/tenders": ["get": operation("listPartnerTenders", "Tenders sent to this partner, as excerpts without contact (R-T2)",
                tag: "tenders", parameters: [org], responses: ["200": response("Tenders, newest first", list("PartnerTender"))])],
            "/api/v1/organisations/{org}/tenders/{tender}": ["get": operation("openTender",
                "Open a tender sent to this partner: with contact while valid, the view recorded (R-T3); 410 when deleted or older than 30 days", tag: "tenders",
                parameters: [org, pathParam("tender")], responses: ["200": response("The full tender", ref("PartnerTender"))])],
            "/api/v1/organisations/{org}/tenders/{tender}/offers": ["post": operation("sendOffer",
                "Send an offer, e-mailed to the tender's contact (R-T4)", tag: "tenders", parameters: [org, pathParam("tender")],
                body: jsonBody(ref("OfferRequest")), responses: ["201": response("The offer", ref("Offer"))])],
            "/api/v1/directory": ["get": operation("searchDirectory", "The public partner directory, filtered, 10 a page (R-D1)", tag: "directory", secured: false,
                parameters: filters, responses: ["200": response("A page of profiles", ref("DirectoryPage"))])],
            "/api/v1/directory/{org}": ["get": operation("directoryProfile", "A published profile", tag: "directory", secured: false, parameters: [org],
                responses: ["200": response("The profile", ref("DirectoryProfile"))])],
            "/api/v1/directory/{org}/offer-requests": ["post": operation("requestOffer",
                "Ask this partner alone for an offer: a tender addressed to it (R-D1)", tag: "directory", secured: false, parameters: [org],
                body: jsonBody(ref("TenderRequest")), responses: ["201": response("Submitted", ref("TenderCreated"))])],
            "/api/v1/organisations/{org}/backup": ["get": operation("backupOverview",
                "Swiss Backup (R-X1): the partner's backup account and groups, and the groups other partners keep for this organisation", tag: "backup",
                parameters: [org], responses: ["200": response("The overview", ref("BackupOverview"))])],
            "/api/v1/organisations/{org}/backup-account": ["post": operation("designateBackupAccount",
                "A partner makes one of its own Swiss Backup products its backup account (one per partner)", tag: "backup", parameters: [org],
                body: jsonBody(object(["product_id": uuid], required: ["product_id"])), responses: ["201": response("The overview", ref("BackupOverview"))])],
            "/api/v1/organisations/{org}/backup-groups": ["post": operation("createBackupGroup", "One group per client the partner actively manages", tag: "backup",
                parameters: [org], body: jsonBody(object(["client_id": uuid, "name": text(120)], required: ["client_id", "name"])),
                responses: ["201": response("The group", ref("BackupGroup"))])],
            "/api/v1/organisations/{org}/backup-groups/{group}": ["delete": operation("deleteBackupGroup", "Delete a group and its backups", tag: "backup",
                parameters: [org, pathParam("group")], responses: ["204": response("Deleted")])],
            "/api/v1/organisations/{org}/backup-groups/{group}/move": ["post": operation("moveBackupGroup",
                "Always refused (409) with the reason: groups and backups cannot be migrated between two Swiss Backup accounts", tag: "backup",
                parameters: [org, pathParam("group")], responses: ["409": problem])],
            "/api/v1/affiliates/signup": ["post": operation("signUpAffiliate",
                "A private person becomes an affiliate (R-A1): the account, an organisation for the payouts' wallet, the referral link", tag: "affiliates",
                secured: false, body: jsonBody(object(["name": text(120), "email": email, "password": newPassword,
                                                       "country": country], required: ["name", "email", "password", "country"])),
                responses: ["202": response("Accepted: the same answer whether the address is new or registered (R-H1); sign in next", ref("SignUpAccepted"))])],
            "/api/v1/me/affiliate": [
                "get": operation("getAffiliate", "The signed-in affiliate: link, clicks, sign-ups, totals and commissions by anonymous number only (R-A1)",
                                 tag: "affiliates", responses: ["200": response("The affiliate", ref("Affiliate"))]),
                "post": operation("joinAffiliate", "The signed-in person becomes an affiliate; refused for members of partner organisations (R-E4)",
                                  tag: "affiliates", body: jsonBody(object(["country": country], required: ["country"])),
                                  responses: ["201": response("Enrolled", ref("Affiliate"))]),
            ],
            "/api/v1/organisations/{org}/vip-code": [
                "get": operation("getVIPCode", "The organisation's VIP code, while it has active Premium Support (R-S2); 404 without", tag: "support", parameters: [org],
                                 responses: ["200": response("The code", ref("VIPCode"))]),
                "post": operation("regenerateVIPCode", "A new VIP code; the old one stops working (legal representatives and admins)", tag: "support",
                                  parameters: [org], responses: ["201": response("The new code", ref("VIPCode"))]),
            ],
            "/api/v1/provider/vip-codes/{code}": ["get": operation("lookUpVIPCode", "Provider staff verify a caller by VIP code (R-S2); every look-up audited",
                tag: "provider", parameters: [["name": "code", "in": "path", "required": true, "schema": ["type": "string", "pattern": "^[0-9 ]{8,9}$"]]],
                responses: ["200": response("Whose code it is", ref("VIPCaller"))]).merging(["x-staff-role": "any"]) { a, _ in a }],
            "/api/v1/organisations/{org}/directory-profile": [
                "get": operation("getDirectoryProfile", "The partner's own profile, published or not", tag: "directory", parameters: [org],
                                 responses: ["200": response("The profile", ref("DirectoryProfile"))]),
                "put": operation("saveDirectoryProfile", "Create or change it; `published` opts in to the public directory (R-D1)", tag: "directory",
                                 parameters: [org], body: jsonBody(ref("DirectoryProfileRequest")), responses: ["200": response("The profile", ref("DirectoryProfile"))]),
            ],
        ]
    }

    /// A website as Website.normalized reads it (R-E1, R-H1): http(s), a public host name, RFC 3986 characters.
    static var website: JSON {
        ["type": "string", "maxLength": Website.maximumLength, "pattern": Website.pattern, "not": ["pattern": TextInput.forbiddenPattern(.singleLine)],
         "description": "http(s) with a public host name; no IP address or local name, no quotes"]
    }

    /// Tender category keys (R-T1): lower-case letters, digits and hyphens; which exist is the program's.
    static var categoryKeys: JSON {
        ["type": "array", "items": ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"], "minItems": 1, "maxItems": 50]
    }

    static var programSchemas: JSON {
        let strings: JSON = ["type": "array", "items": ["type": "string"]]
        let tenderRequest = object([
            "title": text(TenderRules.maximumTitle), "description": text(TenderRules.maximumDescription, .multiLine),
            "categories": categoryKeys, "region": regionEnum, "language": tenderLanguageEnum,
            "budget": ["type": "string", "enum": BudgetRange.allCases.map(\.rawValue)], "contact_name": text(120),
            "contact_email": email, "contact_phone": ["type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$",
                                                      "not": ["pattern": TextInput.forbiddenPattern(.singleLine)]],
            "contact_organisation": text(160, required: false),
        ], required: ["title", "description", "categories", "region", "language", "contact_name", "contact_email"])
        return [
            "ResellerTerms": object(["version": string(), "points": strings], required: ["version", "points"]),
            "PartnerApplicationRequest": object(["register_id": text(64), "website": website,
                                                 "accept_terms_version": ["type": "string", "enum": [ResellerTerms.currentVersion],
                                                                          "description": "The current version (GET /api/v1/reseller-terms)"],
                                                 "commit_to_minimum_volume": ["type": "boolean", "enum": [true]]],
                                                required: ["register_id", "website", "accept_terms_version", "commit_to_minimum_volume"]),
            "PartnerApplication": object([
                "id": uuid, "organisation_id": uuid, "organisation_name": string(), "register_id": string(), "register_kind": string(),
                "register_status": ["type": "string", "enum": ["verified", "manual_review"]], "website": string(), "terms_version": string(),
                "terms_accepted_at": dateTime, "status": ["type": "string", "enum": ApplicationStatus.allCases.map(\.rawValue)], "reason": string(),
                "decided_at": dateTime, "created_at": dateTime,
            ], required: ["id", "organisation_id", "organisation_name", "register_id", "register_status", "website", "terms_version", "terms_accepted_at", "status", "created_at"]),
            "RejectRequest": object(["reason": text(2000, .multiLine)], required: ["reason"]),
            "PartnerStanding": object(["organisation_id": uuid, "name": string(), "approved_at": dateTime, "volume": ["type": "integer"], "minimum": ["type": "integer"],
                                       "currency": ["type": "string", "enum": ["CHF", "EUR"]], "below_minimum": ["type": "boolean"]],
                                      required: ["organisation_id", "name", "approved_at", "volume", "minimum", "currency", "below_minimum"]),
            "TenderCategory": object(["key": ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"], "name_de": text(80), "name_en": text(80), "name_fr": text(80),
                                      "position": ["type": "integer", "minimum": 0, "maximum": 10_000], "active": ["type": "boolean"]],
                                     required: ["key", "name_de", "name_en", "name_fr", "position", "active"]),
            "TenderRequest": tenderRequest,
            "TenderCreated": object(["id": uuid, "status": string()], required: ["id", "status"]),
            "PartnerTender": object([
                "id": uuid, "title": string(), "categories": strings, "region": regionEnum, "language": tenderLanguageEnum, "budget": string(),
                "excerpt": string(["description": "The first 200 characters; empty when no longer available"]), "available": ["type": "boolean"], "created_at": dateTime,
                "description": string(), "contact_name": string(), "contact_email": string(), "contact_phone": string(), "contact_organisation": string(),
                "matched_at": dateTime, "seen_at": dateTime, "offered": ["type": "boolean"],
            ], required: ["id", "title", "categories", "region", "language", "budget", "excerpt", "available", "created_at"]),
            "OfferRequest": object(["message": text(5000, .multiLine), "price": amount,
                                    "valid_until": dateTime, "access": ["type": "string", "enum": ["full", "limited"]]], required: ["message"]),
            "Offer": object([
                "id": uuid, "partner_id": uuid, "partner_name": string(), "message": string(), "price": ["type": "integer", "description": "minor units"],
                "currency": string(), "valid_until": dateTime, "access": string(), "created_at": dateTime, "accepted_at": dateTime, "partnership_id": uuid,
            ], required: ["id", "partner_id", "partner_name", "message", "access", "created_at"]),
            "ContactTender": object([
                "id": uuid, "title": string(), "description": string(), "categories": strings, "region": regionEnum, "language": tenderLanguageEnum, "budget": string(),
                "created_at": dateTime, "available": ["type": "boolean"], "offers": list("Offer"),
            ], required: ["id", "title", "description", "categories", "region", "language", "budget", "created_at", "available", "offers"]),
            "PartnershipCreated": object(["partnership_id": uuid], required: ["partnership_id"]),
            "TenderSubscription": object(["categories": ["type": "array", "items": ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"], "maxItems": 50], "regions": ["type": "array", "items": regionEnum],
                                          "languages": ["type": "array", "items": tenderLanguageEnum]], required: ["categories", "regions", "languages"]),
            "DirectoryProfile": object([
                "organisation_id": uuid, "name": string(), "description": string(), "website": string(), "languages": strings, "regions": strings,
                "specialties": strings, "published": ["type": "boolean"], "register_verified": ["type": "boolean"],
            ], required: ["organisation_id", "name", "description", "website", "languages", "regions", "specialties", "published", "register_verified"]),
            "DirectoryPage": object(["items": list("DirectoryProfile"), "page": ["type": "integer"], "pages": ["type": "integer"], "total": ["type": "integer"]],
                                    required: ["items", "page", "pages", "total"]),
            "BackupGroup": object(["id": uuid, "account_id": uuid, "partner_id": uuid, "client_id": uuid, "name": string(), "created_at": dateTime,
                                   "partnership_ended_at": dateTime], required: ["id", "account_id", "partner_id", "client_id", "name", "created_at"]),
            "BackupOverview": object(["account": object(["id": uuid, "product_id": uuid, "product_name": string(), "created_at": dateTime],
                                                        required: ["id", "product_id", "product_name", "created_at"]),
                                      "groups": list("BackupGroup"), "kept_for": list("BackupGroup")], required: ["groups", "kept_for"]),
            "Affiliate": object([
                "id": uuid, "referral_link": string(), "wallet_organisation_id": uuid, "clicks": ["type": "integer"], "organisations": ["type": "integer"],
                "totals": ["type": "array", "items": object(["currency": string(), "pending": ["type": "integer"], "payable": ["type": "integer"], "paid": ["type": "integer"],
                                                             "next_rate_basis_points": ["type": "integer"]],
                                                            required: ["currency", "pending", "payable", "paid", "next_rate_basis_points"])],
                "commissions": ["type": "array", "items": object(["number": string(), "created_at": dateTime, "rate_basis_points": ["type": "integer"],
                                                                  "amount": ["type": "integer"], "currency": string(),
                                                                  "status": ["type": "string", "enum": CommissionStatus.allCases.map(\.rawValue)]],
                                                                 required: ["number", "created_at", "rate_basis_points", "amount", "currency", "status"])],
            ], required: ["id", "referral_link", "wallet_organisation_id", "clicks", "organisations", "totals", "commissions"]),
            "VIPCode": object(["code": string(["pattern": "^[0-9]{8}$"]), "grouped": string()], required: ["code", "grouped"]),
            "VIPCaller": object(["organisation_id": uuid, "name": string(), "premium_active": ["type": "boolean"]], required: ["organisation_id", "name", "premium_active"]),
            "DirectoryProfileRequest": object([
                "description": text(2000, .multiLine), "website": website,
                "languages": ["type": "array", "items": tenderLanguageEnum, "minItems": 1, "maxItems": 10],
                "regions": ["type": "array", "items": regionEnum, "minItems": 1, "maxItems": 20],
                "specialties": ["type": "array", "items": ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"], "maxItems": 50], "published": ["type": "boolean"],
            ], required: ["description", "website", "languages", "regions", "published"]),
        ]
    }
}
