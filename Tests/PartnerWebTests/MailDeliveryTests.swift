import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-N1 delivery through a real SMTP conversation with aiosmtpd on 127.0.0.1 (e2e/smtp_sink.py).
/// The Python with aiosmtpd is `SMTP_TEST_PYTHON` (CI sets it) or `python3`; without one the
/// SMTP round-trip test is skipped and says so.
@Suite("Outbox delivery over SMTP")
struct MailDeliveryTests {
    static let python = ProcessInfo.processInfo.environment["SMTP_TEST_PYTHON"] ?? "/usr/bin/env"
    static var pythonArguments: [String] { ProcessInfo.processInfo.environment["SMTP_TEST_PYTHON"] == nil ? ["python3"] : [] }

    static let aiosmtpdAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = pythonArguments + ["-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static var sinkScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("e2e/smtp_sink.py").path
    }

    static let opensslAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

    /// A throwaway self-signed certificate for 127.0.0.1: (certificate, key) paths.
    func makeCertificate() throws -> (String, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a certificate")
        return (cert, key)
    }

    /// Starts the sink on a free port; returns it with the port and the directory it writes to.
    func startSink(tls: (String, String)? = nil) throws -> (Process, Int, URL, Pipe) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = Self.pythonArguments + [Self.sinkScript, "0", directory.path] + (tls.map { [$0.0, $0.1] } ?? [])
        let output = Pipe()
        let input = Pipe()  // closing it tells the sink to stop
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "ready PORT" once it listens on the port the system gave it.
        let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(ready.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("ready ".count)), "the SMTP sink did not start: \(ready)")
        return (process, port, directory, input)
    }

    /// Runs `body` with a sink on a free port, then tells the sink to stop.
    func withSink(tls: (String, String)? = nil, _ body: (Int, URL) async throws -> Void) async throws {
        let (sink, port, directory, input) = try startSink(tls: tls)
        defer {
            try? input.fileHandleForWriting.close()
            sink.terminate()
        }
        try await body(port, directory)
    }

    @Test("R-N1 outbox messages reach a real SMTP server and leave the queue only once accepted",
          .enabled(if: aiosmtpdAvailable, "needs Python with aiosmtpd (pip install aiosmtpd; SMTP_TEST_PYTHON)"))
    func deliversOverSMTP() async throws {
        // The sink starts once the app is up: under a loaded CI machine the app's set-up can be slow.
        try await TestApp.with { t in
            try await withSink() { port, directory in
                _ = try await t.signUp("anna@example.ch")  // a welcome mail in German, English or French
                try await t.store.write { tx in
                    try await tx.enqueueMail(to: EmailAddress("hans@example.ch")!, subject: "Grüezi – Zugriffsrechte",
                                             body: "Zeile 1\n.Zeile mit Punkt\nEnde", now: t.clock.now())
                }
                let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, username: nil, password: nil, security: .none,
                                                                         from: "noreply@partnerhub.test"))
                let worker = OutboxWorker(client: client, clock: t.clock)
                let sent = try await worker.deliverDue(store: t.store)
                #expect(sent == 2)
                #expect(try await worker.deliverDue(store: t.store) == 0)  // nothing is sent twice
                let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
                #expect(files.count == 2)
                let messages = try files.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
                let german = try #require(messages.first { $0.contains("=?UTF-8?B?") })
                #expect(german.contains("Content-Type: text/plain; charset=utf-8"))
                #expect(german.contains("\r\n.Zeile mit Punkt") || german.contains("\n.Zeile mit Punkt"))  // dot-stuffing undone by the server
                #expect(messages.contains { $0.contains("To: <anna@example.ch>") && $0.contains("Subject: Welcome to PartnerHub") })
                #expect(try await t.store.outbox().allSatisfy { $0.sentAt != nil })
            }
        }
    }

    @Test("R-H1 a subject holding line breaks writes no header of its own: the received message has exactly the headers meant",
          .enabled(if: aiosmtpdAvailable, "needs Python with aiosmtpd (pip install aiosmtpd; SMTP_TEST_PYTHON)"))
    func headersStayHeaders() async throws {
        try await TestApp.with { t in
            try await withSink() { port, directory in
                // Stored text can predate today's checks: the mail writer must hold on its own.
                let subjects = ["Offer for \"Shop\"\r\nBcc: victim@example.ch\r\nX-Injected: yes", "Grüezi\nReply-To: evil@example.ch",
                                String(repeating: "Zugriffsrechte für Bäckerei Huber – ", count: 6) + "\r\n\r\nbody?"]
                try await t.store.write { tx in
                    for subject in subjects {
                        try await tx.enqueueMail(to: EmailAddress("hans@example.ch")!, subject: subject, body: "Line 1\r\n.\r\nLine 3\rLine 4", now: t.clock.now())
                    }
                }
                let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, username: nil, password: nil, security: .none,
                                                                         from: "noreply@partnerhub.test"))
                #expect(try await OutboxWorker(client: client, clock: t.clock).deliverDue(store: t.store) == subjects.count)
                let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
                #expect(files.count == subjects.count)
                var received: [String] = []
                for file in files {
                    let raw = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                    let head = String(raw[..<(raw.range(of: "\r\n\r\n")?.lowerBound ?? raw.endIndex)])
                    // Unfold continuation lines, then every line is one header.
                    let lines = head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
                    let names = lines.map { String($0.prefix { $0 != ":" }) }
                    #expect(names == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"], "\(names)")
                    let subject = String(lines.first { $0.hasPrefix("Subject: ") }?.dropFirst(9) ?? "")
                    received.append(Self.decodeEncodedWords(subject))
                    // The body's lone CR and the lone dot cannot end the message early.
                    #expect(raw.contains("Line 3\r\nLine 4"))
                }
                // What was meant, with the line breaks as spaces.
                #expect(Set(received) == Set(subjects.map { $0.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }),
                        "\(received)")
            }
        }
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words (and plain text) back to text, for the assertion.
    static func decodeEncodedWords(_ value: String) -> String {
        value.components(separatedBy: " ").map { word in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                  let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return word + " " }
            return String(decoding: data, as: UTF8.self)
        }.joined().trimmingCharacters(in: .whitespaces)
    }

    @Test("R-N1 when the server cannot be reached, the message stays, counted, with the next try backed off")
    func failureKeepsMessage() async throws {
        try await TestApp.with { t in
            try await t.store.write { tx in try await tx.enqueueMail(to: EmailAddress("anna@example.ch")!, subject: "S", body: "B", now: t.clock.now()) }
            // Port 9 on loopback: nothing listens there.
            let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: 9, username: nil, password: nil, security: .none, from: "n@p.test"))
            let worker = OutboxWorker(client: client, clock: t.clock)
            #expect(try await worker.deliverDue(store: t.store) == 0)
            let message = try #require(try await t.store.outbox().first)
            #expect(message.sentAt == nil)
            let state = try await t.store.mailAttempts(message.id)
            #expect(state.attempts == 1 && state.lastError?.contains("cannot connect") == true)
            #expect(state.nextAttemptAt == t.clock.now().addingTimeInterval(30))
            // Not due yet: the next pass leaves it alone; after the backoff it is tried again.
            #expect(try await worker.deliverDue(store: t.store) == 0)
            #expect(try await t.store.mailAttempts(message.id).attempts == 1)
            t.clock.advance(31)
            _ = try await worker.deliverDue(store: t.store)
            #expect(try await t.store.mailAttempts(message.id).attempts == 2)
        }
    }

    @Test("R-N1 STARTTLS: the login and the message cross only the encrypted session",
          .enabled(if: aiosmtpdAvailable && opensslAvailable, "needs Python with aiosmtpd and the openssl command"))
    func startTLS() async throws {
        let (cert, key) = try makeCertificate()
        try await withSink(tls: (cert, key)) { port, directory in
            let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, username: "mailer", password: "secret", security: .startTLS,
                                                  from: "noreply@partnerhub.test", caFile: cert)
            try await SMTPClient(configuration: configuration).send(to: "anna@example.ch", subject: "Hallo", body: "Verschlüsselt", messageID: "m1", date: Date())
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("1.json"))) as! [String: Any]
            #expect(envelope["tls"] as? Bool == true)
            #expect(envelope["login"] as? String == "mailer")
            #expect(envelope["to"] as? [String] == ["anna@example.ch"])
        }
    }

    @Test("R-N1 STARTTLS: a certificate nobody vouches for stops the message before the login is sent",
          .enabled(if: aiosmtpdAvailable && opensslAvailable, "needs Python with aiosmtpd and the openssl command"))
    func untrustedCertificate() async throws {
        let (cert, key) = try makeCertificate()
        try await withSink(tls: (cert, key)) { port, directory in
            // System trust roots only: the self-signed certificate is not trusted.
            let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, username: "mailer", password: "secret", security: .startTLS,
                                                  from: "noreply@partnerhub.test")
            do {
                try await SMTPClient(configuration: configuration).send(to: "anna@example.ch", subject: "S", body: "B", messageID: "m2", date: Date())
                Issue.record("sent to an untrusted server")
            } catch {
                #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("1.json").path))
        }
    }

    @Test("R-N1 STARTTLS required but not offered: nothing is sent in plain text",
          .enabled(if: aiosmtpdAvailable, "needs Python with aiosmtpd (pip install aiosmtpd; SMTP_TEST_PYTHON)"))
    func startTLSNotOffered() async throws {
        try await withSink() { port, directory in
            let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, username: nil, password: nil, security: .startTLS, from: "n@p.test")
            do {
                try await SMTPClient(configuration: configuration).send(to: "anna@example.ch", subject: "S", body: "B", messageID: "m3", date: Date())
                Issue.record("sent without STARTTLS")
            } catch {
                #expect(String(describing: error).contains("does not offer STARTTLS"))
            }
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("1.json").path))
        }
    }

    @Test("A password is never sent in clear text to another host")
    func noClearTextPassword() async throws {
        let remote = SMTPConfiguration(host: "mail.example.ch", port: 25, username: "u", password: "p", security: .none, from: "n@p.test")
        #expect(remote.sendsPasswordInClear)
        #expect(!SMTPConfiguration(host: "127.0.0.1", port: 25, username: "u", password: "p", security: .none, from: "n@p.test").sendsPasswordInClear)
        #expect(!SMTPConfiguration(host: "mail.example.ch", port: 587, username: "u", password: "p", security: .startTLS, from: "n@p.test").sendsPasswordInClear)
        do {
            try await SMTPClient(configuration: remote).send(to: "a@example.ch", subject: "S", body: "B", messageID: "m4", date: Date())
            Issue.record("a clear-text login was attempted")
        } catch {
            #expect(String(describing: error).contains("refusing to send the SMTP password unencrypted"))
        }
    }

    @Test("Backoff doubles from 30 seconds up to an hour")
    func backoff() {
        #expect((1...9).map { OutboxWorker.backoff(attempt: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
    }

    @Test("SMTP_URL parses host, port, login and sender")
    func parseURL() {
        #expect(SMTPConfiguration.parse("smtp://user%40x:p%3Ass@mail.example.ch:2525?from=noreply@example.ch")
                == SMTPConfiguration(host: "mail.example.ch", port: 2525, username: "user@x", password: "p:ss", security: .none, from: "noreply@example.ch"))
        #expect(SMTPConfiguration.parse("http://example.ch") == nil)
        #expect(SMTPConfiguration.parse("smtp://relay")?.port == 25)
        #expect(SMTPConfiguration.parse("smtp://u:p@mail.example.ch:587?starttls=1&ca_file=/etc/ca.pem")
                == SMTPConfiguration(host: "mail.example.ch", port: 587, username: "u", password: "p", security: .startTLS, from: "noreply@partnerhub.invalid", caFile: "/etc/ca.pem"))
        #expect(SMTPConfiguration.parse("smtps://mail.example.ch")?.security == .implicitTLS)
        #expect(SMTPConfiguration.parse("smtps://mail.example.ch")?.port == 465)
    }
}
