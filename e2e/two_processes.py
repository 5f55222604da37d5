"""R-B5/R-B6 across two operating-system processes: two `partnerhub serve` processes on one
PostgreSQL database (the demo world), 200 concurrent partner-paid VPS orders against a wallet
that covers exactly 100, half sent to each process.

  python e2e/two_processes.py BASE_A BASE_B DATABASE_URL

Checks: exactly 100 orders created, the other 100 refused with 409 insufficient_funds, the
wallet ends at 0.00, and the 100 new invoice numbers are the next 100 of the year (no gaps).
Loopback only; bounded (200 requests, 60 s timeout each); stops by itself."""
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request

A, B, DATABASE_URL = sys.argv[1], sys.argv[2], sys.argv[3]
for base in (A, B):
    assert base.startswith("http://127.0.0.1:"), "loopback only"
failures = 0
passed = 0


def check(name, condition, detail=""):
    global failures, passed
    print(("ok - " if condition else "FAIL - ") + name + ("" if condition else f" {detail}"))
    if condition:
        passed += 1
    else:
        failures += 1


def call(base, method, path, token=None, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read().decode() or "null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def psql(query):
    return subprocess.run(["psql", DATABASE_URL, "-At", "-c", query], check=True, capture_output=True, text=True).stdout.strip()


status, body = call(A, "POST", "/api/v1/auth/tokens", body={"email": "anna@alpenweb.demo", "password": "demo-password-2026", "name": "two-processes"})
token = body["token"]
status, memberships = call(A, "GET", "/api/v1/organisations", token)
alpenweb = next(m["organisation"]["id"] for m in memberships if m["organisation"]["name"] == "Alpenweb GmbH")
status, clients = call(A, "GET", f"/api/v1/organisations/{alpenweb}/clients", token)
keller = next(c for c in clients if c["counterpart_name"] == "Weingut Keller" and c["state"] == "active")
client = keller["client_id"]

line = {"lines": [{"category": "vps", "name": "VPS", "quantity": 1}]}
status, probe = call(A, "POST", f"/api/v1/organisations/{client}/quotes", token, line)
check("a VPS quote for the client in payment mode partner bills the partner", status == 201 and probe["payer"] == "partner", f"{status} {probe}")
price = probe["totals"]["total"]["minor_units"]
status, wallet = call(A, "GET", f"/api/v1/organisations/{alpenweb}/wallet", token)
balance = next((b["minor_units"] for b in wallet["balances"] if b["currency"] == "CHF"), 0)
needed = 100 * price - balance
check("the wallet holds less than 100 orders' worth before the top-up", needed > 0, f"balance {balance}, price {price}")
amount = f"{needed // 100}.{needed % 100:02d}"
status, _ = call(A, "POST", f"/api/v1/organisations/{alpenweb}/wallet/top-ups", token, {"amount": amount, "currency": "CHF", "card_number": "4242 4242 4242 4242"})
check("top-up to exactly 100 orders' worth", status == 201, status)

year = psql("SELECT to_char(now(), 'YYYY')")
last_before = int(psql(f"SELECT COALESCE(MAX(last), 0) FROM invoice_counters WHERE year = {year}"))
quotes = []
for _ in range(200):
    status, quote = call(A, "POST", f"/api/v1/organisations/{client}/quotes", token, line)
    quotes.append(quote["id"])

results = [None] * 200


def confirm(index):
    base = A if index % 2 == 0 else B
    results[index] = call(base, "POST", f"/api/v1/organisations/{client}/orders", token, {"quote_id": quotes[index], "payment_method": "wallet"})


threads = [threading.Thread(target=confirm, args=(i,)) for i in range(200)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)

created = [r for r in results if r and r[0] == 201]
refused = [r for r in results if r and r[0] != 201]
check("exactly 100 orders created across both processes", len(created) == 100, len(created))
check("both processes created orders", len([i for i, r in enumerate(results) if r and r[0] == 201 and i % 2 == 0]) > 0
      and len([i for i, r in enumerate(results) if r and r[0] == 201 and i % 2 == 1]) > 0)
check("the other 100 refused with 409 insufficient_funds", len(refused) == 100 and all(r[0] == 409 and "insufficient_funds" in json.dumps(r[1]) for r in refused),
      sorted({r[0] for r in refused}))
status, wallet = call(B, "GET", f"/api/v1/organisations/{alpenweb}/wallet", token)
check("the wallet ends at 0.00", next((b["minor_units"] for b in wallet["balances"] if b["currency"] == "CHF"), None) == 0, wallet)
numbers = sorted(int(n.split("-")[1]) for n in psql(
    f"SELECT number FROM invoices WHERE order_id IN (SELECT id FROM orders WHERE organisation_id = '{client}' AND created_at > now() - interval '10 minutes' AND payment_method = 'wallet' AND net > 0) AND number > '{year}-{last_before:06d}'").split())
check("the 100 new invoice numbers follow on without a gap", numbers == list(range(last_before + 1, last_before + 101)), numbers[:3] + numbers[-3:])
print(f"two processes: {passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
