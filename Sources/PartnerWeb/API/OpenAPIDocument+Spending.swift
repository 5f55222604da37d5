import Foundation
import PartnerCore

/// R-B11: spending the partner's money — the partner's rules per client and per employee, and the
/// orders that wait for its approval.
extension OpenAPIDocument {
    static var spendingPaths: JSON {
        let org = pathParam("org")
        let request = pathParam("request")
        return [
            "/api/v1/organisations/{org}/order-requests": ["get": operation("listOrderRequests",
                "Orders waiting for (or decided by) the partner: those addressed to this partner, or asked by this client (R-B11); legal representatives and admins", tag: "billing",
                parameters: [org], responses: ["200": response("Requests", list("OrderApprovalRequest"))])],
            "/api/v1/organisations/{org}/order-requests/{request}/approve": ["post": operation("approveOrderRequest",
                "The partner approves and pays at today's price; `expected_total_minor` (what was shown) guards against a changed price (409)",
                tag: "billing", parameters: [org, request], body: jsonBody(ref("ApproveOrderRequest")), responses: ["201": response("Ordered", ref("Order"))])],
            "/api/v1/organisations/{org}/order-requests/{request}/decline": ["post": operation("declineOrderRequest",
                "The partner declines; nothing is charged and the client is told", tag: "billing", parameters: [org, request],
                responses: ["204": response("Declined")])],
            "/api/v1/organisations/{org}/clients/{partnership}/spending": ["put": operation("setClientSpending",
                "The partner's choice for one client's own orders on its money: direct, approval, or a monthly limit (net, the client's currency)",
                tag: "billing", parameters: [org, pathParam("partnership")], body: jsonBody(ref("ClientSpending")),
                responses: ["200": response("The rule in force", ref("ClientSpending"))])],
            "/api/v1/organisations/{org}/members/{member}/spending": ["put": operation("setEmployeeSpending",
                "Legal representatives let an employee order for assigned clients on the partner's money up to a monthly limit; null or absent ends it",
                tag: "billing", parameters: [org, pathParam("member")], body: jsonBody(ref("EmployeeSpending")),
                responses: ["200": response("The limit in force", ref("EmployeeSpending"))])],
        ]
    }

    static var spendingSchemas: JSON {
        let limit: JSON = ["type": "integer", "minimum": 1, "maximum": SpendingRules.maximumLimit]
        return [
            "OrderApprovalRequest": object([
                "id": uuid, "client_id": uuid, "partner_id": uuid, "summary": string(), "list_total": ref("Money"),
                "state": ["type": "string", "enum": ["pending", "approved", "declined"]], "order_id": ["type": ["string", "null"], "format": "uuid"],
                "created_at": ["type": "string", "format": "date-time"],
            ], required: ["id", "client_id", "partner_id", "summary", "list_total", "state", "order_id", "created_at"]),
            "ApproveOrderRequest": object(["expected_total_minor": ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000]], required: []),
            "ClientSpending": object(["mode": ["type": "string", "enum": ["direct", "approval", "monthly_limit"]],
                                      "limit_minor": ["anyOf": [limit, ["type": "null"]]]], required: ["mode"]),
            "EmployeeSpending": object(["limit_minor": ["anyOf": [limit, ["type": "null"]]],
                                        "currency": ["anyOf": [["type": "string", "enum": Currency.allCases.map(\.rawValue)], ["type": "null"]]]],
                                       required: []),
        ]
    }
}
