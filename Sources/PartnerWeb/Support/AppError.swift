import PartnerCore
import PartnerStore
import Vapor

/// The errors of the HTTP layer; one middleware turns them into RFC 9457 problem JSON under
/// /api and into a friendly page elsewhere.
enum AppError: Error {
    case validation([FieldError])
    case notFound
    case unauthorised
    case forbidden(String)
    case conflict(field: String, code: FieldError.Code)
    case tooManyRequests(retryAfter: Int)
    case badRequest(String, field: String?)
    case csrf
    case gone(String)
    /// A rule refuses the change (e.g. R-O1's last legal representative); the string is a message key.
    case refused(String)

    var status: HTTPResponseStatus {
        switch self {
        case .validation: return .unprocessableEntity
        case .notFound: return .notFound
        case .unauthorised: return .unauthorized
        case .forbidden: return .forbidden
        case .conflict: return .conflict
        case .tooManyRequests: return .tooManyRequests
        case .badRequest: return .badRequest
        case .csrf: return .forbidden
        case .gone: return .gone
        case .refused: return .conflict
        }
    }

    static func from(_ error: StoreError) -> AppError {
        switch error {
        case .notFound: return .notFound
        case .conflict(let field): return .conflict(field: field, code: .taken)
        }
    }
}
