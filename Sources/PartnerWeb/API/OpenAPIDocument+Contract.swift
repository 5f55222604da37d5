import Foundation
import PartnerCore

/// The document as the contract the server enforces (ContractMiddleware, R-H1).
extension OpenAPIDocument {
    /// R-H1: request bodies take the properties they name and no others (`additionalProperties:
    /// false`, nested objects and referenced schemas too), so a field the server would ignore is
    /// refused instead, as the contract then says.
    static func closingRequestBodies(_ document: JSON) -> JSON {
        var document = document
        var components = document["components"] as? JSON ?? [:]
        var schemas = components["schemas"] as? JSON ?? [:]
        var closedNames = Set<String>()
        func close(_ schema: JSON) -> JSON {
            var schema = schema
            if let ref = schema["$ref"] as? String {
                let name = String(ref.split(separator: "/").last ?? "")
                if !closedNames.contains(name), let target = schemas[name] as? JSON {
                    closedNames.insert(name)
                    schemas[name] = close(target)
                }
                return schema
            }
            if schema["type"] as? String == "object" || schema["properties"] != nil {
                schema["additionalProperties"] = false
                if let properties = schema["properties"] as? JSON { schema["properties"] = properties.mapValues { close($0 as? JSON ?? [:]) } }
            }
            // Every text of a request holds no control character but line breaks, no direction
            // override (what the input gate refuses in forms): fields that say more keep theirs.
            if schema["type"] as? String == "string", schema["enum"] == nil, schema["format"] == nil, schema["not"] == nil {
                schema["not"] = ["pattern": TextInput.forbiddenPattern(.multiLine)]
            }
            if let items = schema["items"] as? JSON { schema["items"] = close(items) }
            return schema
        }
        var paths = document["paths"] as? JSON ?? [:]
        for (path, methods) in paths {
            var methods = methods as? JSON ?? [:]
            for (method, operation) in methods {
                guard var operation = operation as? JSON else { continue }
                // Parameters are single lines: no control character at all.
                if let parameters = operation["parameters"] as? [JSON] {
                    operation["parameters"] = parameters.map { parameter -> JSON in
                        var parameter = parameter
                        if var schema = parameter["schema"] as? JSON, schema["type"] as? String == "string", schema["enum"] == nil,
                           schema["format"] == nil, schema["not"] == nil {
                            schema["not"] = ["pattern": TextInput.forbiddenPattern(.singleLine)]
                            parameter["schema"] = schema
                        }
                        return parameter
                    }
                    methods[method] = operation
                }
                guard var body = operation["requestBody"] as? JSON,
                      var content = body["content"] as? JSON, var json = content["application/json"] as? JSON, let schema = json["schema"] as? JSON else { continue }
                json["schema"] = close(schema)
                content["application/json"] = json
                body["content"] = content
                operation["requestBody"] = body
                methods[method] = operation
            }
            paths[path] = methods
        }
        components["schemas"] = schemas
        document["components"] = components
        document["paths"] = paths
        return document
    }

    /// R-O3: every secured operation under /api/v1/provider is for provider staff (`phs_` tokens),
    /// and for program admins unless it says `x-staff-role: any` (the VIP look-up support agents
    /// use). The contract middleware leaves a request from anyone else to its handler, which
    /// answers 401 or 403 before the body is looked at: who may ask is decided before what was asked.
    static func securingProviderPaths(_ document: JSON) -> JSON {
        var document = document
        var paths = document["paths"] as? JSON ?? [:]
        for (path, methods) in paths where path.hasPrefix("/api/v1/provider/") {
            var methods = methods as? JSON ?? [:]
            for (method, raw) in methods {
                guard var operation = raw as? JSON, !((operation["security"] as? [Any])?.isEmpty ?? true) else { continue }
                operation["security"] = [["staffBearer": [String]()]]
                if operation["x-staff-role"] == nil { operation["x-staff-role"] = StaffRole.programAdmin.rawValue }
                methods[method] = operation
            }
            paths[path] = methods
        }
        document["paths"] = paths
        return document
    }

    /// Every GET whose answer is a JSON array is a list, and every list pages the same way
    /// (`PageRequest`): `limit` and `cursor` in the query, a `Link` header to the next page. Found
    /// from the document itself, so a list added later is documented (and checked) without thought.
    static func paginatingLists(_ document: JSON) -> JSON {
        var document = document
        var paths = document["paths"] as? JSON ?? [:]
        for (path, methods) in paths {
            guard var methods = methods as? JSON, var operation = methods["get"] as? JSON, isList(operation) else { continue }
            operation["parameters"] = (operation["parameters"] as? [JSON] ?? []) + pagingParameters
            var responses = operation["responses"] as? JSON ?? [:]
            var ok = responses["200"] as? JSON ?? [:]
            ok["headers"] = ["Link": ["description": "`<…>; rel=\"next\"` (RFC 8288) while more rows follow: the same query with the next cursor",
                                      "schema": ["type": "string"]]]
            responses["200"] = ok
            operation["responses"] = responses
            operation["x-paginated"] = true
            methods["get"] = operation
            paths[path] = methods
        }
        document["paths"] = paths
        return document
    }

    static func isList(_ operation: JSON) -> Bool {
        let ok = (operation["responses"] as? JSON)?["200"] as? JSON
        let schema = ((ok?["content"] as? JSON)?["application/json"] as? JSON)?["schema"] as? JSON
        return schema?["type"] as? String == "array"
    }

    static var pagingParameters: [JSON] {
        [["name": "limit", "in": "query", "required": false, "description": "Rows per page (default \(PageRequest.defaultLimit))",
          "schema": ["type": "integer", "minimum": 1, "maximum": PageRequest.maximumLimit]],
         ["name": "cursor", "in": "query", "required": false, "description": "Where the previous page ended, from its `Link` header (opaque)",
          "schema": ["type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^[A-Za-z0-9_-]+$"]]]
    }
}
