"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd from PyPI): every accepted message is
written to DIR as N.eml with its envelope in N.json. It stops by itself when its standard input
closes (the test that started it is done or gone) or after 120 seconds, whichever comes first.

Usage: python e2e/smtp_sink.py PORT DIR
"""
import json
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller

PORT, DIRECTORY = int(sys.argv[1]), sys.argv[2]
os.makedirs(DIRECTORY, exist_ok=True)


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        base = os.path.join(DIRECTORY, str(Sink.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        return "250 OK"


def stop_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


controller = Controller(Sink(), hostname="127.0.0.1", port=PORT)
controller.start()
threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
print("ready", flush=True)
time.sleep(120)
os._exit(0)
