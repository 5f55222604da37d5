#!/usr/bin/env bash
# Benchmark (issue #5), not part of CI: release build, loopback only.
# 10,000 subscribed partners; a visitor posts one tender through the API (the submission's own
# time), then `partnerhub fan-out-tenders` matches and queues it (R-T2) — the goal is ≤ 2 s for
# the fan-out, and a submission that does not wait for it.
# SQLite by default; with DATABASE_URL (a fresh, empty database) the same on PostgreSQL.
#   bench/tenders.sh [partners=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
PARTNERS=${1:-10000}
SCRATCH=${SCRATCH:-.build}
swift build -c release --scratch-path "$SCRATCH" --product partnerhub >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/partnerhub
WORK=$(mktemp -d)
export SQLITE_PATH="$WORK/bench.sqlite"
DB=${DATABASE_URL:-$SQLITE_PATH}
(cd "$WORK" && "$BIN" migrate >/dev/null)
echo "seeding $PARTNERS subscribed partners…" >&2
python3 bench/tenders_seed.py "$DB" "$PARTNERS"
PORT=8094
# No background jobs here: `serve` would fan the tender out itself; the benchmark times it apart.
(cd "$WORK" && exec "$BIN" serve --port $PORT --no-background-jobs > "$WORK/app.log" 2>&1) &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:$PORT/health >/dev/null 2>&1 && break; sleep 1; done
BODY='{"title":"Website for a joinery","description":"We need a new website with references and a contact form, and our mailboxes moved.","categories":["website-creation"],"region":"ch-zurich","language":"de","contact_name":"Bench Visitor","contact_email":"visitor@bench.test"}'
curl -fsS -o /dev/null -w "submission through the API: %{time_total} s (HTTP %{http_code})\n" -X POST -H 'content-type: application/json' -d "$BODY" http://127.0.0.1:$PORT/api/v1/tenders
kill $APP; wait $APP 2>/dev/null || true
(cd "$WORK" && "$BIN" fan-out-tenders)
