import PartnerCore
import Vapor

/// A console form's fields, read once per request byte by byte (FormEncoding): a form granting
/// 160 products asks for 320 fields, and decoding the whole body for each of them took seconds.
struct FormFieldsKey: StorageKey { typealias Value = [String: String] }

extension Request {
    /// A form field as text; a missing field reads as empty so the form is re-shown, not a 400.
    /// (The input gate has refused bodies that are not UTF-8 or hold forbidden characters.) A
    /// repeated field reads as its first value.
    func formValue(_ key: String) -> String { formFields[key] ?? "" }

    var formFields: [String: String] {
        if let parsed = storage[FormFieldsKey.self] { return parsed }
        var fields: [String: String] = [:]
        if headers.contentType == .urlEncodedForm, let body = body.data {
            for pair in FormEncoding.read(Array(body.readableBytesView)) where fields[pair.name] == nil { fields[pair.name] = pair.value }
        }
        storage[FormFieldsKey.self] = fields
        return fields
    }
}
