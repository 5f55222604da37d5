import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import Vapor
import VaporTesting

/// R-O5 end to end: every mutating route of the route table × every actor of the demo world ×
/// every organisation (and each of its partnerships where the path names one), answered by the
/// running application and held against `Policy.decide` on the same facts. Generated from the
/// route table and the database, not listed: a new route or persona is covered without thought.
@Suite("R-O5 authority matrix")
struct AuthorityMatrixTests {
    struct Persona {
        let name: String
        let kind: Actor.Kind
        let user: UserID?
        let api: String?
        let console: Browser?
    }

    @Test("R-O5 every mutating route answers every demo actor as the policy decides")
    func matrix() async throws {
        try await TestApp.with(demo: true) { t in
            _ = try await DemoSeed.seedIfNeeded(t.app)
            let personas = try await Self.personas(t)
            let organisations = try await t.store.allOrganisations()
            let routes = t.app.routes.all.filter { $0.method != .GET && ($0.action?.scope ?? .open) != .open }
            var checked = 0, refused = 0, failures: [String] = []
            var routesSeen = Set<String>()
            for route in routes {
                let action = try #require(route.action)
                let template = "/" + route.path.map(\.description).joined(separator: "/")
                routesSeen.insert("\(route.method) \(template)")
                let namesOrganisation = template.contains(":org")
                let targets: [Organisation?] = namesOrganisation ? organisations.map { $0 } : [nil]
                for persona in personas {
                    for organisation in targets {
                        for partnership in try await Self.partnerships(t, template, organisation) {
                            let actor = try await Self.actor(t, persona, action, organisation, partnership)
                            let expected = Policy.decide(action, actor, now: t.clock.now())
                            let path = Self.fill(template, organisation, partnership)
                            let isAPI = template.hasPrefix("/api/")
                            let response = try await Self.send(t, route.method, path, persona, api: isAPI)
                            checked += 1
                            // For staff the organisation is the object of the route, not a tenant.
                            let subObject = template.split(separator: "/").contains { $0.hasPrefix(":") && ($0 != ":org" || action.scope == .staff) }
                            let label = "\(route.method) \(template) as \(persona.name) on \(organisation?.name ?? "-"): expected \(expected), got \(response.status.code)"
                            switch expected {
                            case .refused(let reason):
                                refused += 1
                                if reason.asksToSignIn {
                                    let ok = isAPI ? response.status == .unauthorized
                                        : response.status == .seeOther && (response.headers.first(name: .location) ?? "").contains("login")
                                    if !ok { failures.append(label) }
                                } else if reason.hidesExistence {
                                    if response.status != .notFound { failures.append(label) }
                                } else if response.status != .forbidden {
                                    failures.append(label)
                                }
                            case .allowed:
                                // Allowed by the policy: whatever the request's body or object says next
                                // (validation, a missing sub-object, a state), never a refusal of who asks.
                                let refusal = [.unauthorized, .forbidden].contains(response.status)
                                    || (response.status == .notFound && !subObject)
                                    || (response.status == .seeOther && (response.headers.first(name: .location) ?? "").contains("login"))
                                if refusal { failures.append(label + " " + String(response.body.string.prefix(160))) }
                            }
                        }
                    }
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) answers differ from the policy:\n" + failures.prefix(60).joined(separator: "\n")))
            print("R-O5 matrix: \(routesSeen.count) mutating routes × \(personas.count) actors × \(organisations.count) organisations: "
                  + "\(checked) requests checked, \(refused) refusals")
        }
    }

    static func personas(_ t: TestApp) async throws -> [Persona] {
        var result = [Persona(name: "anonymous", kind: .anonymous, user: nil, api: nil, console: Browser(t))]
        for login in DemoSeed.plannedLogins {
            if login.email.hasSuffix("@provider.demo") {
                let email = try #require(EmailAddress(login.email))
                let staff = try #require(try await t.store.staffCredentials(email: email)?.0)
                let response = try await t.send(.POST, "/api/v1/provider/auth/tokens", json: #"{"email":"\#(login.email)","password":"\#(DemoSeed.password)"}"#)
                let token = try #require((try t.json(response) as? [String: Any])?["token"] as? String)
                let browser = Browser(t)
                try await browser.get("/provider/login")
                _ = try await browser.post("/provider/login", ["email": login.email, "password": DemoSeed.password])
                try await browser.get("/provider")
                result.append(Persona(name: login.email, kind: .staff(staff.role), user: nil, api: token, console: browser))
            } else {
                let email = try #require(EmailAddress(login.email))
                let user = try #require(try await t.store.user(email: email))
                let token = try await t.token(login.email, password: DemoSeed.password)
                let browser = Browser(t)
                try await browser.logIn(login.email, password: DemoSeed.password)
                result.append(Persona(name: login.email, kind: .user, user: user.id, api: token, console: browser))
            }
        }
        return result
    }

    /// The partnerships a path with `:partnership` is tried with: each of the organisation's, on
    /// either side, and one that does not exist.
    static func partnerships(_ t: TestApp, _ template: String, _ organisation: Organisation?) async throws -> [PartnershipID?] {
        guard template.contains(":partnership"), let organisation else { return [nil] }
        let asClient = try await t.store.partnerships(client: organisation.id).map(\.partnership.id)
        let asPartner = try await t.store.clientListings(partner: organisation.id, onlyAssignedTo: nil).map(\.partnership.id)
        return asClient + asPartner + [PartnershipID(UUID())]
    }

    /// The facts as the policy needs them, read from the database for this request.
    static func actor(_ t: TestApp, _ persona: Persona, _ action: Action, _ organisation: Organisation?, _ partnership: PartnershipID?) async throws -> Actor {
        guard let user = persona.user, let organisation else { return Actor(kind: persona.kind) }
        let access = try await t.store.clientAccess(user: user, organisation: organisation.id)
        var onPartnerSide = false
        if let partnership, let found = try await t.store.partnership(partnership) { onPartnerSide = found.partnerID == organisation.id }
        var sides: [Actor.PartnerStanding] = []
        for side in access.partnerSides {
            sides.append(Actor.PartnerStanding(side, mayOrderOnPartnerMoney: try await t.store.employeeSpendingLimit(side.membership) != nil))
        }
        return Actor(kind: persona.kind, membership: access.clientMembership?.role, partnerSides: sides,
                     onPartnerSide: onPartnerSide, organisationIsPartner: organisation.isPartner)
    }

    static func fill(_ template: String, _ organisation: Organisation?, _ partnership: PartnershipID?) -> String {
        template.split(separator: "/").map { part -> String in
            switch part {
            case ":org": return organisation?.id.string ?? UUID().uuidString
            case ":partnership": return partnership?.string ?? UUID().uuidString
            case let p where p.hasPrefix(":"): return UUID().uuidString.lowercased()
            default: return String(part)
            }
        }.reduce("") { $0 + "/" + $1 }
    }

    static func send(_ t: TestApp, _ method: HTTPMethod, _ path: String, _ persona: Persona, api: Bool) async throws -> TestingHTTPResponse {
        if api {
            return try await t.send(method, path, token: persona.api, json: method == .DELETE ? nil : "{}")
        }
        guard let browser = persona.console else { return try await t.send(method, path) }
        return try await browser.post(path, [:])
    }
}
