#!/usr/bin/env bash
# Benchmark (issue #4), not part of CI: release build, loopback only.
#  1. CSV export of the wallet ledger: 10 rows, then 1,000,000 rows, through the API; rows/s and
#     the server's peak RSS (VmHWM) after each — the goal is ≥ 200k rows/s with at most +50 MB.
#  2. A renewal run over 100,000 due products with `partnerhub renew` — the goal is ≤ 60 s.
# SQLite by default; with DATABASE_URL (a fresh, empty database) the same on PostgreSQL.
#   bench/billing.sh [rows=1000000] [renewals=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RENEWALS=${2:-100000}
# SCRATCH: a second build folder (e.g. .build-release) so a debug build can go on in .build.
SCRATCH=${SCRATCH:-.build}
swift build -c release --scratch-path "$SCRATCH" --product partnerhub >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/partnerhub
WORK=$(mktemp -d)
export SQLITE_PATH="$WORK/bench.sqlite"
DB=${DATABASE_URL:-$SQLITE_PATH}
PORT=8093
(cd "$WORK" && exec "$BIN" serve --port $PORT > "$WORK/app.log" 2>&1) &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:$PORT/health >/dev/null 2>&1 && break; sleep 1; done
PID=$(pgrep -f "partnerhub serve --port $PORT" | head -1)
hwm() { awk '/VmHWM/ {print $2}' /proc/$PID/status; }
read SMALL SMALL_TOKEN < <(python3 bench/billing_seed.py signup http://127.0.0.1:$PORT small@bench.test)
read BIG BIG_TOKEN < <(python3 bench/billing_seed.py signup http://127.0.0.1:$PORT big@bench.test)
python3 bench/billing_seed.py ledger "$DB" "$SMALL" 10
echo "seeding $ROWS ledger rows…" >&2
python3 bench/billing_seed.py ledger "$DB" "$BIG" "$ROWS"
if [ -n "${DATABASE_URL:-}" ]; then
  # A million rows inserted in one go carry no hint bits yet: the first scan would set them on
  # every page (writing the table once more, ten times slower than a read). On a live database
  # autovacuum has done that long before anyone exports, so the benchmark does it too.
  psql "$DATABASE_URL" -q -c "VACUUM ANALYZE wallet_entries"
fi
export_once() {  # org token -> seconds lines
  local start end lines
  start=$(date +%s.%N)
  lines=$(curl -fsS -H "Authorization: Bearer $2" "http://127.0.0.1:$PORT/api/v1/organisations/$1/wallet/entries.csv" | wc -l)
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $lines"
}
read T10 L10 < <(export_once "$SMALL" "$SMALL_TOKEN")
HWM10=$(hwm)
read TBIG LBIG < <(export_once "$BIG" "$BIG_TOKEN")
HWMBIG=$(hwm)
python3 - "$T10" "$L10" "$HWM10" "$TBIG" "$LBIG" "$HWMBIG" <<'PY'
import sys
t10, l10, h10, tb, lb, hb = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"export {l10 - 1:>9} rows: {t10:6.2f} s, peak RSS {h10 / 1024:7.1f} MB")
print(f"export {lb - 1:>9} rows: {tb:6.2f} s, {(lb - 1) / tb:,.0f} rows/s, peak RSS {hb / 1024:7.1f} MB (+{(hb - h10) / 1024:.1f} MB)")
PY
kill $APP; wait $APP 2>/dev/null || true
read RENEWER _ < <(cd "$WORK" && (exec "$BIN" serve --port $PORT > "$WORK/app2.log" 2>&1 &) ; for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:$PORT/health >/dev/null 2>&1 && break; sleep 1; done; python3 "$OLDPWD/bench/billing_seed.py" signup http://127.0.0.1:$PORT renew@bench.test)
pkill -f "partnerhub serve --port $PORT" || true
sleep 1
echo "seeding $RENEWALS due products…" >&2
python3 bench/billing_seed.py products "$DB" "$RENEWER" "$RENEWALS"
START=$(date +%s.%N)
(cd "$WORK" && "$BIN" renew 2>/dev/null | tail -1)
END=$(date +%s.%N)
echo "renewal of $RENEWALS products: $(echo "$END - $START" | bc) s"
(cd "$WORK" && "$BIN" verify-ledger | tail -1)
