#!/usr/bin/env bash
# Benchmark (issue #5), not part of CI: release build, loopback only.
# 10,000 subscribed partners; a visitor posts tenders through the API (the submission's own
# time next to Vapor's hello-world), then `partnerhub fan-out-tenders` matches and queues them
# (R-T2) — the goal is ≤ 2 s per tender, and a submission that does not wait for it. With wrk
# installed, the public directory's throughput next to hello-world's too.
# SQLite by default; with DATABASE_URL (a fresh, empty database) the same on PostgreSQL.
#   bench/tenders.sh [partners=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
PARTNERS=${1:-10000}
SCRATCH=${SCRATCH:-.build}
swift build -c release --scratch-path "$SCRATCH" --product partnerhub >/dev/null
swift build -c release --scratch-path "$SCRATCH" --product vapor-hello >/dev/null
BINDIR=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
BIN=$BINDIR/partnerhub
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
PORT=8095 "$BINDIR/vapor-hello" > "$WORK/hello.log" 2>&1 &
HELLO=$!
trap 'kill $APP $HELLO 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:$PORT/health >/dev/null 2>&1 && curl -fsS http://127.0.0.1:8095/hello >/dev/null 2>&1 && break; sleep 1; done
# The submission's latency next to Vapor's hello-world, both by curl in this run (R-T1 allows five
# submissions an hour from one address: five, the median of each).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
SUBMIT=$(for i in 1 2 3 4 5; do
  BODY='{"title":"Website for a joinery","description":"We need a new website with references and a contact form, and our mailboxes moved.","categories":["website-creation"],"region":"ch-zurich","language":"de","contact_name":"Bench Visitor","contact_email":"visitor'$i'@bench.test"}'
  curl -fsS -o /dev/null -w "%{time_total}\n" -X POST -H 'content-type: application/json' -d "$BODY" http://127.0.0.1:$PORT/api/v1/tenders
done | median)
HELLO_T=$(for i in 1 2 3 4 5; do curl -fsS -o /dev/null -w "%{time_total}\n" http://127.0.0.1:8095/hello; done | median)
python3 -c "import sys; s, h = float(sys.argv[1]), float(sys.argv[2]); print(f'submission through the API: {s * 1000:.1f} ms (median of 5), hello-world {h * 1000:.1f} ms: {s / h:.1f}x')" "$SUBMIT" "$HELLO_T"
if command -v wrk >/dev/null; then
  rps() { wrk -t2 -c16 -d5s "$1" | awk '/Requests\/sec/ {print $2}'; }
  H=$(rps http://127.0.0.1:8095/hello); D=$(rps "http://127.0.0.1:$PORT/api/v1/directory?region=ch-zurich")
  python3 -c "import sys; h, d = float(sys.argv[1]), float(sys.argv[2]); print(f'GET /api/v1/directory: {d:,.0f} req/s, hello-world {h:,.0f} req/s: {d / h:.1%}')" "$H" "$D"
fi
kill $APP $HELLO; wait $APP 2>/dev/null || true
(cd "$WORK" && "$BIN" fan-out-tenders)
