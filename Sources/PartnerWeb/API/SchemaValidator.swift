import Foundation
import PartnerCore

/// R-H1: the API contract is the truth the server enforces. Every request under /api/v1 is
/// checked against its operation's schemas in the served OpenAPI document before a handler runs,
/// so what the document says (types, enums, lengths, patterns, formats, ranges, item counts,
/// required and unknown fields) and what the server refuses cannot drift apart. This is the
/// subset of JSON Schema the document uses; a keyword it does not know is a test failure
/// (`OpenAPIContractTests`), not silently ignored.
struct SchemaValidator {
    typealias JSON = [String: Any]
    let components: JSON

    static let keywords: Set<String> = [
        "type", "enum", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "minItems", "maxItems",
        "uniqueItems", "required", "properties", "additionalProperties", "items", "$ref", "description", "example",
        "default", "nullable", "title", "readOnly", "not", "anyOf", "oneOf", "allOf",
    ]

    /// The fields a value breaks, named by their dotted path (`lines.2.quantity`).
    func validate(_ value: Any?, against schema: JSON, at path: String) -> [FieldError] {
        var schema = schema
        if let ref = schema["$ref"] as? String {
            guard let resolved = resolve(ref) else { return [FieldError(path, .invalidValue)] }
            schema = resolved
        }
        let field = path.isEmpty ? "body" : path
        guard let value, !(value is NSNull) else {
            return allowsNull(schema) ? [] : [FieldError(field, .required)]
        }
        if let types = typeNames(schema), !types.contains(where: { Self.matches(value, type: $0) }) {
            return [FieldError(field, .invalidValue)]
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.equal($0, value) }) {
            return [FieldError(field, .invalidValue)]
        }
        if let all = schema["allOf"] as? [JSON] {
            let errors = all.flatMap { validate(value, against: $0, at: path) }
            if !errors.isEmpty { return errors }
        }
        if let any = schema["anyOf"] as? [JSON] ?? schema["oneOf"] as? [JSON] {
            // The first alternative's errors name what is missing (e.g. `lines` for a quote).
            let attempts = any.map { validate(value, against: $0, at: path) }
            let passing = attempts.filter(\.isEmpty).count
            if passing == 0 { return attempts.first ?? [FieldError(field, .invalidValue)] }
            if schema["oneOf"] != nil && passing > 1 { return [FieldError(field, .invalidValue)] }
        }
        if let barred = schema["not"] as? JSON, validate(value, against: barred, at: path).isEmpty {
            // The text fields' `not` bars their forbidden characters; an object's `not` with
            // `required` bars fields sent together, and names the last of them.
            if let together = barred["required"] as? [String], let last = together.last {
                return [FieldError(path.isEmpty ? last : "\(path).\(last)", .invalidValue)]
            }
            return [FieldError(field, value is String ? .invalidCharacters : .invalidValue)]
        }
        switch value {
        case let text as String: return check(text, schema, field)
        case let number as NSNumber where !Self.isBoolean(number): return check(number, schema, field)
        case let array as [Any]: return check(array, schema, path)
        case let object as JSON: return check(object, schema, path)
        default: return []
        }
    }

    func check(_ text: String, _ schema: JSON, _ field: String) -> [FieldError] {
        let length = TextInput.length(text)
        if let minimum = schema["minLength"] as? Int, length < minimum { return [FieldError(field, text.isEmpty ? .required : .tooShort)] }
        if let maximum = schema["maxLength"] as? Int, length > maximum { return [FieldError(field, .tooLong)] }
        if let pattern = schema["pattern"] as? String, !PatternCache.shared.matches(pattern, text) {
            return [FieldError(field, Self.patternCode(pattern))]
        }
        if let format = schema["format"] as? String, !Self.conforms(text, format: format) {
            return [FieldError(field, format == "email" ? .invalidEmail : .invalidValue)]
        }
        return []
    }

    func check(_ number: NSNumber, _ schema: JSON, _ field: String) -> [FieldError] {
        let value = number.doubleValue
        if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, value < minimum { return [FieldError(field, .invalidValue)] }
        if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, value > maximum { return [FieldError(field, .invalidValue)] }
        return []
    }

    func check(_ array: [Any], _ schema: JSON, _ path: String) -> [FieldError] {
        let field = path.isEmpty ? "body" : path
        if let minimum = schema["minItems"] as? Int, array.count < minimum { return [FieldError(field, array.isEmpty ? .required : .invalidValue)] }
        if let maximum = schema["maxItems"] as? Int, array.count > maximum { return [FieldError(field, .overLimit)] }
        if schema["uniqueItems"] as? Bool == true {
            for (index, item) in array.enumerated() where array[..<index].contains(where: { Self.equal($0, item) }) {
                return [FieldError("\(field).\(index)", .invalidValue)]
            }
        }
        guard let items = schema["items"] as? JSON else { return [] }
        var errors: [FieldError] = []
        for (index, item) in array.enumerated() {
            errors += validate(item, against: items, at: path.isEmpty ? "\(index)" : "\(path).\(index)")
            if errors.count >= 20 { break }
        }
        return errors
    }

    func check(_ object: JSON, _ schema: JSON, _ path: String) -> [FieldError] {
        let properties = schema["properties"] as? JSON ?? [:]
        var errors: [FieldError] = []
        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        for key in (schema["required"] as? [String] ?? []) where object[key] == nil {
            errors.append(FieldError(name(key), .required))
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if let property = properties[key] as? JSON {
                errors += validate(value, against: property, at: name(key))
            } else if let additional = schema["additionalProperties"] {
                if let allowed = additional as? Bool, !allowed { errors.append(FieldError(name(key), .invalidValue)) }
                if let additionalSchema = additional as? JSON { errors += validate(value, against: additionalSchema, at: name(key)) }
            }
        }
        return errors
    }

    func resolve(_ ref: String) -> JSON? {
        let prefix = "#/components/schemas/"
        guard ref.hasPrefix(prefix) else { return nil }
        return (components["schemas"] as? JSON)?[String(ref.dropFirst(prefix.count))] as? JSON
    }

    func typeNames(_ schema: JSON) -> [String]? {
        if let one = schema["type"] as? String { return [one] }
        return schema["type"] as? [String]
    }

    func allowsNull(_ schema: JSON) -> Bool {
        if typeNames(schema)?.contains("null") == true || schema["nullable"] as? Bool == true { return true }
        // OpenAPI 3.1's `anyOf: [X, {type: null}]` (R-B11's "null ends it").
        let alternatives = schema["anyOf"] as? [JSON] ?? schema["oneOf"] as? [JSON] ?? []
        return alternatives.contains { allowsNull($0) }
    }

    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "string": return value is String
        case "object": return value is JSON
        case "array": return value is [Any]
        case "null": return value is NSNull
        case "boolean": return (value as? NSNumber).map(isBoolean) ?? false
        case "number": return (value as? NSNumber).map { !isBoolean($0) } ?? false
        case "integer":
            guard let number = value as? NSNumber, !isBoolean(number) else { return false }
            // JSON Schema: a number with no fraction is an integer (1850.0 too); the server's are Int64.
            let kind = String(cString: number.objCType)
            if kind == "d" || kind == "f" {
                let double = number.doubleValue
                return double.isFinite && double == double.rounded() && abs(double) < 9.2e18
            }
            if kind == "Q" || kind == "L" { return number.uint64Value <= UInt64(Int64.max) }
            return true
        default: return false
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return x == y && isBoolean(x) == isBoolean(y)
        default: return false
        }
    }

    static func conforms(_ text: String, format: String) -> Bool {
        switch format {
        case "uuid": return UUID(uuidString: text) != nil && text.utf8.count == 36
        case "email": return EmailAddress(text) != nil && EmailAddress(text)?.value == text.lowercased()
        case "date-time": return DateTimeFormat.parse(text) != nil
        case "date": return DateTimeFormat.day(text) != nil
        default: return true
        }
    }

    /// A text field's required pattern missing means it holds only blanks.
    static func patternCode(_ pattern: String) -> FieldError.Code {
        pattern == TextInput.requiredPattern(.singleLine) || pattern == TextInput.requiredPattern(.multiLine) ? .required : .invalidValue
    }
}

/// Compiled patterns, kept: the document has a handful and every request reuses them.
final class PatternCache: @unchecked Sendable {
    static let shared = PatternCache()
    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression] = [:]

    func matches(_ pattern: String, _ text: String) -> Bool {
        lock.lock()
        var expression = compiled[pattern]
        if expression == nil {
            expression = try? NSRegularExpression(pattern: pattern)
            compiled[pattern] = expression
        }
        lock.unlock()
        guard let expression else { return false }
        let whole = NSRange(text.startIndex..., in: text)
        guard let match = expression.firstMatch(in: text, range: whole) else { return false }
        // ICU's `$` also matches before a final line terminator; JSON Schema's (ECMA 262) only at
        // the very end: an anchored match must reach it.
        guard pattern.hasSuffix("$") else { return true }
        return match.range.location + match.range.length == whole.length
    }
}

/// RFC 3339 date-times as the API reads them (`2027-01-31T12:00:00Z`, fractions and offsets
/// allowed), and plain dates: Core's byte-level reader, never a Foundation formatter (R-H1).
enum DateTimeFormat {
    static func parse(_ text: String) -> Date? { DateInput.dateTime(text) }
    static func day(_ text: String) -> Date? { DateInput.day(text) }
}
