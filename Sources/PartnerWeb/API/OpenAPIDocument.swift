import Foundation
import PartnerCore

/// The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. A test checks that
/// every registered API route appears here; CI runs schemathesis against it.
enum OpenAPIDocument {
    typealias JSON = [String: Any]

    static func ref(_ name: String) -> JSON { ["$ref": "#/components/schemas/\(name)"] }
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

    static var document: JSON {
        let org = pathParam("org")
        return [
            "openapi": "3.1.0",
            "info": ["title": "PartnerHub API", "version": "1.0.0",
                     "description": "Accounts, organisations and members of PartnerHub. Authenticate with a personal access token: `Authorization: Bearer ph_…`. Errors are RFC 9457 problem details naming the field."],
            "servers": [["url": "/"]],
            "paths": [
                "/api/v1/signup": ["post": operation("signUp", "Create a user and an organisation (the user becomes its legal representative)", tag: "accounts", secured: false,
                    body: jsonBody(ref("SignUpRequest")), responses: ["201": response("Created", ref("SignUpResponse"))])],
                "/api/v1/auth/tokens": ["post": operation("createTokenWithPassword", "Exchange e-mail and password for a personal access token", tag: "accounts", secured: false,
                    body: jsonBody(ref("TokenLoginRequest")), responses: ["201": response("Created; the token is shown only here", ref("NewAccessToken"))])],
                "/api/v1/quote": ["get": operation("quote", "Price a line by R-B2 (list, partner discount, tier)", tag: "pricing", secured: false,
                    parameters: [
                        ["name": "product", "in": "query", "required": true, "schema": ["type": "string", "enum": ["web-hosting", "mail-hosting"]]],
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
                                      responses: ["201": response("Created; the token is shown only here", ref("NewAccessToken"))]),
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
                "/api/v1/invitations/accept": ["post": operation("acceptInvitation", "Accept an invitation addressed to the signed-in user", tag: "members",
                    body: jsonBody(ref("InvitationToken")), responses: ["200": response("Joined", ref("InvitationAccepted"))])],
                "/api/v1/invitations/decline": ["post": operation("declineInvitation", "Decline an invitation addressed to the signed-in user", tag: "members",
                    body: jsonBody(ref("InvitationToken")), responses: ["204": response("Declined")])],
            ],
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "A personal access token (ph_…)"]],
                "schemas": schemas,
            ],
        ]
    }

    static var schemas: JSON {
        [
            "Problem": object([
                "type": string(), "title": string(), "status": ["type": "integer"], "detail": string(),
                "errors": ["type": "array", "items": object(["field": string(), "code": string(), "detail": string()], required: ["field", "code", "detail"])],
            ], required: ["type", "title", "status", "detail"]),
            "SignUpRequest": object([
                "name": ["type": "string", "minLength": 1, "maxLength": 120], "email": ["type": "string", "format": "email"],
                "password": ["type": "string", "minLength": 10, "maxLength": 72], "organisation_name": ["type": "string", "minLength": 1, "maxLength": 160],
                "country": country,
                "currency": ["type": "string", "enum": ["CHF", "EUR"], "description": "Defaults to CHF for CH/LI, EUR otherwise (R-O1)"],
            ], required: ["name", "email", "password", "organisation_name", "country"]),
            "SignUpResponse": object(["user": ref("User"), "organisation": ref("Organisation")], required: ["user", "organisation"]),
            "TokenLoginRequest": object(["email": string(), "password": string(), "name": ["type": "string", "maxLength": 100]], required: ["email", "password"]),
            "User": object([
                "id": uuid, "email": string(), "name": string(), "support_code": ["type": "string", "pattern": "^[1-9][0-9]{7}$"],
                "language": ["type": "string", "enum": ["de", "en", "fr"]], "created_at": dateTime,
            ], required: ["id", "email", "name", "support_code", "created_at"]),
            "ProfileUpdate": object(["name": ["type": "string", "minLength": 1, "maxLength": 120], "language": ["type": "string", "enum": ["de", "en", "fr"]]], required: []),
            "PasswordChange": object(["current_password": string(), "new_password": ["type": "string", "minLength": 10, "maxLength": 72]],
                                     required: ["current_password", "new_password"]),
            "AccessTokenCreate": object(["name": ["type": "string", "minLength": 1, "maxLength": 100]], required: ["name"]),
            "AccessToken": object(["id": uuid, "name": string(), "prefix": string(), "created_at": dateTime,
                                   "last_used_at": ["type": ["string", "null"], "format": "date-time"]],
                                  required: ["id", "name", "prefix", "created_at", "last_used_at"]),
            "NewAccessToken": object(["token": string(), "access_token": ref("AccessToken")], required: ["token", "access_token"]),
            "Session": object(["id": uuid, "user_agent": string(), "created_at": dateTime, "last_seen_at": dateTime, "current": ["type": "boolean"]],
                              required: ["id", "user_agent", "created_at", "last_seen_at", "current"]),
            "Organisation": object(["id": uuid, "name": string(), "country": string(), "currency": ["type": "string", "enum": ["CHF", "EUR"]],
                                    "currency_fixed": ["type": "boolean"], "created_at": dateTime],
                                   required: ["id", "name", "country", "currency", "currency_fixed", "created_at"]),
            "OrganisationMembership": object(["organisation": ref("Organisation"), "role": role], required: ["organisation", "role"]),
            "OrganisationCreate": object(["name": ["type": "string", "minLength": 1, "maxLength": 160], "country": country,
                                          "currency": ["type": "string", "enum": ["CHF", "EUR"]]], required: ["name", "country"]),
            "OrganisationUpdate": object(["name": ["type": "string", "minLength": 1, "maxLength": 160], "country": country,
                                          "currency": ["type": "string", "enum": ["CHF", "EUR"]]], required: []),
            "Member": object(["id": uuid, "user_id": uuid, "name": string(), "email": string(), "role": role, "since": dateTime],
                             required: ["id", "user_id", "name", "email", "role", "since"]),
            "MemberRoleChange": object(["role": role], required: ["role"]),
            "Invitation": object(["id": uuid, "organisation_id": uuid, "email": string(), "role": role,
                                  "status": ["type": "string", "enum": ["pending", "accepted", "declined", "withdrawn"]], "expires_at": dateTime, "created_at": dateTime],
                                 required: ["id", "organisation_id", "email", "role", "status", "expires_at", "created_at"]),
            "InvitationCreate": object(["email": ["type": "string", "format": "email"], "role": role], required: ["email", "role"]),
            "InvitationToken": object(["token": ["type": "string", "minLength": 1]], required: ["token"]),
            "InvitationAccepted": object(["organisation_id": uuid, "role": role], required: ["organisation_id", "role"]),
            "AuditEvent": object(["sequence": ["type": "integer"], "occurred_at": dateTime, "actor": string(), "action": string(), "target": string(), "details": string()],
                                 required: ["sequence", "occurred_at", "actor", "action", "target", "details"]),
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
