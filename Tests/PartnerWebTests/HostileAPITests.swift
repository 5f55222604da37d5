import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-H1 by class, on the API: every field of every operation of the served OpenAPI document —
/// body properties (nested ones in arrays too), query and path parameters — gets every value of
/// the hostile corpus. No answer is a server error, every refusal is problem JSON, `/health`
/// answers after each request, and what no field of that kind may hold is refused with 4xx
/// naming the field. The places come from the document, so a new operation or field is attacked
/// without anyone listing it.
@Suite("R-H1 hostile input: every field of every API operation", .serialized)
struct HostileAPITests {
    typealias JSON = [String: Any]

    struct Place: CustomStringConvertible {
        let method: String
        let path: String
        let location: String
        let field: String
        var description: String { "\(method) \(path) \(location) \(field)" }
    }

    /// What a field of `schema` may take, by the corpus' classes — an oracle kept apart from the
    /// server's validator: only the document's types, enums, formats and the text kind count.
    static func mustRefuse(_ value: HostileValue, _ schema: JSON) -> Bool {
        switch value.refusal {
        case .everywhere, .tooLong: return true
        case .inSingleLine: return (schema["not"] as? JSON)?["pattern"] as? String != TextInput.forbiddenPattern(.multiLine)
        case .none:
            guard schema["type"] as? String == "string" else { return true }
            return schema["enum"] != nil || ["uuid", "date-time"].contains(schema["format"] as? String ?? "")
        }
    }

    @Test("Every field, query and path parameter of every operation takes the hostile corpus without a server error")
    func everyOperation() async throws {
        try await TestApp.with { t in
            _ = try await DemoSeed.seedIfNeeded(t.app)
            let anna = try await t.token("anna@alpenweb.demo", password: DemoSeed.password)
            let org = try #require((try t.json(try await t.send(.GET, "/api/v1/organisations", token: anna)) as? [JSON])?.first?["organisation"] as? JSON)["id"] as? String
            let staffLogin = try await t.send(.POST, "/api/v1/provider/auth/tokens",
                                              json: #"{"email":"admin@provider.demo","password":"\#(DemoSeed.password)","name":"hostile"}"#)
            let staff = try #require((try t.json(staffLogin) as? JSON)?["token"] as? String, "\(staffLogin.body.string)")
            let document = OpenAPIDocument.document
            let validator = SchemaValidator(components: document["components"] as? JSON ?? [:])
            var places = 0, requests = 0, refusals = 0
            var failures: [String] = []

            func send(_ method: String, _ path: String, query: String, body: String?, secured: Bool,
                      headers: [(String, String)] = []) async throws -> TestingHTTPResponse {
                let token = !secured ? nil : path.hasPrefix("/api/v1/provider") ? staff : anna
                let url = query.isEmpty ? path : "\(path)?\(query)"
                let response = try await t.send(HTTPMethod(rawValue: method), url, token: token, json: body, headers: headers)
                requests += 1
                return response
            }

            func check(_ place: Place, _ value: HostileValue?, _ label: String, _ response: TestingHTTPResponse, refuse: Bool) async throws {
                let status = Int(response.status.code)
                let what = "\(place) ← \(label): \(status)"
                if status >= 500 { failures.append("\(what) \(response.body.string.prefix(200))") }
                if (400..<500).contains(status), response.headers.first(name: .contentType) != "application/problem+json" {
                    failures.append("\(what) without problem JSON")
                }
                if !(try await t.healthy()) { failures.append("\(what): /health stopped answering") }
                guard refuse else { return }
                refusals += 1
                if place.location == "path" {
                    if ![400, 404, 422].contains(status) { failures.append("\(what): a hostile path parameter must answer 404") }
                    return
                }
                guard [400, 413, 422].contains(status) else { failures.append("\(what): must be refused"); return }
                if status == 422 {
                    let named = ((try? t.json(response)) as? JSON)?["errors"] as? [JSON] ?? []
                    let fields = named.compactMap { $0["field"] as? String }
                    if !fields.contains(where: { $0 == place.field || $0 == "body" || place.field.hasPrefix($0 + ".") }) {
                        failures.append("\(what): the problem names \(fields), not \(place.field)")
                    }
                }
            }

            let paths = try #require(document["paths"] as? JSON)
            for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
                for (method, raw) in (methods as? JSON ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let operation = raw as? JSON else { continue }
                    let method = method.uppercased()
                    let secured = !((operation["security"] as? [Any])?.isEmpty ?? true)
                    let parameters = operation["parameters"] as? [JSON] ?? []
                    func concretePath(_ replacing: String? = nil, with text: String = "") -> String {
                        var result = path
                        for parameter in parameters where parameter["in"] as? String == "path" {
                            let name = parameter["name"] as? String ?? ""
                            let value = name == replacing ? text : name == "org" ? org ?? ""
                                : Self.formEncoded(Self.example(parameter["schema"] as? JSON ?? [:], validator) as? String ?? "")
                            result = result.replacingOccurrences(of: "{\(name)}", with: value)
                        }
                        return result
                    }
                    let requiredQuery = parameters.filter { $0["in"] as? String == "query" && $0["required"] as? Bool == true }
                        .map { "\($0["name"] as? String ?? "")=\(Self.formEncoded(Self.example($0["schema"] as? JSON ?? [:], validator) as? String ?? "1"))" }
                    var bodySchema: JSON? = nil
                    if let content = (operation["requestBody"] as? JSON)?["content"] as? JSON, let schema = (content["application/json"] as? JSON)?["schema"] as? JSON {
                        bodySchema = validator.resolve(schema["$ref"] as? String ?? "") ?? schema
                    }
                    let base = bodySchema.map { Self.example($0, validator) }

                    // Query and path parameters.
                    for parameter in parameters {
                        guard let name = parameter["name"] as? String, let location = parameter["in"] as? String else { continue }
                        let schema = parameter["schema"] as? JSON ?? [:]
                        let place = Place(method: method, path: path, location: location, field: name)
                        places += 1
                        for value in HostileValue.corpus {
                            let encoded = value.rawJSON != nil ? "%ED%A0%80" : Self.formEncoded(value.text)
                            let response: TestingHTTPResponse
                            if location == "path" {
                                guard value.refusal != .tooLong else { continue }  // a 100 KB path is refused by the HTTP parser, not us
                                response = try await send(method, concretePath(name, with: encoded), query: requiredQuery.joined(separator: "&"),
                                                          body: base.map(Self.jsonText), secured: secured)
                            } else if location == "header" {
                                // A header holds no line break (the HTTP layer would split it), so such values are sent
                                // percent-encoded, as a client library would have to.
                                let header = value.text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) ? encoded : value.text
                                response = try await send(method, concretePath(), query: requiredQuery.joined(separator: "&"),
                                                          body: base.map(Self.jsonText), secured: secured, headers: [(name, header)])
                            } else {
                                let others = requiredQuery.filter { !$0.hasPrefix("\(name)=") }
                                response = try await send(method, concretePath(), query: (others + ["\(name)=\(encoded)"]).joined(separator: "&"),
                                                          body: base.map(Self.jsonText), secured: secured)
                            }
                            let sentAsIs = location != "header" || !value.text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" })
                            let refuse = location == "path" ? value.refusal != .none || schema["format"] as? String == "uuid"
                                : sentAsIs && Self.mustRefuse(value, schema)
                            try await check(place, value, value.label, response, refuse: refuse)
                        }
                    }

                    // Body fields, nested ones included.
                    guard let bodySchema, let base = base as? JSON else { continue }
                    for (field, schema) in Self.fields(of: bodySchema, validator) {
                        let place = Place(method: method, path: path, location: "body", field: field)
                        places += 1
                        var literals = HostileValue.corpus.map { ($0.label, $0.json, Self.mustRefuse($0, schema)) }
                        if ["integer", "number"].contains(schema["type"] as? String ?? "") {
                            literals += HostileValue.numbers.map { ("number \($0)", $0, ["true", "null", "0.5", "1e400"].contains($0) && schema["type"] as? String == "integer") }
                        }
                        for (label, literal, refuse) in literals {
                            let body = Self.jsonText(Self.setting(field, to: "\u{1}HOSTILE\u{1}", in: base, bodySchema, validator))
                                .replacingOccurrences(of: "\"\\u0001HOSTILE\\u0001\"", with: literal)
                            let response = try await send(method, concretePath(), query: requiredQuery.joined(separator: "&"), body: body, secured: secured)
                            try await check(place, nil, label, response, refuse: refuse)
                        }
                    }
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) failures:\n" + failures.prefix(40).joined(separator: "\n")))
            // The document is the source of the places: a handful would mean it was not read.
            #expect(places > 200 && refusals > 2000, "\(places) places, \(requests) requests, \(refusals) refusals checked")
            print("R-H1 API: \(paths.count) paths, \(places) places, \(requests) requests, \(refusals) refusals checked")
        }
    }

    // MARK: bodies from the document

    static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    static func jsonText(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A value the document accepts for `schema` (required properties only), so one field at a
    /// time can be made hostile.
    static func example(_ schema: JSON, _ validator: SchemaValidator) -> Any {
        var schema = schema
        if let ref = schema["$ref"] as? String, let resolved = validator.resolve(ref) { schema = resolved }
        if let choices = schema["enum"] as? [Any], let first = choices.first { return first }
        switch schema["type"] as? String {
        case "object":
            var object: JSON = [:]
            var properties = schema["properties"] as? JSON ?? [:]
            var required = schema["required"] as? [String] ?? []
            // An object that needs one of several shapes takes the first (a quote's lines).
            if let first = (schema["anyOf"] as? [JSON])?.first {
                required += first["required"] as? [String] ?? []
                for (key, narrowing) in first["properties"] as? JSON ?? [:] {
                    properties[key] = (properties[key] as? JSON ?? [:]).merging(narrowing as? JSON ?? [:]) { _, b in b }
                }
            }
            for key in required { object[key] = example(properties[key] as? JSON ?? [:], validator) }
            return object
        case "array":
            let count = schema["minItems"] as? Int ?? 0
            return (0..<count).map { _ in example(schema["items"] as? JSON ?? [:], validator) }
        case "integer": return max(1, schema["minimum"] as? Int ?? 1)
        case "boolean": return true
        case "number": return 1
        default:
            if schema["format"] as? String == "uuid" { return UUID().uuidString.lowercased() }
            if schema["format"] as? String == "date-time" { return "2030-01-31T12:00:00Z" }
            let pattern = schema["pattern"] as? String ?? ""
            if let minimum = schema["minLength"] as? Int, minimum > 4 { return String(repeating: "t", count: minimum) }
            if pattern == EmailAddress.pattern { return "someone@example.ch" }
            if pattern.hasPrefix("^[0-9 ]{8") { return "12345678" }
            if pattern.hasPrefix("^[a-z][a-z0-9-]") { return "website-creation" }
            if pattern == Website.pattern { return "https://www.example.ch" }
            if pattern.contains("[a-z0-9-]{2,40}") { return "website-creation" }
            if pattern.contains("[0-9]{1,15}") { return "10.00" }
            if pattern.contains("[0-9 ]") { return "4242 4242 4242 4242" }
            return "Test"
        }
    }

    /// Every field a body can carry, by dotted path: properties, and the properties or items of
    /// arrays at index 0.
    static func fields(of schema: JSON, _ validator: SchemaValidator, prefix: String = "") -> [(String, JSON)] {
        var schema = schema
        if let ref = schema["$ref"] as? String, let resolved = validator.resolve(ref) { schema = resolved }
        var result: [(String, JSON)] = []
        for (key, raw) in (schema["properties"] as? JSON ?? [:]).sorted(by: { $0.key < $1.key }) {
            var property = raw as? JSON ?? [:]
            if let ref = property["$ref"] as? String, let resolved = validator.resolve(ref) { property = resolved }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            result.append((path, property))
            if property["type"] as? String == "object" { result += fields(of: property, validator, prefix: path) }
            if property["type"] as? String == "array", var items = property["items"] as? JSON {
                if let ref = items["$ref"] as? String, let resolved = validator.resolve(ref) { items = resolved }
                result.append(("\(path).0", items))
                if items["type"] as? String == "object" { result += fields(of: items, validator, prefix: "\(path).0") }
            }
        }
        return result
    }

    /// `base` with the field at `path` set to `value` (arrays get a first element where needed).
    static func setting(_ path: String, to value: Any, in base: JSON, _ schema: JSON, _ validator: SchemaValidator) -> JSON {
        var parts = path.split(separator: ".").map(String.init)
        let key = parts.removeFirst()
        var result = base
        var schema = schema
        if let ref = schema["$ref"] as? String, let resolved = validator.resolve(ref) { schema = resolved }
        var property = (schema["properties"] as? JSON)?[key] as? JSON ?? [:]
        if let ref = property["$ref"] as? String, let resolved = validator.resolve(ref) { property = resolved }
        guard !parts.isEmpty else {
            result[key] = value
            return result
        }
        if property["type"] as? String == "array" {
            _ = parts.removeFirst()  // the index 0
            var items = property["items"] as? JSON ?? [:]
            if let ref = items["$ref"] as? String, let resolved = validator.resolve(ref) { items = resolved }
            if parts.isEmpty {
                result[key] = [value]
            } else {
                let element = example(items, validator) as? JSON ?? [:]
                result[key] = [setting(parts.joined(separator: "."), to: value, in: element, items, validator)]
            }
        } else {
            let inner = result[key] as? JSON ?? (example(property, validator) as? JSON ?? [:])
            result[key] = setting(parts.joined(separator: "."), to: value, in: inner, property, validator)
        }
        return result
    }
}
