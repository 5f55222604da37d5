import Foundation
import NIOCore
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-R1: answers within a deadline, and 503 (never 500) while the database cannot be reached.
/// The outage itself — PostgreSQL restarted and stopped under load — is `e2e/outage.py` in CI.
@Suite("R-R1 deadlines and database outages")
struct DeadlineTests {
    @Test("R-R1 a request still running at its deadline is answered 503 problem JSON with Retry-After, when the deadline comes")
    func deadline() async throws {
        try await TestApp.with(configure: { $0.requestDeadline = 1 }) { t in
            t.app.get("api", "v1", "test-slow") { _ async throws -> Response in
                try await Task.sleep(nanoseconds: 5_000_000_000)
                return Response(status: .ok)
            }.named(.visitPublic)
            let started = Date()
            let response = try await t.send(.GET, "/api/v1/test-slow")
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: .retryAfter) == "5")
            #expect(response.headers.first(name: .contentType) == "application/problem+json")
            #expect(Date().timeIntervalSince(started) < 4)
            // A quick request is untouched.
            #expect(try await t.send(.GET, "/health").status == .ok)
        }
    }

    @Test("R-R1 what counts as the database being gone: connection errors, not a refused query")
    func outageErrors() {
        #expect(DatabaseOutage.isOutage(IOError(errnoCode: ECONNREFUSED, reason: "connect")))
        #expect(DatabaseOutage.isOutage(ChannelError.ioOnClosedChannel))
        #expect(!DatabaseOutage.isOutage(StoreError.notFound))
        #expect(!DatabaseOutage.isOutage(AppError.notFound))
    }

    @Test("R-R1 an outage error is answered 503 with Retry-After in the API and a page saying so in the console")
    func outageAnswer() async throws {
        try await TestApp.with { t in
            t.app.get("api", "v1", "test-outage") { _ async throws -> Response in throw IOError(errnoCode: ECONNREFUSED, reason: "connect") }.named(.visitPublic)
            t.app.get("test-outage") { _ async throws -> Response in throw IOError(errnoCode: ECONNREFUSED, reason: "connect") }.named(.visitPublic)
            let api = try await t.send(.GET, "/api/v1/test-outage")
            #expect(api.status == .serviceUnavailable && api.headers.first(name: .retryAfter) == "5")
            #expect(api.body.string.contains("database cannot be reached"))
            let page = try await t.send(.GET, "/test-outage")
            #expect(page.status == .serviceUnavailable && page.headers.first(name: .retryAfter) == "5")
            #expect(page.body.string.contains("cannot be reached right now"))
        }
    }
}
