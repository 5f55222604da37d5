import PartnerCore
import Vapor

/// R-O5: a route names its action where it is registered (`.named(.billing)`); the authority
/// middleware asks `Policy.decide` for it before anything else reads the request. The route-table
/// test fails for a route without a name.
extension Route {
    private static let actionKey = "partnerhub.action"

    @discardableResult
    func named(_ action: Action) -> Route {
        userInfo[Self.actionKey] = action
        return self
    }

    var action: Action? { userInfo[Self.actionKey] as? Action }
}
