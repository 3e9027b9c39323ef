#!/usr/bin/env bash
# Analytics benchmark (issue 8): demo tickets (spread over the last 90 days), a full
# rebuild of the KPI rollups and hot-issue topic counts (time and peak memory), the forecast backtest, then the
# latency of KPI reports and the dashboard through the API. Run from anywhere:
# `bash bench/analytics.sh`.
#
# Knobs: DEMO_TICKETS=1000000 REQUESTS=50 SKIP_BUILD=1 FRESH=1
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
KEFU="$ROOT/target/release/kefu"
DATA="$BENCH_DIR/out/analytics"
export ADDR=127.0.0.1:18084
DEMO_TICKETS=${DEMO_TICKETS:-1000000}

log() { printf '== %s\n' "$*" >&2; }
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; true; }
trap cleanup EXIT INT TERM

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the release binary"
  (cd "$ROOT" && cargo build --release -p kefu)
fi
if [ "${FRESH:-0}" = 1 ]; then rm -rf "$DATA"; fi
mkdir -p "$BENCH_DIR/out"
if [ ! -f "$DATA/kefu.db" ]; then
  log "filling $DEMO_TICKETS demo tickets"
  /usr/bin/time -f "demo: %e s, peak RSS %M KiB" "$KEFU" --data-dir "$DATA" demo --tickets "$DEMO_TICKETS" 2>&1 | tail -n 3
fi
echo "events: $(sqlite3 "$DATA/kefu.db" 'SELECT COUNT(*) FROM ticket_events')"
log "rebuilding the KPI rollups"
/usr/bin/time -f "rebuild: %e s, peak RSS %M KiB" "$KEFU" --data-dir "$DATA" analytics rebuild 2>&1 | tail -n 2
echo "rollup rows: hourly $(sqlite3 "$DATA/kefu.db" 'SELECT COUNT(*) FROM kpi_hours'), daily $(sqlite3 "$DATA/kefu.db" 'SELECT COUNT(*) FROM kpi_days'), hot-issue topic hours $(sqlite3 "$DATA/kefu.db" 'SELECT COUNT(*) FROM hot_topic_hours')"
log "forecast backtest (all channels, then chat)"
"$KEFU" --data-dir "$DATA" analytics backtest --origins 6
"$KEFU" --data-dir "$DATA" analytics backtest --origins 6 --channel chat

TOKEN=$("$KEFU" --data-dir "$DATA" admin create-token --email admin@kefu.demo)
export TOKEN
"$KEFU" --data-dir "$DATA" serve --listen "$ADDR" > "$BENCH_DIR/out/analytics-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://$ADDR/healthz" > /dev/null && break; sleep 0.2; done
python3 "$BENCH_DIR/analytics.py"
