import Foundation
import PartnerCore

/// The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. A test checks that
/// every registered API route appears here; CI runs schemathesis against it.
enum OpenAPIDocument {
    typealias JSON = [String: Any]

    static func ref(_ name: String) -> JSON { ["$ref": "#/components/schemas/\(name)"] }

    /// A text field as the server checks it (TextInput, R-H1): at most `max` characters, none of
    /// the forbidden ones, and — when required — one that is not blank.
    static func text(_ max: Int, _ kind: TextKind = .singleLine, required: Bool = true) -> JSON {
        var schema: JSON = ["type": "string", "maxLength": max, "not": ["pattern": TextInput.forbiddenPattern(kind)]]
        if required { schema["pattern"] = TextInput.requiredPattern(kind) }
        return schema
    }

    /// An e-mail address as EmailAddress reads it.
    static var email: JSON {
        ["type": "string", "maxLength": 254, "pattern": EmailAddress.pattern, "not": ["pattern": EmailAddress.forbiddenPattern]]
    }

    /// A new password as PasswordRules checks it.
    static var newPassword: JSON {
        ["type": "string", "minLength": PasswordRules.minimumLength, "maxLength": PasswordRules.maximumLength,
         "not": ["pattern": TextInput.forbiddenPattern(.singleLine)]]
    }

    /// A password or secret link token to compare: any single line of a bounded length.
    static var secret: JSON {
        ["type": "string", "minLength": 1, "maxLength": PasswordRules.maximumLength, "not": ["pattern": TextInput.forbiddenPattern(.singleLine)]]
    }

    static var languageEnum: JSON { ["type": "string", "enum": Language.allCases.map(\.rawValue)] }
    static func string(_ extra: JSON = [:]) -> JSON { extra.merging(["type": "string"]) { a, _ in a } }
    static var dateTime: JSON { ["type": "string", "format": "date-time"] }
    static var uuid: JSON { ["type": "string", "format": "uuid"] }
    static var role: JSON { ["type": "string", "enum": ["legal_representative", "admin", "employee", "external_user"]] }

    /// ISO 3166-1 alpha-2, as PartnerCore accepts them.
    static var country: JSON { ["type": "string", "enum": CountryCode.all.sorted()] }

    static func object(_ properties: JSON, required: [String]) -> JSON {
        ["type": "object", "properties": properties, "required": required]
    }

    static func jsonBody(_ schema: JSON) -> JSON {
        ["required": true, "content": ["application/json": ["schema": schema]]]
    }

    static func response(_ description: String, _ schema: JSON? = nil) -> JSON {
        guard let schema else { return ["description": description] }
        return ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    static var problem: JSON { ["description": "Problem details (RFC 9457)", "content": ["application/problem+json": ["schema": ref("Problem")]]] }

    static func operation(_ id: String, _ summary: String, tag: String, secured: Bool = true, parameters: [JSON] = [],
                          body: JSON? = nil, responses: JSON) -> JSON {
        var op: JSON = ["operationId": id, "summary": summary, "tags": [tag], "responses": responses.merging(["default": problem]) { a, _ in a }]
        if !parameters.isEmpty { op["parameters"] = parameters }
        if let body { op["requestBody"] = body }
        op["security"] = secured ? [["bearer": [String]()]] : [[String: Any]]()
        return op
    }

    static func pathParam(_ name: String) -> JSON { ["name": name, "in": "path", "required": true, "schema": uuid] }
    static func list(_ name: String) -> JSON { ["type": "array", "items": ref(name)] }

    /// Built once: the served JSON and the contract middleware read the same document.
    nonisolated(unsafe) static let document: JSON = paginatingLists(closingRequestBodies(securingProviderPaths(assembled)))

    static var assembled: JSON {
        return [
            "openapi": "3.1.0",
            "info": ["title": "PartnerHub API", "version": "1.0.0",
                     "description": "Accounts, organisations and members of PartnerHub. Authenticate with a personal access token: `Authorization: Bearer ph_…`. Errors are RFC 9457 problem details naming the field."],
            "servers": [["url": "/"]],
            "paths": parts.map(\.paths).reduce([:]) { $0.merging($1) { a, _ in a } },
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "A personal access token (ph_…)"],
                                    "staffBearer": ["type": "http", "scheme": "bearer", "description": "A provider staff token (phs_…)"]],
                // Names are unique across both parts (a test checks): a clash would hide a schema.
                "schemas": parts.map(\.schemas).reduce([:]) { $0.merging($1) { a, _ in a } },
            ],
        ]
    }

    /// The document's parts; their path and schema names are disjoint (a test checks): a clash would hide one.
    static var parts: [(paths: JSON, schemas: JSON)] {
        [(corePaths, schemas), (billingPaths, billingSchemas), (providerPaths, providerSchemas), (programPaths, programSchemas),
         (spendingPaths, spendingSchemas), (recoveryPaths, recoverySchemas)]
    }

    static var corePaths: JSON {
        let org = pathParam("org")
        return [
                "/api/v1/signup": ["post": operation("signUp", "Create a user and an organisation (the user becomes its legal representative)", tag: "accounts", secured: false,
                    body: jsonBody(ref("SignUpRequest")),
                    responses: ["202": response("Accepted: the same answer whether the address is new or registered (R-H1); sign in next", ref("SignUpAccepted"))])],
                "/api/v1/auth/tokens": ["post": operation("createTokenWithPassword", "Exchange e-mail and password for a personal access token", tag: "accounts", secured: false,
                    body: jsonBody(ref("TokenLoginRequest")), responses: ["201": response("Created; the token is shown only here", ref("NewAccessToken"))])],
                "/api/v1/quote": ["get": operation("quote", "Price a line by R-B2 (list, partner discount, tier) from the price list in force", tag: "pricing",
                    secured: false, parameters: [
                        ["name": "product", "in": "query", "required": true,
                         "schema": ["type": "string", "enum": ProductCategory.allCases.filter { $0 != .domain }.map(\.rawValue)]],
                        ["name": "quantity", "in": "query", "required": true, "schema": ["type": "integer", "minimum": 1, "maximum": 1_000_000]],
                        ["name": "currency", "in": "query", "required": true, "schema": ["type": "string", "enum": ["CHF", "EUR"]]],
                        ["name": "partner_discount", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 0, "maximum": 35]],
                    ], responses: ["200": response("The price with every step", ref("Quote"))])],
                "/api/v1/me": [
                    "get": operation("getProfile", "The signed-in user", tag: "profile", responses: ["200": response("The user", ref("User"))]),
                    "patch": operation("updateProfile", "Change name or language", tag: "profile", body: jsonBody(ref("ProfileUpdate")),
                                       responses: ["200": response("The user", ref("User"))]),
                ],
                "/api/v1/me/password": ["post": operation("changePassword", "Change the password; every session ends", tag: "profile",
                    body: jsonBody(ref("PasswordChange")), responses: ["204": response("Changed")])],
                "/api/v1/me/support-code": ["post": operation("regenerateSupportCode", "Draw a new support code (R-S1)", tag: "profile",
                    responses: ["200": response("The user with the new code", ref("User"))])],
                "/api/v1/me/tokens": [
                    "get": operation("listTokens", "Active personal access tokens", tag: "profile", responses: ["200": response("Tokens", list("AccessToken"))]),
                    "post": operation("createToken", "Create a personal access token", tag: "profile", body: jsonBody(ref("AccessTokenCreate")),
                                      responses: ["201": response("Created; the token is shown only here", ref("NewAccessToken")).merging([
                                          // The token's id revokes it, not the secret (which shares the path parameter's name).
                                          "links": ["revokeToken": ["operationId": "revokeToken", "parameters": ["token": "$response.body#/access_token/id"]]],
                                      ]) { a, _ in a }]),
                ],
                "/api/v1/me/tokens/{token}": ["delete": operation("revokeToken", "Revoke a token", tag: "profile", parameters: [pathParam("token")],
                    responses: ["204": response("Revoked")])],
                "/api/v1/me/sessions": ["get": operation("listSessions", "Console sessions", tag: "profile", responses: ["200": response("Sessions", list("Session"))])],
                "/api/v1/me/sessions/{session}": ["delete": operation("endSession", "End a console session", tag: "profile", parameters: [pathParam("session")],
                    responses: ["204": response("Ended")])],
                "/api/v1/organisations": [
                    "get": operation("listOrganisations", "Organisations the user belongs to, with the user's role", tag: "organisations",
                                     responses: ["200": response("Organisations", list("OrganisationMembership"))]),
                    "post": operation("createOrganisation", "Create an organisation (the user becomes its legal representative)", tag: "organisations",
                                      body: jsonBody(ref("OrganisationCreate")), responses: ["201": response("Created", ref("Organisation"))]),
                ],
                "/api/v1/organisations/{org}": [
                    "get": operation("getOrganisation", "One organisation (404 unless a member)", tag: "organisations", parameters: [org],
                                     responses: ["200": response("The organisation", ref("Organisation"))]),
                    "patch": operation("updateOrganisation", "Change name, country, or currency before the first invoice (R-O1)", tag: "organisations",
                                       parameters: [org], body: jsonBody(ref("OrganisationUpdate")), responses: ["200": response("The organisation", ref("Organisation"))]),
                ],
                "/api/v1/organisations/{org}/members": ["get": operation("listMembers", "Members and their roles (R-O2)", tag: "members", parameters: [org],
                    responses: ["200": response("Members", list("Member"))])],
                "/api/v1/organisations/{org}/members/{member}": [
                    "patch": operation("changeMemberRole", "Change a member's role (R-O1, R-O2)", tag: "members", parameters: [org, pathParam("member")],
                                       body: jsonBody(ref("MemberRoleChange")), responses: ["200": response("The member", ref("Member"))]),
                    "delete": operation("removeMember", "Remove a member (never the last legal representative)", tag: "members",
                                        parameters: [org, pathParam("member")], responses: ["204": response("Removed")]),
                ],
                "/api/v1/organisations/{org}/invitations": [
                    "get": operation("listInvitations", "Pending invitations", tag: "members", parameters: [org], responses: ["200": response("Invitations", list("Invitation"))]),
                    "post": operation("inviteMember", "Invite someone by e-mail", tag: "members", parameters: [org], body: jsonBody(ref("InvitationCreate")),
                                      responses: ["201": response("Invited", ref("Invitation"))]),
                ],
                "/api/v1/organisations/{org}/invitations/{invitation}": ["delete": operation("withdrawInvitation", "Withdraw a pending invitation", tag: "members",
                    parameters: [org, pathParam("invitation")], responses: ["204": response("Withdrawn")])],
                "/api/v1/organisations/{org}/invitations/{invitation}/resend": ["post": operation("resendInvitation", "Resend with a new token (the old one stops working)",
                    tag: "members", parameters: [org, pathParam("invitation")], responses: ["204": response("Resent")])],
                "/api/v1/organisations/{org}/audit-events": ["get": operation("listAuditEvents", "The organisation's audit trail (R-L1), newest first", tag: "audit",
                    parameters: [org], responses: ["200": response("Events", list("AuditEvent"))])],
                "/api/v1/partners": ["get": operation("searchPartners", "Search approved partners by name or e-mail (R-P3)", tag: "partnerships",
                    parameters: [["name": "q", "in": "query", "required": false, "schema": text(100, required: false)]],
                    responses: ["200": response("Partners", list("PartnerSearchResult"))])],
                "/api/v1/organisations/{org}/products": [
                    // R-B9: products come only from paid orders (POST …/quotes, then …/orders), never from a bare create.
                    "get": operation("listProducts", "Products of the organisation the user may see, with the actions R-P10 allows; products come from paid orders",
                                     tag: "products", parameters: [org], responses: ["200": response("Products", list("Product"))]),
                ],
                "/api/v1/organisations/{org}/products/{product}/access": ["get": operation("explainAccess",
                    "Why may this user act on this product? (R-P10; the client's legal representatives)", tag: "products",
                    parameters: [org, pathParam("product"), ["name": "user_id", "in": "query", "required": true, "schema": uuid],
                                 ["name": "action", "in": "query", "required": false, "schema": ["type": "string", "enum": ["manage", "read_statistics", "order", "renew", "billing"]]]],
                    responses: ["200": response("The decision and what it rests on", ref("AccessDecision"))])],
                "/api/v1/organisations/{org}/support-grants": [
                    "get": operation("listSupportGrants", "Temporary support access grants (R-S3)", tag: "support", parameters: [org],
                                     responses: ["200": response("Grants", list("SupportGrant"))]),
                    "post": operation("grantSupport", "Grant provider support access for 1 h, 24 h or 7 days (R-S3)", tag: "support", parameters: [org],
                                      body: jsonBody(ref("SupportGrantCreate")), responses: ["201": response("Granted", ref("SupportGrant"))]),
                ],
                "/api/v1/organisations/{org}/support-grants/{grant}": ["delete": operation("revokeSupport", "Revoke a support access grant", tag: "support",
                    parameters: [org, pathParam("grant")], responses: ["204": response("Revoked")])],
                "/api/v1/organisations/{org}/partners": [
                    "get": operation("listPartners", "The client side: this organisation's partners (every state)", tag: "partnerships", parameters: [org],
                                     responses: ["200": response("Partnerships", list("Partnership"))]),
                    "post": operation("addPartner", "Client adds a partner (R-P3): invitation with limited or full access", tag: "partnerships", parameters: [org],
                                      body: jsonBody(ref("PartnerAdd")), responses: ["201": response("Invited", ref("Partnership"))]),
                ],
                "/api/v1/organisations/{org}/clients": [
                    "get": operation("listClients", "The partner side: clients this member may see (R-P9)", tag: "partnerships", parameters: [org],
                                     responses: ["200": response("Partnerships", list("Partnership"))]),
                    "post": operation("addClient", "Partner adds a client by e-mail (R-P2)", tag: "partnerships", parameters: [org],
                                      body: jsonBody(ref("ClientAdd")), responses: ["201": response("Invited", ref("Partnership"))]),
                ],
                "/api/v1/organisations/{org}/partnerships/{partnership}": [
                    "get": operation("getPartnership", "One partnership, from either side", tag: "partnerships", parameters: [org, pathParam("partnership")],
                                     responses: ["200": response("The partnership", ref("Partnership"))]),
                    "patch": operation("changePartnershipTerms", "Client changes access type, products or payment mode (R-P6, R-P7)", tag: "partnerships",
                                       parameters: [org, pathParam("partnership")], body: jsonBody(ref("PartnershipTerms")),
                                       responses: ["200": response("The partnership", ref("Partnership"))]),
                    "delete": operation("withdrawPartnershipInvitation", "The sender withdraws a pending invitation (R-P4)", tag: "partnerships",
                                        parameters: [org, pathParam("partnership")], responses: ["204": response("Withdrawn")]),
                ],
                "/api/v1/organisations/{org}/partnerships/{partnership}/resend": ["post": operation("resendPartnershipInvitation",
                    "The sender resends with a new token (R-P4)", tag: "partnerships", parameters: [org, pathParam("partnership")], responses: ["204": response("Resent")])],
                "/api/v1/organisations/{org}/partnerships/{partnership}/end": ["post": operation("endPartnership",
                    "End the collaboration with the account password (R-P8)", tag: "partnerships", parameters: [org, pathParam("partnership")],
                    body: jsonBody(ref("PasswordConfirmation")), responses: ["204": response("Ended")])],
                "/api/v1/organisations/{org}/partnerships/{partnership}/assignments/{member}": [
                    "put": operation("assignEmployee", "Assign a partner employee to this client (R-P9)", tag: "partnerships",
                                     parameters: [org, pathParam("partnership"), pathParam("member")], responses: ["204": response("Assigned")]),
                    "delete": operation("unassignEmployee", "Remove the assignment", tag: "partnerships",
                                        parameters: [org, pathParam("partnership"), pathParam("member")], responses: ["204": response("Removed")]),
                ],
                "/api/v1/partnership-invitations/accept": ["post": operation("acceptPartnershipInvitation",
                    "Accept a partnership invitation; a client may grant other terms than requested (R-P2)", tag: "partnerships",
                    body: jsonBody(ref("PartnershipAnswer")), responses: ["200": response("Active", ref("Partnership"))])],
                "/api/v1/partnership-invitations/decline": ["post": operation("declinePartnershipInvitation", "Decline a partnership invitation", tag: "partnerships",
                    body: jsonBody(ref("PartnershipAnswer")), responses: ["200": response("Declined", ref("Partnership"))])],
                "/api/v1/partnership-requests": ["get": operation("listPartnershipRequests",
                    "The client's inbox: open partner requests addressed to the caller's e-mail (R-P2)", tag: "partnerships",
                    responses: ["200": response("Requests", list("Partnership"))])],
                "/api/v1/partnership-requests/{partnership}/accept": ["post": operation("acceptPartnershipRequest",
                    "Accept a request from the inbox for one of the caller's organisations, with the requested or other terms (R-P2)", tag: "partnerships",
                    parameters: [pathParam("partnership")], body: jsonBody(ref("PartnershipRequestAnswer")), responses: ["200": response("Active", ref("Partnership"))])],
                "/api/v1/partnership-requests/{partnership}/decline": ["post": operation("declinePartnershipRequest",
                    "Decline a request from the inbox (R-P2)", tag: "partnerships",
                    parameters: [pathParam("partnership")], body: jsonBody(ref("PartnershipRequestAnswer")), responses: ["200": response("Declined", ref("Partnership"))])],
                "/api/v1/invitations/accept": ["post": operation("acceptInvitation", "Accept an invitation addressed to the signed-in user", tag: "members",
                    body: jsonBody(ref("InvitationToken")), responses: ["200": response("Joined", ref("InvitationAccepted"))])],
                "/api/v1/invitations/decline": ["post": operation("declineInvitation", "Decline an invitation addressed to the signed-in user", tag: "members",
                    body: jsonBody(ref("InvitationToken")), responses: ["204": response("Declined")])],
            ]
    }

    static var schemas: JSON {
        [
            "Problem": object([
                "type": string(), "title": string(), "status": ["type": "integer"], "detail": string(),
                "errors": ["type": "array", "items": object(["field": string(), "code": string(), "detail": string()], required: ["field", "code", "detail"])],
            ], required: ["type", "title", "status", "detail"]),
            "SignUpRequest": object([
                "name": text(120), "email": email, "password": newPassword, "organisation_name": text(160),
                "country": country,
                "currency": ["type": "string", "enum": ["CHF", "EUR"], "description": "Defaults to CHF for CH/LI, EUR otherwise (R-O1)"],
            ], required: ["name", "email", "password", "organisation_name", "country"]),
            "SignUpAccepted": object(["email": string(), "status": ["type": "string", "enum": ["accepted"]], "next": string()], required: ["email", "status", "next"]),
            "TokenLoginRequest": object(["email": ["type": "string", "maxLength": 254], "password": secret, "name": text(100, required: false),
                                         "otp": ["type": "string", "maxLength": 32,
                                                 "description": "R-O4: the authenticator's 6-digit code, or a recovery code, when two-factor sign-in is on"]],
                                        required: ["email", "password"]),
            "User": object([
                "id": uuid, "email": string(), "name": string(), "support_code": ["type": "string", "pattern": "^[1-9][0-9]{7}$"],
                "language": ["type": "string", "enum": ["de", "en", "fr"]], "created_at": dateTime,
            ], required: ["id", "email", "name", "support_code", "created_at"]),
            "ProfileUpdate": object(["name": text(120), "language": languageEnum], required: []),
            "PasswordChange": object(["current_password": secret, "new_password": newPassword], required: ["current_password", "new_password"]),
            "AccessTokenCreate": object(["name": text(100), "expires_in_days": ["type": "integer", "minimum": 1, "maximum": AccessTokenRules.maximumDays,
                                                                               "description": "The token ends by itself after this many days; without it, when revoked or when the password changes"]],
                                        required: ["name"]),
            "AccessToken": object(["id": uuid, "name": string(), "prefix": string(), "created_at": dateTime,
                                   "last_used_at": ["type": ["string", "null"], "format": "date-time"],
                                   "expires_at": ["type": ["string", "null"], "format": "date-time"]],
                                  required: ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]),
            "NewAccessToken": object(["token": string(), "access_token": ref("AccessToken")], required: ["token", "access_token"]),
            "Session": object(["id": uuid, "user_agent": string(), "created_at": dateTime, "last_seen_at": dateTime, "current": ["type": "boolean"]],
                              required: ["id", "user_agent", "created_at", "last_seen_at", "current"]),
            "Organisation": object(["id": uuid, "name": string(), "country": string(), "currency": ["type": "string", "enum": ["CHF", "EUR"]],
                                    "currency_fixed": ["type": "boolean"], "is_partner": ["type": "boolean"], "created_at": dateTime],
                                   required: ["id", "name", "country", "currency", "currency_fixed", "is_partner", "created_at"]),
            "OrganisationMembership": object(["organisation": ref("Organisation"), "role": role], required: ["organisation", "role"]),
            "OrganisationCreate": object(["name": text(160), "country": country,
                                          "currency": ["type": "string", "enum": ["CHF", "EUR"]]], required: ["name", "country"]),
            "OrganisationUpdate": object(["name": text(160), "country": country,
                                          "currency": ["type": "string", "enum": ["CHF", "EUR"]]], required: []),
            "Member": object(["id": uuid, "user_id": uuid, "name": string(), "email": string(), "role": role, "since": dateTime],
                             required: ["id", "user_id", "name", "email", "role", "since"]),
            "MemberRoleChange": object(["role": role], required: ["role"]),
            "Invitation": object(["id": uuid, "organisation_id": uuid, "email": string(), "role": role,
                                  "status": ["type": "string", "enum": ["pending", "accepted", "declined", "withdrawn"]], "expires_at": dateTime, "created_at": dateTime],
                                 required: ["id", "organisation_id", "email", "role", "status", "expires_at", "created_at"]),
            "InvitationCreate": object(["email": email, "role": role], required: ["email", "role"]),
            "InvitationToken": object(["token": secret], required: ["token"]),
            "InvitationAccepted": object(["organisation_id": uuid, "role": role], required: ["organisation_id", "role"]),
            "AuditEvent": object(["sequence": ["type": "integer"], "occurred_at": dateTime, "actor": string(), "action": string(), "target": string(), "details": string()],
                                 required: ["sequence", "occurred_at", "actor", "action", "target", "details"]),
            "SupportGrantCreate": object(["duration": ["type": "string", "enum": ["1h", "24h", "7d"]], "product_id": uuid], required: ["duration"]),
            "SupportGrant": object(["id": uuid, "product_id": ["type": ["string", "null"], "format": "uuid"], "expires_at": dateTime,
                                    "revoked_at": ["type": ["string", "null"], "format": "date-time"], "active": ["type": "boolean"], "created_at": dateTime],
                                   required: ["id", "product_id", "expires_at", "revoked_at", "active", "created_at"]),
            "Product": object(["id": uuid, "organisation_id": uuid, "category": ["type": "string", "enum": ProductCategory.allCases.map(\.rawValue)],
                               "name": string(), "status": string(), "created_at": dateTime,
                               "allowed_actions": ["type": "array", "items": ["type": "string", "enum": ProductAction.allCases.map(\.rawValue)]],
                               // R-B8: absent for products without billing.
                               "billing": object(["period": ["type": "string", "enum": ["monthly", "yearly"]], "renews_at": dateTime, "next_payer_id": uuid],
                                                 required: ["period", "renews_at", "next_payer_id"])],
                              required: ["id", "organisation_id", "category", "name", "status", "created_at", "allowed_actions"]),
            "PartnerSearchResult": object(["id": uuid, "name": string(), "country": string()], required: ["id", "name", "country"]),
            // At least one right per granted product (R-P3).
            "Grant": object(["product_id": uuid, "technical": ["type": "boolean"], "statistics": ["type": "boolean"]],
                            required: ["product_id", "technical", "statistics"]).merging(["anyOf": [
                                ["properties": ["technical": ["enum": [true]]]], ["properties": ["statistics": ["enum": [true]]]],
                            ] as [JSON]]) { a, _ in a },
            "PartnerAdd": object(["partner_id": uuid, "access": ["type": "string", "enum": ["limited", "full"]],
                                  "payment_mode": ["type": "string", "enum": ["client", "partner"]],
                                  "products": ["type": "array", "items": ref("Grant")], "ends_at": dateTime], required: ["partner_id", "access"]),
            "ClientAdd": object(["email": email, "access": ["type": "string", "enum": ["limited", "full"]],
                                 "payment_mode": ["type": "string", "enum": ["client", "partner"]]], required: ["email", "access"]),
            "PartnershipTerms": object(["access": ["type": "string", "enum": ["limited", "full"]], "payment_mode": ["type": "string", "enum": ["client", "partner"]],
                                        "products": ["type": "array", "items": ref("Grant")], "ends_at": dateTime], required: ["access"]),
            "PasswordConfirmation": object(["password": secret], required: ["password"]),
            "PartnershipAnswer": object(["token": secret, "client_id": uuid,
                                         "access": ["type": "string", "enum": ["limited", "full"]], "payment_mode": ["type": "string", "enum": ["client", "partner"]],
                                         "products": ["type": "array", "items": ref("Grant")], "ends_at": dateTime], required: ["token"]),
            "PartnershipRequestAnswer": object(["client_id": uuid,
                                                "access": ["type": "string", "enum": ["limited", "full"]], "payment_mode": ["type": "string", "enum": ["client", "partner"]],
                                                "products": ["type": "array", "items": ref("Grant")], "ends_at": dateTime], required: ["client_id"]),
            "Partnership": object([
                "id": uuid, "client_id": ["type": ["string", "null"], "format": "uuid"], "partner_id": uuid, "counterpart_name": string(),
                "invited_email": ["type": ["string", "null"]], "initiator": ["type": "string", "enum": ["client", "partner"]],
                "state": ["type": "string", "enum": PartnershipState.allCases.map(\.rawValue)], "access": ["type": "string", "enum": ["limited", "full"]],
                "payment_mode": ["type": "string", "enum": ["client", "partner"]], "requested_access": ["type": "string", "enum": ["limited", "full"]],
                "requested_payment_mode": ["type": "string", "enum": ["client", "partner"]], "products": ["type": "array", "items": ref("Grant")],
                "ends_at": ["type": ["string", "null"], "format": "date-time"], "assigned_memberships": ["type": "array", "items": uuid], "created_at": dateTime,
            ], required: ["id", "client_id", "partner_id", "counterpart_name", "invited_email", "initiator", "state", "access", "payment_mode",
                          "requested_access", "requested_payment_mode", "products", "ends_at", "assigned_memberships", "created_at"]),
            "AccessDecision": object([
                "allowed": ["type": "boolean"], "clause": ["type": ["string", "null"], "enum": ["a", "b", "c", NSNull()] as [Any]],
                "membership_id": ["type": ["string", "null"]], "role": ["type": ["string", "null"]], "partnership_id": ["type": ["string", "null"]],
                "access": ["type": ["string", "null"]], "grant_id": ["type": ["string", "null"]], "assignment_id": ["type": ["string", "null"]],
                "support_grant_id": ["type": ["string", "null"]],
            ], required: ["allowed", "clause", "membership_id", "role", "partnership_id", "access", "grant_id", "assignment_id", "support_grant_id"]),
            "Quote": object([
                "product": string(), "quantity": ["type": "integer"], "currency": ["type": "string", "enum": ["CHF", "EUR"]],
                "unit_price": ["type": "integer", "description": "minor units"],
                "steps": ["type": "array", "items": object(["step": ["type": "string", "enum": ["list", "partner_discount", "tier_discount"]],
                                                            "rate": ["type": "integer", "description": "basis points"],
                                                            "amount": ["type": "integer", "description": "minor units"], "display": string()],
                                                           required: ["step", "rate", "amount", "display"])],
                "final": ["type": "integer"], "final_display": string(),
            ], required: ["product", "quantity", "currency", "unit_price", "steps", "final", "final_display"]),
        ]
    }

    static let json: Data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()

    /// "/api/v1/organisations/{org}" → "/api/v1/organisations/:org", for the route-coverage test.
    static var operations: Set<String> {
        guard let paths = document["paths"] as? JSON else { return [] }
        var result = Set<String>()
        for (path, methods) in paths {
            let vaporPath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            for method in (methods as? JSON ?? [:]).keys { result.insert("\(method.uppercased()) \(vaporPath)") }
        }
        return result
    }
}
