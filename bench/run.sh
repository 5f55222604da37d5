#!/usr/bin/env bash
# Benchmark (issue #3): GET a partner's clients list as an employee with 50 clients, next to
# Vapor's own hello-world in the same run. Release build, wrk on loopback, SQLite.
#   bench/run.sh [connections=32] [seconds=10]
# Not part of CI. Needs: apt-get install -y wrk; the release build takes ~15 min cold.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_EACH=${2:-10}
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk"; exit 2; }
# SCRATCH: a second build folder (e.g. .build-release) so a debug build can go on in .build.
SCRATCH=${SCRATCH:-.build}
swift build -c release --scratch-path "$SCRATCH" --product partnerhub >/dev/null
swift build -c release --scratch-path "$SCRATCH" --product vapor-hello >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
WORK=$(mktemp -d)
(cd "$WORK" && SQLITE_PATH="$WORK/bench.sqlite" exec "$BIN/partnerhub" serve --demo --port 8090 > "$WORK/app.log" 2>&1) &
APP=$!
PORT=8091 "$BIN/vapor-hello" > "$WORK/hello.log" 2>&1 &
HELLO=$!
trap 'kill $APP $HELLO 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:8090/health >/dev/null 2>&1 && curl -fsS http://127.0.0.1:8091/hello >/dev/null 2>&1 && break; sleep 1; done
SEED=$(python3 bench/seed_clients.py http://127.0.0.1:8090 50)
PARTNER=$(echo "$SEED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["partner"])')
TOKEN=$(echo "$SEED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["employee_token"])')
COUNT=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:8090/api/v1/organisations/$PARTNER/clients" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "clients visible to the employee: $COUNT"

run() {  # name url [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -H "$3" "$2"); else out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "$2"); fi
  local rps p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf "%-42s %10s req/s   p99 %8s   non-2xx %s\n" "$1" "$rps" "$p99" "${non2xx:-0}" >&2
  echo "$rps"
}
HELLO_RPS=$(run "vapor hello-world" "http://127.0.0.1:8091/hello")
CLIENTS_RPS=$(run "GET clients list (employee, 50 clients)" "http://127.0.0.1:8090/api/v1/organisations/$PARTNER/clients" "Authorization: Bearer $TOKEN")
HEALTH_RPS=$(run "GET /health (one query)" "http://127.0.0.1:8090/health")
python3 - "$HELLO_RPS" "$CLIENTS_RPS" "$HEALTH_RPS" <<'PY'
import sys
hello, clients, health = (float(x) for x in sys.argv[1:])
print(f"ratio clients/hello: {clients / hello:.1%}   health/hello: {health / hello:.1%}")
PY
