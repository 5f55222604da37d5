import Vapor

/// R-H1: every request body is read whole, within its route's documented limit, before any
/// check that needs it. Vapor hands middleware a body that may still be arriving (it collects
/// for the route's handler only, after the middleware): a CSRF check reading it early saw no
/// `_csrf` whenever a form came in more than one piece, and refused it as "expired".
enum BodyLimits {
    /// Sign-in, sign-up and token exchange: a few short fields.
    static let small = 16 * 1024
    /// Every other form and JSON body: a tender's 10,000-character description percent-encoded
    /// in four-byte characters is 120 KB.
    static let standard = 256 * 1024

    static let smallRoutes: Set<String> = [
        "POST /login", "POST /provider/login", "POST /signup", "POST /logout", "POST /provider/logout",
        "POST /api/v1/auth/tokens", "POST /api/v1/provider/auth/tokens", "POST /api/v1/signup",
    ]

    static func limit(for route: Route?) -> Int {
        guard let route else { return small }
        return smallRoutes.contains(key(route)) ? small : standard
    }

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map { "\($0)" }.joined(separator: "/")
    }
}

struct BodyCollectionMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if req.method != .GET, req.method != .HEAD {
            // Beyond the limit Vapor throws 413 while the body streams in; a body that arrived
            // whole (a small request, or the test client) is measured here.
            let limit = BodyLimits.limit(for: req.route)
            let tooLarge = Abort(.payloadTooLarge, reason: "The request body is larger than this route's limit of \(limit / 1024) KB.")
            let body: ByteBuffer?
            do { body = try await req.body.collect(max: limit).get() } catch let abort as any AbortError where abort.status == .payloadTooLarge { throw tooLarge }
            if let body, body.readableBytes > limit { throw tooLarge }
        }
        return try await next.respond(to: req)
    }
}

/// A path the router knows with another method answers 405 with `Allow` (RFC 9110), not 404;
/// an unknown path stays 404.
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    let patterns: [(method: HTTPMethod, path: [PathComponent])]

    init(routes: Routes) {
        patterns = routes.all.map { ($0.method, $0.path) }
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.route == nil else { return try await next.respond(to: req) }
        let components = req.url.path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed = Set(patterns.filter { Self.matches($0.path, components) }.map(\.method.rawValue))
        guard !allowed.isEmpty else { return try await next.respond(to: req) }
        if allowed.contains("GET") { allowed.insert("HEAD") }
        let allow = allowed.sorted().joined(separator: ", ")
        if req.method == .OPTIONS {
            let response = Response(status: .noContent)
            response.headers.replaceOrAdd(name: .allow, value: allow)
            return response
        }
        throw AppError.methodNotAllowed(allow: allow)
    }

    static func matches(_ pattern: [PathComponent], _ components: [Substring]) -> Bool {
        var index = 0
        for part in pattern {
            switch part {
            case .catchall: return true
            case .constant(let value):
                guard index < components.count, components[index] == value else { return false }
            case .parameter, .anything:
                guard index < components.count else { return false }
            }
            index += 1
        }
        return index == components.count
    }
}
