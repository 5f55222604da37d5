import Foundation
import PartnerCore
import PartnerStore
import Vapor

struct ApprovalRequestJSON: Content {
    var id: String; var clientId: String; var partnerId: String; var summary: String; var listTotal: MoneyJSON; var state: String
    var orderId: String?; var createdAt: Date
    init(_ r: ApprovalRequest) {
        id = r.id.uuidString.lowercased(); clientId = r.clientID.string; partnerId = r.partnerID.string; summary = r.summary
        listTotal = MoneyJSON(r.listTotal); state = r.state.rawValue; orderId = r.orderID?.string; createdAt = r.createdAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(clientId, forKey: .clientId); try c.encode(partnerId, forKey: .partnerId)
        try c.encode(summary, forKey: .summary); try c.encode(listTotal, forKey: .listTotal); try c.encode(state, forKey: .state)
        try c.encode(orderId, forKey: .orderId); try c.encode(createdAt, forKey: .createdAt)
    }
}

struct ApproveRequestBody: Content { var expectedTotalMinor: Int64? }
struct ClientSpendingBody: Content {
    var mode: String; var limitMinor: Int64?
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode); try c.encode(limitMinor, forKey: .limitMinor)
    }
}
struct EmployeeSpendingBody: Content {
    var limitMinor: Int64?; var currency: String?
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(limitMinor, forKey: .limitMinor); try c.encode(currency, forKey: .currency)
    }
}

/// R-B11 in the API: order requests (the partner approves or declines), the partner's rule per
/// client and per employee. Who may is the route's action (R-O5); the service holds the rules.
struct SpendingAPIController: RouteCollection {
    let api = APIController()

    func boot(routes: any RoutesBuilder) throws {
        let org = routes.grouped("api", "v1", "organisations", ":org")
        // The requests are billing data on either side: the partner's to decide, the client's to follow.
        org.get("order-requests", use: list).named(.billing)
        org.post("order-requests", ":request", "approve", use: approve).named(.billing)
        org.post("order-requests", ":request", "decline", use: decline).named(.billing)
        org.put("clients", ":partnership", "spending", use: setClientSpending).named(.managePartnerships)
        org.put("members", ":member", "spending", use: setEmployeeSpending).named(.managePartnerships)
    }

    /// The service names the console's field `limit`; the API's is `limit_minor`.
    static func apiFields(_ errors: [FieldError]) -> AppError {
        .validation(errors.map { $0.field == "limit" ? FieldError("limit_minor", $0.code) : $0 })
    }

    static func requestID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("request"), let id = UUID(uuidString: raw) else { throw AppError.notFound }
        return id
    }

    func list(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let paging = try PageRequest(req)
        let after = try paging.timeKey
        let asPartner = try await req.store.orderRequests(partner: context.organisationID, limit: paging.limit + 1, after: after)
        let asClient = try await req.store.orderRequests(client: context.organisationID, limit: paging.limit + 1, after: after)
        // Both sides newest first, merged by the same (time, id) order the keyset follows.
        let merged = (asPartner + asClient).sorted { ($0.createdAt, $0.id.uuidString) > ($1.createdAt, $1.id.uuidString) }
        return try paging.respond(req, paging.page(merged) { [PageRequest.timeField($0.createdAt), $0.id.uuidString] }) { try api.json($0.map(ApprovalRequestJSON.init)) }
    }

    func approve(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let body = req.body.data == nil ? ApproveRequestBody(expectedTotalMinor: nil) : try api.body(req, ApproveRequestBody.self)
        let order = try await req.billing.approve(try Self.requestID(req), partner: context.organisationID, by: try req.requireUser(),
                                                  expectedTotal: body.expectedTotalMinor, store: req.store)
        return try api.json(OrderJSON(order, invoice: try await req.store.invoice(order: order.id), audience: .partnerSide), .created)
    }

    func decline(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        try await req.billing.decline(try Self.requestID(req), partner: context.organisationID, by: try req.requireUser(), store: req.store)
        return Response(status: .noContent)
    }

    func setClientSpending(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let body = try api.body(req, ClientSpendingBody.self)
        let partnership = try api.param(req, "partnership", PartnershipID.init(string:))
        do {
            try await req.billing.setClientSpending(partner: context, partnership: partnership, mode: body.mode, limitMinor: body.limitMinor,
                                                    user: try req.requireUser(), store: req.store)
        } catch AppError.validation(let errors) {
            throw Self.apiFields(errors)
        }
        // The rule as stored: a limit only where the mode has one.
        return try api.json(ClientSpendingBody(mode: body.mode, limitMinor: body.mode == "monthly_limit" ? body.limitMinor : nil))
    }

    func setEmployeeSpending(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let body = try api.body(req, EmployeeSpendingBody.self)
        let organisation = try await req.store.organisation(context)
        let currency = try body.currency.map { raw -> Currency in
            guard let c = Currency(rawValue: raw) else { throw AppError.validation([FieldError("currency", .invalidValue)]) }
            return c
        } ?? organisation.currency
        do {
            try await req.billing.setEmployeeSpending(context, membership: try api.param(req, "member", MembershipID.init(string:)), limitMinor: body.limitMinor,
                                                      currency: currency, user: try req.requireUser(), store: req.store)
        } catch AppError.validation(let errors) {
            throw Self.apiFields(errors)
        }
        return try api.json(EmployeeSpendingBody(limitMinor: body.limitMinor, currency: body.limitMinor == nil ? nil : currency.rawValue))
    }
}
