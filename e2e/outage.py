"""R-R1 the database going away, under write load, with two instances on one PostgreSQL.

  python e2e/outage.py BASE_A BASE_B DEADLINE_SECONDS "restart command" "stop command" "start command"

Eight writers top up their own organisations' wallets (each top-up with its own Idempotency-Key),
alternating between the two instances, while PostgreSQL is restarted once and then stopped for
20 seconds. Checks:
- every request is answered within the deadline (plus 2 s of slack), none is left hanging;
- no answer is a 500: each one is 201, or 503 problem JSON with Retry-After;
- /health answers JSON 503 naming the database while it is gone, and 200 on both instances
  within 10 s after it is back;
- nothing acknowledged is lost or written twice: every 201's ledger entry is in the wallet's
  entries afterwards, each once (walked page by page).
Loopback only; bounded (about 40 s of load, 8 writers); stops by itself."""
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

A, B, DEADLINE = sys.argv[1], sys.argv[2], float(sys.argv[3])
RESTART, STOP, START = sys.argv[4], sys.argv[5], sys.argv[6]
for base in (A, B):
    assert base.startswith("http://127.0.0.1:"), "loopback only"
CARD = "4242424242424242"
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("ok - " if condition else "FAIL - ") + name + ("" if condition else f" {detail}"))
    if not condition:
        failures += 1


def call(base, method, path, token=None, body=None, headers=None, timeout=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout or DEADLINE + 10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read(), time.monotonic() - started
    except Exception as error:  # no answer at all (timeout, reset)
        return None, {}, str(error).encode(), time.monotonic() - started


def account(n):
    email = f"outage{n}-{uuid.uuid4().hex[:8]}@example.test"
    status, _, body, _ = call(A, "POST", "/api/v1/signup", body={"name": f"Writer {n}", "email": email, "password": "outage-password-2026",
                                                                 "organisation_name": f"Outage {n}", "country": "CH"})
    assert status == 202, (status, body)
    status, _, body, _ = call(A, "POST", "/api/v1/auth/tokens", body={"email": email, "password": "outage-password-2026", "name": "outage"})
    assert status == 201, (status, body)
    token = json.loads(body)["token"]
    status, _, body, _ = call(A, "GET", "/api/v1/organisations", token)
    return token, json.loads(body)[0]["organisation"]["id"]


writers = [account(n) for n in range(8)]
results = []  # (status, elapsed, headers, body, entry id)
health = []   # (phase, base, status, body)
lock = threading.Lock()
stop = threading.Event()
phase = ["before"]


def write(index):
    token, org = writers[index]
    n = 0
    while not stop.is_set():
        base = A if n % 2 == 0 else B
        n += 1
        status, headers, body, elapsed = call(base, "POST", f"/api/v1/organisations/{org}/wallet/top-ups", token,
                                              {"amount": "1.00", "card_number": CARD}, {"Idempotency-Key": str(uuid.uuid4())})
        entry = json.loads(body).get("id") if status == 201 else None
        with lock:
            results.append((status, elapsed, headers, body, entry, org))
        time.sleep(0.05)


def watch():
    while not stop.is_set():
        for base in (A, B):
            status, headers, body, _ = call(base, "GET", "/health", timeout=DEADLINE + 10)
            with lock:
                health.append((phase[0], base, status, headers.get("content-type", ""), body))
        time.sleep(0.5)


threads = [threading.Thread(target=write, args=(i,)) for i in range(len(writers))] + [threading.Thread(target=watch)]
for thread in threads:
    thread.start()
time.sleep(4)
phase[0] = "restart"
subprocess.run(RESTART, shell=True, check=True)
time.sleep(4)
phase[0] = "stopped"
subprocess.run(STOP, shell=True, check=True)
time.sleep(20)
phase[0] = "starting"
subprocess.run(START, shell=True, check=True)
phase[0] = "after"
time.sleep(6)
stop.set()
for thread in threads:
    thread.join(timeout=DEADLINE + 15)

# Both instances back by themselves.
back = {}
for base in (A, B):
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if call(base, "GET", "/health", timeout=5)[0] == 200:
            back[base] = time.monotonic() - started
            break
        time.sleep(0.2)
check("both instances answer /health 200 within 10 s after the database is back", len(back) == 2, str(back))

statuses = {}
for status, *_ in results:
    statuses[status] = statuses.get(status, 0) + 1
unanswered = [r for r in results if r[0] is None]
slowest = max(r[1] for r in results)
check("every request was answered", not unanswered, f"{len(unanswered)} without an answer, e.g. {unanswered[:1]}")
check(f"every answer came within the deadline of {DEADLINE:g} s (+2 s)", slowest <= DEADLINE + 2, f"slowest {slowest:.1f} s")
check("no 500: every answer is 201 or 503", set(statuses) <= {201, 503}, str(statuses))
bad503 = [r for r in results if r[0] == 503 and ("retry-after" not in r[2] or "problem+json" not in r[2].get("content-type", ""))]
check("every 503 is problem JSON with Retry-After", not bad503, str(bad503[:1]))
stopped = [h for h in health if h[0] == "stopped"]
check("/health answered JSON 503 naming the database while it was stopped",
      stopped and any(h[2] == 503 and "json" in h[3] and b"database" in h[4] for h in stopped) and all(h[2] in (200, 503) for h in stopped),
      str(stopped[:2]))

# Nothing acknowledged lost or doubled: each 201's entry, once, in its wallet's entries.
lost = 0
doubled = 0
for token, org in writers:
    seen = []
    url = f"/api/v1/organisations/{org}/wallet/entries?limit=500"
    while url:
        status, headers, body, _ = call(A, "GET", url, token)
        assert status == 200, (status, body)
        seen += [entry["id"] for entry in json.loads(body)]
        link = headers.get("link", "")
        url = link[1:link.index(">")] if link.endswith('rel="next"') else None
    doubled += len(seen) - len(set(seen))
    acknowledged = {r[4] for r in results if r[5] == org and r[4]}
    lost += len(acknowledged - set(seen))
check("every acknowledged top-up is in the ledger, none twice", lost == 0 and doubled == 0, f"lost {lost}, doubled {doubled}")

print(f"outage: {len(results)} requests ({statuses.get(201, 0)} written, {statuses.get(503, 0)} answered 503), slowest answer {slowest:.1f} s, "
      f"back after {max(back.values()) if back else float('nan'):.1f} s, {lost} lost; {failures} failed")
sys.exit(1 if failures else 0)
