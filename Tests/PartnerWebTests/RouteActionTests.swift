import PartnerCore
@testable import PartnerWeb
import Testing
import Vapor

/// R-O5: every route names its action where it is registered; the route table is walked, not listed.
@Suite("R-O5 every route names its action")
struct RouteActionTests {
    @Test("R-O5 every route of the demo application names an action, and organisation actions sit on paths that name the organisation")
    func everyRouteNamed() async throws {
        try await TestApp.with(demo: true) { t in
            let routes = t.app.routes.all
            #expect(routes.count > 200, "the whole table is walked (\(routes.count) routes)")
            var unnamed: [String] = []
            var misplaced: [String] = []
            for route in routes {
                let path = "/" + route.path.map(\.description).joined(separator: "/")
                guard let action = route.action else { unnamed.append("\(route.method) \(path)"); continue }
                // The authority middleware decides organisation actions for the organisation `:org`
                // names; an organisation action without it would refuse everyone (404).
                let namesOrganisation = route.path.contains { $0.description == ":org" }
                if action.scope == .organisation && !namesOrganisation { misplaced.append("\(route.method) \(path) \(action)") }
            }
            #expect(unnamed.isEmpty, "routes without an action: \(unnamed)")
            #expect(misplaced.isEmpty, "organisation actions on paths without :org: \(misplaced)")
            // Every action the policy knows is named by some route: no decision without a door.
            let used = Set(routes.compactMap(\.action))
            #expect(Set(Action.allCases).subtracting(used).isEmpty,
                    "actions no route names: \(Set(Action.allCases).subtracting(used))")
        }
    }
}
