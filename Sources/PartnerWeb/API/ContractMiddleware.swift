import Foundation
import PartnerCore
import Vapor

/// R-H1: every /api/v1 request is held to its operation in the served OpenAPI document before a
/// handler runs — path and query parameters and the JSON body — and refused with 422 problem JSON
/// naming each field that breaks it. A handler then meets only what the document promises it.
struct ContractMiddleware: AsyncMiddleware {
    typealias JSON = [String: Any]

    struct Operation {
        let parameters: [(name: String, location: String, required: Bool, schema: JSON)]
        let body: (required: Bool, schema: JSON)?
        let secured: Bool
        /// Provider staff only (`staffBearer`); `adminOnly` when support agents are not let in either.
        let staffOnly: Bool
        let adminOnly: Bool

        /// Whether the contract is this request's to check: anyone the operation is not for is
        /// answered by its handler (401, 403) before what they sent is looked at (R-O3).
        func isFor(_ identity: Identity?) -> Bool {
            guard secured else { return true }
            guard let identity else { return false }
            guard staffOnly else { return identity.user != nil }
            guard let staff = identity.staff else { return false }
            return !adminOnly || staff.role == .programAdmin
        }
    }

    let operations: [String: Operation]
    let validator: SchemaValidator

    init(document: JSON) {
        validator = SchemaValidator(components: document["components"] as? JSON ?? [:])
        var operations: [String: Operation] = [:]
        for (path, methods) in document["paths"] as? JSON ?? [:] {
            for (method, raw) in methods as? JSON ?? [:] {
                guard let operation = raw as? JSON else { continue }
                let parameters = (operation["parameters"] as? [JSON] ?? []).compactMap { p -> (String, String, Bool, JSON)? in
                    guard let name = p["name"] as? String, let location = p["in"] as? String else { return nil }
                    return (name, location, p["required"] as? Bool ?? false, p["schema"] as? JSON ?? [:])
                }
                var body: (Bool, JSON)? = nil
                if let requestBody = operation["requestBody"] as? JSON,
                   let schema = ((requestBody["content"] as? JSON)?["application/json"] as? JSON)?["schema"] as? JSON {
                    body = (requestBody["required"] as? Bool ?? false, schema)
                }
                let security = operation["security"] as? [JSON] ?? []
                let staffOnly = security.contains { $0["staffBearer"] != nil }
                operations[Self.key(method: method.uppercased(), path: path)] = Operation(
                    parameters: parameters, body: body, secured: !security.isEmpty, staffOnly: staffOnly,
                    adminOnly: staffOnly && operation["x-staff-role"] as? String != "any")
            }
        }
        self.operations = operations
    }

    /// `GET /api/v1/organisations/{}`: the document's path with parameters unnamed, as Vapor's
    /// route gives it.
    static func key(method: String, path: String) -> String {
        let parts = path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : String($0) }
        return "\(method) /" + parts.joined(separator: "/")
    }

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map { component -> String in
            if case .constant(let value) = component { return value }
            return "{}"
        }.joined(separator: "/")
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.isAPI, let route = req.route, let operation = operations[Self.key(route)] else { return try await next.respond(to: req) }
        // A secured operation without a valid token, or with one it is not for, is the handler's
        // to answer (401, 403) first.
        if !operation.isFor(req.identity) { return try await next.respond(to: req) }
        var errors: [FieldError] = []
        let query = (try? FormEncoding.pairs(Array((req.url.query ?? "").utf8))) ?? []
        for parameter in operation.parameters {
            switch parameter.location {
            case "path":
                guard let raw = req.parameters.get(parameter.name) else { continue }
                // An id that cannot exist is not found, as any other unknown id.
                if !validator.validate(raw, against: parameter.schema, at: parameter.name).isEmpty { throw AppError.notFound }
            case "query":
                let values = query.filter { $0.name == parameter.name }
                if values.isEmpty {
                    if parameter.required { errors.append(FieldError(parameter.name, .required)) }
                    continue
                }
                if values.count > 1 { errors.append(FieldError(parameter.name, .invalidValue)); continue }
                errors += validator.validate(Self.typed(values[0].value, parameter.schema), against: parameter.schema, at: parameter.name)
            case "header":
                let values = req.headers[parameter.name]
                if values.isEmpty {
                    if parameter.required { errors.append(FieldError(parameter.name, .required)) }
                    continue
                }
                errors += validator.validate(values[0], against: parameter.schema, at: parameter.name)
            default:
                continue
            }
        }
        if let body = operation.body {
            let bytes = req.body.data.map { Array($0.readableBytesView) } ?? []
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                if body.required { errors.append(FieldError("body", .required)) }
            } else if let contentType = req.headers.contentType, contentType != .json, contentType.subType != "problem+json" {
                throw Abort(.unsupportedMediaType, reason: "The body must be application/json.")
            } else {
                guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
                    throw AppError.badRequest("The body is not valid JSON.", field: "body")
                }
                errors += validator.validate(value, against: body.schema, at: "")
            }
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        return try await next.respond(to: req)
    }

    /// A query value read as its schema's type: integers as ASCII decimals (with a sign), booleans
    /// as `true`/`false`; anything else stays text, and the schema refuses it.
    static func typed(_ raw: String, _ schema: JSON) -> Any {
        switch schema["type"] as? String {
        case "integer":
            var digits = Substring(raw)
            let negative = digits.first == "-"
            if negative || digits.first == "+" { digits = digits.dropFirst() }
            guard let value = ASCIIDecimal.parse(digits) else { return raw }
            return NSNumber(value: negative ? -value : value)
        case "boolean":
            if raw == "true" { return NSNumber(value: true) }
            if raw == "false" { return NSNumber(value: false) }
            return raw
        default:
            return raw
        }
    }
}
