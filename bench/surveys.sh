#!/usr/bin/env bash
# Satisfaction report benchmark (issue 7): demo data plus SURVEY_ANSWERS answers spread
# over two years (the five-dimension survey and CSAT), then report latency for slices:
# periods of 30 days to two years, sliced by team, agent and channel, filtered to one
# team, through GET /api/v1/survey-reports/{design}. Run from anywhere:
# `bash bench/surveys.sh`.
#
# Knobs: SURVEY_ANSWERS=2000000 DEMO_TICKETS=100000 REQUESTS=100 SKIP_BUILD=1 FRESH=1
# KEFU=path/to/kefu (default: target/release/kefu)
# REPORT_TO=2026-12-06T23:30:00Z ends every period at that instant instead of now (what a
# report counts at its edges depends on the time of day its period ends).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
KEFU=${KEFU:-$ROOT/target/release/kefu}
DATA="$BENCH_DIR/out/surveys"
export ADDR=127.0.0.1:18083
SURVEY_ANSWERS=${SURVEY_ANSWERS:-2000000}
DEMO_TICKETS=${DEMO_TICKETS:-100000}

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
  log "filling $DEMO_TICKETS demo tickets and $SURVEY_ANSWERS survey answers"
  /usr/bin/time -f "demo: %e s, peak RSS %M KiB" "$KEFU" --data-dir "$DATA" demo --tickets "$DEMO_TICKETS" \
    --survey-answers "$SURVEY_ANSWERS" 2>&1 | tail -n 3
fi
echo "database size: $(du -sh "$DATA/kefu.db" | cut -f1)"

TOKEN=$("$KEFU" --data-dir "$DATA" admin create-token --email admin@kefu.demo)
export TOKEN
"$KEFU" --data-dir "$DATA" serve --listen "$ADDR" > "$BENCH_DIR/out/surveys-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://$ADDR/healthz" > /dev/null && break; sleep 0.2; done
python3 "$BENCH_DIR/surveys.py"
