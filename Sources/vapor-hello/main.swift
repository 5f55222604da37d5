import Vapor

// The framework's own hello-world, the baseline every benchmark ratio is taken against
// (bench/run.sh). Nothing of PartnerHub is in it.
let app = try await Application.make(Environment(name: "production", arguments: ["vapor-hello", "serve", "--hostname", "127.0.0.1", "--port",
                                                                                   ProcessInfo.processInfo.environment["PORT"] ?? "8091"]))
app.logger.logLevel = .warning
app.get("hello") { _ in "Hello, world!" }
try await app.execute()
try await app.asyncShutdown()
