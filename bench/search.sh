#!/usr/bin/env bash
# Search benchmark (issue 6): demo data of DEMO_TICKETS tickets (about 5 messages each)
# and the 313-article demo knowledge base; the time `kefu reindex` takes, the index size
# on disk, search latency for one- and two-word queries in both languages, freshness
# (time from a ticket's 201 to being findable) while other connections create tickets,
# and the server's peak resident memory. Run from anywhere: `bash bench/search.sh`.
#
# Knobs: DEMO_TICKETS=1000000 SEARCHES=2000 PROBES=100 CONNS=8 LOAD_SECONDS=30
#        SKIP_BUILD=1 FRESH=1 (fill the data dir again)
#        WRK=1 (the create load from wrk at 64 connections, as fast as the server goes,
#        instead of CONNS Python threads; needs wrk: apt-get install wrk)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
KEFU="$ROOT/target/release/kefu"
DATA="$BENCH_DIR/out/search"
export ADDR=127.0.0.1:18082
DEMO_TICKETS=${DEMO_TICKETS:-1000000}
if [ "${WRK:-0}" = 1 ] && ! command -v wrk > /dev/null; then
  echo "WRK=1 needs wrk: apt-get install wrk" >&2
  exit 1
fi

log() { printf '== %s\n' "$*" >&2; }
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; true; }
trap cleanup EXIT INT TERM

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the release binary"
  (cd "$ROOT" && cargo build --release -p kefu)
fi
if [ "${FRESH:-0}" = 1 ]; then rm -rf "$DATA"; fi
if [ ! -f "$DATA/kefu.db" ]; then
  log "filling $DEMO_TICKETS demo tickets"
  /usr/bin/time -f "demo: %e s, peak RSS %M KiB" "$KEFU" --data-dir "$DATA" demo --tickets "$DEMO_TICKETS" 2>&1 | tail -n 3
  # Otherwise the server's first start folds the whole history into the KPI rollups
  # while the searches are measured (about 1,000 events a second).
  log "building the KPI rollups"
  "$KEFU" --data-dir "$DATA" analytics rebuild 2>&1 | tail -n 1
fi
log "rebuilding the search index"
/usr/bin/time -f "reindex: %e s, peak RSS %M KiB" "$KEFU" --data-dir "$DATA" reindex 2>&1 | tail -n 2
echo "index size on disk: $(du -sh "$DATA/search" | cut -f1)"

TOKEN=$("$KEFU" --data-dir "$DATA" admin create-token --email admin@kefu.demo)
export TOKEN
"$KEFU" --data-dir "$DATA" serve --listen "$ADDR" > "$BENCH_DIR/out/search-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://$ADDR/healthz" > /dev/null && break; sleep 0.2; done
python3 "$BENCH_DIR/search.py" latency
if [ "${WRK:-0}" = 1 ]; then
  # The create load at full speed: wrk as in the foundation's benchmark, the probes alone
  # from Python.
  WRK_SECONDS=$(python3 -c "print(int(${LOAD_SECONDS:-30}) + 5)")
  KEFU_BENCH_RUN=$RANDOM wrk -t2 -c64 -d"${WRK_SECONDS}s" -s "$BENCH_DIR/wrk-create.lua" \
    -H "Authorization: Bearer $TOKEN" "http://$ADDR/api/v1/tickets" > "$BENCH_DIR/out/search-wrk.log" 2>&1 &
  WRK_PID=$!
  sleep 2
  CONNS=0 python3 "$BENCH_DIR/search.py" fresh
  wait "$WRK_PID"
  grep -E "requests in|Requests/sec|Non-2xx" "$BENCH_DIR/out/search-wrk.log"
else
  python3 "$BENCH_DIR/search.py" fresh
fi
echo "server peak RSS: $(grep VmHWM /proc/$SERVER_PID/status | awk '{print $2, $3}')"
