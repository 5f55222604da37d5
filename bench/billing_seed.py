"""Seeds what the billing benchmark needs, fast, straight into the database (the app's own flows
would take hours for a million rows). Values follow the app's encodings: on SQLite UUIDs as
upper-case text and times as seconds since 1970; on PostgreSQL native uuid and timestamptz.

  python bench/billing_seed.py signup BASE EMAIL            -> prints "ORG_ID TOKEN"
  python bench/billing_seed.py ledger DB ORG N              -> N wallet entries for ORG
  python bench/billing_seed.py products DB ORG N            -> N VPS due now, and a wallet that pays them
DB is a SQLite path or a postgres:// URL.
"""
import json
import subprocess
import sys
import time
import urllib.request
import uuid


def call(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode())


def signup(base, email):
    # Sign-up answers alike for every address (R-H1): the organisation's id comes after signing in.
    call(base, "POST", "/api/v1/signup", body={"name": "Bench", "email": email, "password": "bench-password-1",
                                               "organisation_name": "Bench " + email, "country": "CH"})
    token = call(base, "POST", "/api/v1/auth/tokens", body={"email": email, "password": "bench-password-1", "name": "bench"})["token"]
    print(call(base, "GET", "/api/v1/organisations", token=token)[0]["organisation"]["id"], token)


def psql(url, script):
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", script], check=True)


def ledger(db, org, n):
    wallet = str(uuid.uuid4())
    if db.startswith("postgres"):
        psql(db, f"""
            INSERT INTO wallets (id, organisation_id, currency, balance) VALUES ('{wallet}', '{org}', 'CHF', {n * 100});
            INSERT INTO wallet_entries (id, wallet_id, organisation_id, currency, kind, amount, balance_after, idempotency_key, reference, description, created_at)
            SELECT gen_random_uuid(), '{wallet}', '{org}', 'CHF', 'top_up', 100, i * 100, 'bench-' || i, 'ref-' || i, 'Top-up by card',
                   now() - interval '1 second' * ({n} - i)
            FROM generate_series(1, {n}) AS i;""")
        return
    import sqlite3
    connection = sqlite3.connect(db, timeout=60)
    w = wallet.upper()
    now = time.time()
    connection.execute("INSERT INTO wallets (id, organisation_id, currency, balance) VALUES (?, ?, 'CHF', ?)", (w, org.upper(), n * 100))
    rows = ((str(uuid.uuid4()).upper(), w, org.upper(), "CHF", "top_up", 100, i * 100, f"bench-{i}", f"ref-{i}", "Top-up by card", now - (n - i))
            for i in range(1, n + 1))
    connection.executemany("INSERT INTO wallet_entries (id, wallet_id, organisation_id, currency, kind, amount, balance_after, idempotency_key, reference, description, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()


def products(db, org, n):
    # A VPS at CHF 25.00 + 8.1 % VAT (2.025 -> 2.03) = 27.03 each; the wallet holds exactly enough.
    balance = n * 2703
    wallet = str(uuid.uuid4())
    if db.startswith("postgres"):
        psql(db, f"""
            INSERT INTO wallets (id, organisation_id, currency, balance) VALUES ('{wallet}', '{org}', 'CHF', {balance});
            INSERT INTO wallet_entries (id, wallet_id, organisation_id, currency, kind, amount, balance_after, idempotency_key, reference, description, created_at)
            VALUES (gen_random_uuid(), '{wallet}', '{org}', 'CHF', 'top_up', {balance}, {balance}, 'bench-top-up', NULL, 'Top-up', now() - interval '40 days');
            INSERT INTO products (id, organisation_id, category, name, status, created_at, period, renews_at, payer_id)
            SELECT gen_random_uuid(), '{org}', 'vps', 'VPS ' || i, 'active', now() - interval '40 days', 'monthly', now() - interval '1 hour' - interval '1 second' * i, '{org}'
            FROM generate_series(1, {n}) AS i;""")
        return
    import sqlite3
    connection = sqlite3.connect(db, timeout=60)
    w, o = wallet.upper(), org.upper()
    now = time.time()
    connection.execute("INSERT INTO wallets (id, organisation_id, currency, balance) VALUES (?, ?, 'CHF', ?)", (w, o, balance))
    connection.execute("INSERT INTO wallet_entries (id, wallet_id, organisation_id, currency, kind, amount, balance_after, idempotency_key, reference, description, created_at) "
                       "VALUES (?, ?, ?, 'CHF', 'top_up', ?, ?, 'bench-top-up', NULL, 'Top-up', ?)", (str(uuid.uuid4()).upper(), w, o, balance, balance, now - 40 * 86400))
    connection.executemany("INSERT INTO products (id, organisation_id, category, name, status, created_at, period, renews_at, payer_id) VALUES (?, ?, 'vps', ?, 'active', ?, 'monthly', ?, ?)",
                           ((str(uuid.uuid4()).upper(), o, f"VPS {i}", now - 40 * 86400, now - 3600 - i, o) for i in range(1, n + 1)))
    connection.commit()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "signup":
        signup(sys.argv[2], sys.argv[3])
    elif command == "ledger":
        ledger(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "products":
        products(sys.argv[2], sys.argv[3], int(sys.argv[4]))
