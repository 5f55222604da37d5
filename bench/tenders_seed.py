"""Seeds the tender benchmark straight into the database: N approved partners, each with a legal
representative and a subscription that matches the benchmark's tender (website creation, Zurich,
German). Encodings as the app's: on SQLite upper-case UUID text and seconds since 1970.

  python bench/tenders_seed.py DB N      (DB: a SQLite path or a postgres:// URL)
"""
import subprocess
import sys
import time
import uuid


def seed(db, n):
    now = time.time()
    rows = []
    for i in range(n):
        rows.append((str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), i))
    if db.startswith("postgres"):
        script = ["BEGIN;"]
        for org, user, membership, subscription, i in rows:
            script.append(f"INSERT INTO organisations (id, name, country, currency, created_at, partner_approved_at) VALUES ('{org}', 'Bench partner {i}', 'CH', 'CHF', now(), now());")
            script.append(f"INSERT INTO users (id, email, name, password_hash, support_code, created_at) VALUES ('{user}', 'rep{i}@bench.test', 'Rep {i}', 'x', '{70000000 + i}', now());")
            script.append(f"INSERT INTO memberships (id, organisation_id, user_id, role, created_at) VALUES ('{membership}', '{org}', '{user}', 'legal_representative', now());")
            script.append(f"INSERT INTO tender_subscriptions (id, organisation_id, categories, regions, languages, updated_at) VALUES ('{subscription}', '{org}', 'website-creation', 'ch-zurich', 'de', now());")
        script.append("COMMIT;")
        subprocess.run(["psql", db, "-q", "-v", "ON_ERROR_STOP=1"], input="\n".join(script).encode(), check=True, stdout=subprocess.DEVNULL)
        return
    import sqlite3
    connection = sqlite3.connect(db, timeout=60)
    up = lambda r: tuple(x.upper() if isinstance(x, str) else x for x in r)
    connection.executemany("INSERT INTO organisations (id, name, country, currency, created_at, partner_approved_at) VALUES (?, ?, 'CH', 'CHF', ?, ?)",
                           ((o.upper(), f"Bench partner {i}", now, now) for o, _, _, _, i in rows))
    connection.executemany("INSERT INTO users (id, email, name, password_hash, support_code, created_at) VALUES (?, ?, ?, 'x', ?, ?)",
                           ((u.upper(), f"rep{i}@bench.test", f"Rep {i}", str(70000000 + i), now) for _, u, _, _, i in rows))
    connection.executemany("INSERT INTO memberships (id, organisation_id, user_id, role, created_at) VALUES (?, ?, ?, 'legal_representative', ?)",
                           ((m.upper(), o.upper(), u.upper(), now) for o, u, m, _, _ in rows))
    connection.executemany("INSERT INTO tender_subscriptions (id, organisation_id, categories, regions, languages, updated_at) "
                           "VALUES (?, ?, 'website-creation', 'ch-zurich', 'de', ?)", ((s.upper(), o.upper(), now) for o, _, _, s, _ in rows))
    connection.commit()


if __name__ == "__main__":
    seed(sys.argv[1], int(sys.argv[2]))
