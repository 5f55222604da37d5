import PartnerCore
import PartnerStore
import Vapor

/// RFC 9457 problem details, with the offending fields named.
struct Problem: Content {
    struct InvalidField: Content {
        let field: String
        let code: String
        let detail: String
    }
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [InvalidField]?
}

/// One place maps every error: problem JSON under /api, a friendly page (or a redirect to
/// sign-in) in the console. No stack trace or SQL ever reaches the user; unexpected errors are logged.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            return await handle(error, req)
        }
    }

    func handle(_ error: any Error, _ req: Request) async -> Response {
        let english = Strings(language: .en)
        var status: HTTPResponseStatus = .internalServerError
        var detail = "An unexpected error occurred."
        var messageKey = "error.not_found"
        var fields: [Problem.InvalidField]? = nil
        var headers = HTTPHeaders()

        switch error {
        case let app as AppError:
            status = app.status
            switch app {
            case .validation(let errors):
                detail = "The request has invalid fields: " + errors.map(\.field).joined(separator: ", ") + "."
                fields = errors.map { Problem.InvalidField(field: $0.field, code: $0.code.rawValue, detail: english.fieldError($0)) }
                if let first = errors.first { messageKey = "error.\(first.code.rawValue)" }
                // R-H1: 422 means the request breaks the contract; one the contract allows but
                // what is stored refuses answers 409 (403 a wrong password, 402 a declined card).
                if req.isAPI, !errors.isEmpty, errors.allSatisfy(\.code.dependsOnState) {
                    let codes = Set(errors.map(\.code))
                    status = codes == [.wrongPassword] ? .forbidden : codes == [.declined] ? .paymentRequired : .conflict
                    detail = "The request was refused by what is stored: " + errors.map { "\($0.field) (\(english.fieldError($0)))" }.joined(separator: ", ") + "."
                }
            case .notFound: detail = "Not found."
            case .unauthorised:
                detail = req.isAPI ? "Authentication required: send a personal access token as `Authorization: Bearer`." : "Please sign in."
                if !req.isAPI {
                    let target = req.url.path.hasPrefix("/provider") ? "/provider/login" : "/login"
                    let next = req.method == .GET ? "?next=\(req.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-"))) ?? "")" : ""
                    return .redirect(target + next)
                }
            case .secondFactor:
                detail = "Two-factor sign-in is on for this account: send the authenticator's code (or a recovery code) as `otp`."
                fields = [Problem.InvalidField(field: "otp", code: FieldError.Code.invalidValue.rawValue, detail: english("twofactor.wrong_code"))]
                messageKey = "twofactor.wrong_code"
            case .forbidden(let key): detail = english(key); messageKey = key
            case .refused(let key): detail = english(key); messageKey = key
            case .conflict(let field, let code):
                detail = "\(field): \(english.fieldError(code))"
                fields = [Problem.InvalidField(field: field, code: code.rawValue, detail: english.fieldError(code))]
            case .tooManyRequests(let seconds):
                detail = "Too many attempts; retry after \(seconds) seconds."
                headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            case .badRequest(let message, let field):
                detail = message
                if let field { fields = [Problem.InvalidField(field: field, code: "invalid_value", detail: message)] }
            case .csrf: detail = "The form's CSRF token is missing or wrong."; messageKey = "error.csrf"
            case .gone(let key): detail = english(key); messageKey = key
            case .methodNotAllowed(let allow):
                detail = "This path does not answer \(req.method.rawValue); it answers \(allow)."
                headers.replaceOrAdd(name: .allow, value: allow)
                messageKey = "error.method"
            case .overLimit(let field, let limit):
                detail = "Over a documented limit: \(limit)."
                fields = [Problem.InvalidField(field: field, code: FieldError.Code.overLimit.rawValue, detail: limit)]
                messageKey = "error.over_limit"
            case .unavailable(let reason, let seconds):
                detail = reason
                headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
                messageKey = "error.unavailable"
            }
        case let store as StoreError:
            return await handle(AppError.from(store), req)
        case let limit as AttemptLimitReached:
            return await handle(AppError.tooManyRequests(retryAfter: limit.retryAfter), req)
        case is ConnectionPoolTimeoutError:
            // Every connection stayed busy for the pool's whole wait: a load peak, not a bug;
            // the client may retry, and nothing was written.
            status = .serviceUnavailable
            detail = "The service is busy; retry in a few seconds. Nothing was changed."
            headers.replaceOrAdd(name: .retryAfter, value: "5")
            messageKey = "error.busy"
            req.logger.warning("database pool exhausted: \(error)")
        case let decoding as DecodingError:
            status = .badRequest
            let (field, message) = describe(decoding)
            detail = message
            fields = [Problem.InvalidField(field: field, code: "invalid_value", detail: message)]
        case let abort as any AbortError:
            status = abort.status
            if abort.status == .payloadTooLarge {
                detail = abort.reason.hasPrefix("The request body") ? abort.reason : "The request body is larger than this route's limit."
                messageKey = "error.too_large"
            } else {
                detail = abort.reason
            }
            if abort.status == .internalServerError { req.logger.report(error: error) }
            if case .badRequest = abort.status, detail.isEmpty { detail = "Bad request." }
        default:
            if DatabaseOutage.isOutage(error) {
                // R-R1: the database is gone or restarting: a 503 to retry, not a 500.
                req.logger.warning("database unreachable: \(String(reflecting: type(of: error)))")
                return await handle(AppError.unavailable(reason: "The database cannot be reached right now; retry in a few seconds.", retryAfter: 5), req)
            }
            req.logger.report(error: error)
        }

        if status == .notFound, !req.isAPI { messageKey = "error.not_found" }
        if status == .payloadTooLarge { messageKey = "error.too_large" }
        var unavailable = false
        if case AppError.unavailable = error { unavailable = true }
        // R-R1: /health answers JSON naming the database, whatever made it late.
        if unavailable, req.url.path == "/health",
           let response = try? jsonResponse(["status": "unavailable", "database": req.partnerHub.kind.rawValue, "reason": detail], status: .serviceUnavailable) {
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
        if req.isAPI {
            let problem = Problem(type: "about:blank", title: status.reasonPhrase, status: Int(status.code), detail: detail, errors: fields)
            let response = Response(status: status, headers: headers)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            response.body = .init(data: (try? encoder.encode(problem)) ?? Data())
            response.headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
            return response
        }
        // While the database cannot be reached the page asks nothing of it (it could hang again).
        let ctx = (unavailable ? nil : try? await req.pageContext()) ?? PageContext(language: req.language, strings: req.strings, user: nil, staff: nil, organisations: [], current: nil,
                                                               csrf: req.csrfToken, flash: nil, path: req.url.path, demo: false)
        let s = ctx.strings
        // A limit names its own wait (sign-up and invitations count an hour, sign-in 15 minutes).
        let wait = headers.first(name: .retryAfter).flatMap { Int($0) }.map { String(max(1, ($0 + 59) / 60)) } ?? "15"
        let limited = s("error.too_many_requests", ["minutes": wait])
        // A refused console form is shown again with what was typed (R-H1).
        if case let app as AppError = error {
            var refusal: (String, [FieldError])? = nil
            switch app {
            case .tooManyRequests: refusal = (limited, [])
            case .csrf: refusal = (s("error.csrf"), [])
            case .validation(let errors): refusal = (s("error.summary"), errors)
            case .overLimit(let field, _): refusal = (s("error.over_limit"), [FieldError(field, .overLimit)])
            case .conflict(let field, let code): refusal = (s.fieldError(code), [FieldError(field, code)])
            // R-R1: the form is kept, to send again once the service is back.
            case .unavailable: refusal = (s("error.unavailable_form"), [])
            default: break
            }
            if let (reason, errors) = refusal,
               let page = RefusedForm.page(req, ctx: ctx, status: status, reason: reason, errors: errors) {
                for (name, value) in headers { page.headers.replaceOrAdd(name: name, value: value) }
                return page
            }
        }
        let message = status == .internalServerError ? s("error.title") : (status == .tooManyRequests ? limited : s(messageKey))
        let signedIn = ctx.user != nil || ctx.staff != nil
        let response = Layout.page(s("error.title"), ctx, status: status) {
            tag("h1") { text(s("error.title")) }
            tag("p") { text(message) }
            tag("p") { signedIn ? link(s("error.back"), ctx.staff != nil ? "/provider" : "/console") : link(s("error.back_start"), "/") }
        }
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    func describe(_ error: DecodingError) -> (String, String) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return (field, "The field `\(field)` is required.")
        case .typeMismatch(_, let context):
            let field = path(context.codingPath)
            return (field.isEmpty ? "body" : field, field.isEmpty ? "The body must be a JSON object." : "The field `\(field)` has the wrong type.")
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return (field, "The field `\(field)` must not be null.")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return (field.isEmpty ? "body" : field, field.isEmpty ? "The body is not valid JSON." : "The field `\(field)` has an invalid value.")
        @unknown default:
            return ("body", "The body could not be read.")
        }
    }
}
