import Foundation
import PartnerCore
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to deliver mail (R-N1):
/// - `smtp://host:port` — plain SMTP, for a relay on the same host or a trusted network;
/// - `smtp://user:password@host:587?starttls=1` — STARTTLS (RFC 3207), required: if the server
///   does not offer it the message is not sent (no silent fall-back to plain text);
/// - `smtps://user:password@host:465` — TLS from the first byte.
/// `from=` sets the sender; `ca_file=/path/ca.pem` trusts that CA instead of the system's roots.
struct SMTPConfiguration: Sendable, Equatable {
    enum Security: Sendable, Equatable { case none, startTLS, implicitTLS }

    var host: String
    var port: Int
    var username: String?
    var password: String?
    var security: Security
    var from: String
    var caFile: String? = nil

    static func parse(_ text: String) -> SMTPConfiguration? {
        guard let url = URLComponents(string: text), ["smtp", "smtps"].contains(url.scheme), let host = url.host, !host.isEmpty else { return nil }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let implicit = url.scheme == "smtps"
        let security: Security = implicit ? .implicitTLS : ["1", "true", "yes"].contains(query["starttls"] ?? "") ? .startTLS : .none
        return SMTPConfiguration(host: host, port: url.port ?? (implicit ? 465 : 25), username: url.user?.removingPercentEncoding,
                                 password: url.password?.removingPercentEncoding, security: security,
                                 from: query["from"] ?? "noreply@partnerhub.invalid", caFile: query["ca_file"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A password only crosses the network encrypted; plain SMTP with a login is for loopback only.
    var sendsPasswordInClear: Bool {
        security == .none && password != nil && !["127.0.0.1", "::1", "localhost"].contains(host)
    }
}

struct SMTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A small SMTP client (RFC 5321, RFC 3207) on SwiftNIO: one connection per message, the whole
/// conversation bounded by `timeout`.
struct SMTPClient: Sendable {
    let configuration: SMTPConfiguration
    var timeout: Duration = .seconds(20)
    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    func send(to recipient: String, subject: String, body: String, messageID: String, date: Date) async throws {
        // Both addresses go into SMTP commands: only validated addresses do (R-H1).
        guard EmailAddress(recipient)?.value == recipient, EmailAddress(configuration.from) != nil else {
            throw SMTPError("refusing an address that is not a plain e-mail address")
        }
        if configuration.sendsPasswordInClear {
            throw SMTPError("refusing to send the SMTP password unencrypted to \(configuration.host); use starttls=1 or smtps://")
        }
        let tls = try configuration.security == .none ? nil : makeTLSContext()
        let serverName = (try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil
        let implicitTLS = configuration.security == .implicitTLS
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError("cannot connect to \(configuration.host):\(configuration.port) (\(error))")
        }
        let message = Self.message(from: configuration.from, to: recipient, subject: subject, body: body, messageID: messageID, date: date)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var conversation = Conversation(replies: inbound.makeAsyncIterator(), outbound: outbound)
                    try await converse(&conversation, channel: channel.channel, tls: tls, serverName: serverName, recipient: recipient, message: message)
                }
            }
            group.addTask { [timeout] in
                try await Task.sleep(for: timeout)
                channel.channel.close(promise: nil)
                throw SMTPError("the SMTP conversation took longer than \(timeout)")
            }
            // The first to finish decides; the other is cancelled.
            try await group.next()
            group.cancelAll()
        }
    }

    private func converse(_ c: inout Conversation, channel: any Channel, tls: NIOSSLContext?, serverName: String?,
                          recipient: String, message: String) async throws {
        try await c.expect(220)
        var capabilities = try await c.command("EHLO partnerhub", expect: 250)
        if configuration.security == .startTLS {
            guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }), let tls else {
                throw SMTPError("\(configuration.host) does not offer STARTTLS; the message was not sent")
            }
            _ = try await c.command("STARTTLS", expect: 220)
            // Anything the server sent before the handshake could be injected plain text (RFC 3207 §5).
            guard c.buffer.readableBytes == 0 else { throw SMTPError("unexpected data after STARTTLS") }
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
            }.get()
            // RFC 3207 §4.2: forget what was learned before TLS and ask again.
            capabilities = try await c.command("EHLO partnerhub", expect: 250)
        }
        if let user = configuration.username, let password = configuration.password {
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            _ = try await c.command("AUTH PLAIN \(token)", expect: 235)
        }
        _ = try await c.command("MAIL FROM:<\(configuration.from)>", expect: 250)
        _ = try await c.command("RCPT TO:<\(recipient)>", expect: 250, alsoAccept: [251])
        _ = try await c.command("DATA", expect: 354)
        try await c.write(message + "\r\n.\r\n")
        try await c.expect(250)
        _ = try? await c.command("QUIT", expect: 221)
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile { tls.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: tls)
    }

    /// Reads replies line by line and writes commands.
    struct Conversation {
        var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var buffer = ByteBuffer()

        mutating func line() async throws -> String {
            while true {
                if let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer.readString(length: end - buffer.readerIndex + 1) ?? ""
                    return line.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                guard var chunk = try await replies.next() else { throw SMTPError("connection closed by the server") }
                buffer.writeBuffer(&chunk)
            }
        }

        /// Reads a (possibly multi-line) reply, checks its code and returns its lines' texts.
        @discardableResult
        mutating func expect(_ code: Int, alsoAccept: [Int] = []) async throws -> [String] {
            var texts: [String] = []
            while true {
                let line = try await line()
                texts.append(String(line.dropFirst(4)))
                guard line.count > 3, Array(line.utf8)[3] == UInt8(ascii: "-") else {
                    guard let got = Int(line.prefix(3)), got == code || alsoAccept.contains(got) else {
                        throw SMTPError("expected \(code), server said: \(line)")
                    }
                    return texts
                }
            }
        }

        mutating func write(_ text: String) async throws {
            do {
                try await outbound.write(ByteBuffer(string: text))
            } catch {
                // A failed TLS handshake closes the channel; the reason (e.g. an untrusted
                // certificate) waits on the inbound side — report that, not "closed channel".
                do { _ = try await replies.next() } catch let reason { throw SMTPError("\(reason)") }
                throw error
            }
        }

        mutating func command(_ text: String, expect code: Int, alsoAccept: [Int] = []) async throws -> [String] {
            try await write(text + "\r\n")
            return try await expect(code, alsoAccept: alsoAccept)
        }
    }

    /// Headers and a UTF-8 plain-text body with CRLF line ends and dot-stuffing. Every header value
    /// that is not a constant goes through `MailHeader.encode` (R-H1); the recipient and sender are
    /// validated addresses. The body's line ends are normalised first (a lone CR or LF becomes
    /// CRLF, so no `<LF>.<LF>` can end the data early), and lines over 990 bytes are wrapped.
    static func message(from: String, to: String, subject: String, body: String, messageID: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalised.split(separator: "\n", omittingEmptySubsequences: false).flatMap(wrap)
            .map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return ([
            "From: PartnerHub <\(from)>", "To: <\(to)>", "Subject: \(MailHeader.encode(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(MailHeader.encode(messageID))@partnerhub>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "",
        ] + lines).joined(separator: "\r\n")
    }

    /// SMTP allows 998 bytes a line; a long line is cut between characters.
    static func wrap(_ line: Substring) -> [String] {
        guard line.utf8.count > 990 else { return [String(line)] }
        var result: [String] = []
        var current = String.UnicodeScalarView()
        var bytes = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if bytes + size > 990 {
                result.append(String(current))
                current = String.UnicodeScalarView()
                bytes = 0
            }
            current.append(scalar)
            bytes += size
        }
        result.append(String(current))
        return result
    }
}
