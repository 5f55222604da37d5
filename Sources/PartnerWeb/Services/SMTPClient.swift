#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
import Foundation

/// Where and how to deliver mail: `SMTP_URL=smtp://user:password@host:port?from=noreply@example.ch`.
/// STARTTLS (`?starttls=1`) is refused with a clear error for now: this client speaks plain SMTP,
/// for a relay on the same host or network.
struct SMTPConfiguration: Sendable, Equatable {
    var host: String
    var port: Int
    var username: String?
    var password: String?
    var startTLS: Bool
    var from: String

    static func parse(_ text: String) -> SMTPConfiguration? {
        guard let url = URLComponents(string: text), url.scheme == "smtp", let host = url.host, !host.isEmpty else { return nil }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        return SMTPConfiguration(host: host, port: url.port ?? 25, username: url.user?.removingPercentEncoding, password: url.password?.removingPercentEncoding,
                                 startTLS: ["1", "true", "yes"].contains(query["starttls"] ?? ""), from: query["from"] ?? "noreply@partnerhub.invalid")
    }
}

struct SMTPError: Error, CustomStringConvertible {
    let description: String
}

/// A small, blocking SMTP client (RFC 5321): one connection per message, timeouts on every read
/// and write. Run it off the event loops (the outbox worker uses the thread pool).
struct SMTPClient: Sendable {
    let configuration: SMTPConfiguration
    var timeoutSeconds = 10

    func send(to recipient: String, subject: String, body: String, messageID: String, date: Date) throws {
        if configuration.startTLS { throw SMTPError(description: "STARTTLS is not supported yet; use a plain-SMTP relay") }
        let connection = try Connection(host: configuration.host, port: configuration.port, timeout: timeoutSeconds)
        defer { connection.close() }
        try connection.expect(220)
        try connection.command("EHLO partnerhub", expect: 250)
        if let user = configuration.username, let password = configuration.password {
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try connection.command("AUTH PLAIN \(token)", expect: 235)
        }
        try connection.command("MAIL FROM:<\(configuration.from)>", expect: 250)
        try connection.command("RCPT TO:<\(recipient)>", expect: 250, alsoAccept: [251])
        try connection.command("DATA", expect: 354)
        try connection.write(Self.message(from: configuration.from, to: recipient, subject: subject, body: body, messageID: messageID, date: date) + "\r\n.\r\n")
        try connection.expect(250)
        try? connection.command("QUIT", expect: 221)
    }

    /// Headers and a UTF-8 plain-text body with CRLF line ends and dot-stuffing.
    static func message(from: String, to: String, subject: String, body: String, messageID: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encodedSubject = subject.allSatisfy { $0.isASCII } ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return ([
            "From: PartnerHub <\(from)>", "To: <\(to)>", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)@partnerhub>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "",
        ] + lines).joined(separator: "\r\n")
    }

    final class Connection {
        let fd: Int32
        var buffer = [UInt8]()

        init(host: String, port: Int, timeout: Int) throws {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
                throw SMTPError(description: "cannot resolve \(host)")
            }
            defer { freeaddrinfo(result) }
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { throw SMTPError(description: "socket: \(errno)") }
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                let code = errno
                _ = Glibc.close(fd)
                throw SMTPError(description: "cannot connect to \(host):\(port) (errno \(code))")
            }
            self.fd = fd
        }

        func close() { _ = Glibc.close(fd) }

        func write(_ text: String) throws {
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw SMTPError(description: "write failed (errno \(errno))") }
                bytes = bytes.dropFirst(sent)
            }
        }

        func readLine() throws -> String {
            while true {
                if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...end)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw SMTPError(description: "connection closed or timed out") }
                buffer.append(contentsOf: chunk[..<count])
            }
        }

        /// Reads a (possibly multi-line) reply and checks its code.
        func expect(_ code: Int, alsoAccept: [Int] = []) throws {
            var line = try readLine()
            while line.count > 3, Array(line)[3] == "-" { line = try readLine() }
            guard let got = Int(line.prefix(3)), got == code || alsoAccept.contains(got) else {
                throw SMTPError(description: "expected \(code), server said: \(line)")
            }
        }

        func command(_ text: String, expect code: Int, alsoAccept: [Int] = []) throws {
            try write(text + "\r\n")
            try expect(code, alsoAccept: alsoAccept)
        }
    }
}
