"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd from PyPI): every accepted message is
written to DIR as N.eml with its envelope in N.json (sender, recipients, whether the session was
encrypted, who logged in). It stops by itself when its standard input closes (the test that
started it is done or gone) or after 600 seconds, whichever comes first.

Usage: python e2e/smtp_sink.py PORT DIR [CERT KEY]   (PORT 0: a free one, printed as "ready PORT")
With CERT and KEY the server offers STARTTLS, requires it, and requires AUTH PLAIN/LOGIN as
user "mailer" with password "secret" over the encrypted session.
"""
import json
import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

PORT, DIRECTORY = int(sys.argv[1]), sys.argv[2]
if PORT == 0:  # a port the system has just handed out and nobody holds
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        PORT = probe.getsockname()[1]
TLS = sys.argv[3:5] if len(sys.argv) >= 5 else None
os.makedirs(DIRECTORY, exist_ok=True)


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        base = os.path.join(DIRECTORY, str(Sink.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        login = session.auth_data.login.decode() if session.auth_data and hasattr(session.auth_data, "login") else None
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None, "login": login}, f)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"secret"
    return AuthResult(success=ok, auth_data=auth_data if ok else None)


def stop_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


if TLS:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS[0], TLS[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=PORT, tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_required=True)
else:
    controller = Controller(Sink(), hostname="127.0.0.1", port=PORT)
controller.start()
threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
print(f"ready {PORT}", flush=True)
time.sleep(600)
os._exit(0)
