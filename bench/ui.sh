#!/usr/bin/env bash
# Web UI page benchmark (issue 5): server-side render time of the agent's main pages at
# DEMO_TICKETS tickets, signed in as the demo admin (a supervisor sees every ticket, the
# widest lists). Run from anywhere: `bash bench/ui.sh`.
#
#   1. `cargo build --release -p kefu` (skip with SKIP_BUILD=1); wrk from Debian if missing.
#   2. `kefu demo --tickets $DEMO_TICKETS` into bench/out/ui/ (kept between runs; FRESH=1
#      fills it again).
#   3. `kefu serve` on 127.0.0.1:18081; signs in through the sign-in form (a real session
#      cookie); picks the customer with the most tickets and their newest ticket, and
#      brings that ticket to 50 messages through the API.
#   4. For each page, wrk at $CONNS connections for $DURATION s: the inbox (all open
#      tickets, newest activity first), the unassigned queue, the ticket page with 50
#      messages, the customer page. Prints a Markdown table; raw reports in bench/out/ui-logs/.
#
# Knobs: DEMO_TICKETS=1000000 DURATION=20 CONNS=16 SKIP_BUILD=1 FRESH=1

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
KEFU="$ROOT/target/release/kefu"
DATA="$BENCH_DIR/out/ui"
LOGS="$BENCH_DIR/out/ui-logs"
ADDR=127.0.0.1:18081
BASE="http://$ADDR"
DEMO_TICKETS=${DEMO_TICKETS:-1000000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
ADMIN_EMAIL=admin@kefu.demo
ADMIN_PASSWORD=kefu-demo-admin

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/ui.sh: %s\n' "$*" >&2; exit 1; }

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; true; }
trap cleanup EXIT INT TERM

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building (release)"
    (cd "$ROOT" && cargo build --release -p kefu)
fi
[ -x "$KEFU" ] || die "$KEFU is missing (build it, or drop SKIP_BUILD)"
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
mkdir -p "$LOGS"

if [ "${FRESH:-0}" = 1 ] || [ ! -f "$DATA/kefu.db" ]; then
    rm -rf "$DATA"
    log "demo fill: $DEMO_TICKETS tickets"
    "$KEFU" --data-dir "$DATA" demo --tickets "$DEMO_TICKETS" >"$LOGS/demo.log" 2>&1
fi

if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then die "something already answers on $ADDR"; fi
"$KEFU" --data-dir "$DATA" serve --listen "$ADDR" >"$LOGS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 2 "$BASE/healthz" && break; sleep 0.2; done
curl -sf --max-time 5 "$BASE/healthz" >/dev/null || die "the server did not start; see $LOGS/server.log"

TOKEN=$("$KEFU" --data-dir "$DATA" admin create-token --email "$ADMIN_EMAIL")
SESSION=$(curl -s -i --max-time 10 -X POST "$BASE/login" \
    --data-urlencode "email=$ADMIN_EMAIL" --data-urlencode "password=$ADMIN_PASSWORD" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(kefu_session=[^;]*\).*/\1/p')
[ -n "$SESSION" ] || die "signing in as $ADMIN_EMAIL failed"

read -r _ _ _ CUSTOMER _ < <(python3 "$BENCH_DIR/helper.py" targets "$DATA/kefu.db")
NUMBER=$(curl -sf --max-time 10 "$BASE/api/v1/customers/$CUSTOMER/tickets?limit=1" -H "Authorization: Bearer $TOKEN" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["number"])')
HAVE=$(curl -sf --max-time 10 "$BASE/api/v1/tickets/$NUMBER" -H "Authorization: Bearer $TOKEN" \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
log "customer $CUSTOMER, ticket #$NUMBER has $HAVE messages; bringing it to 50"
for i in $(seq $((HAVE + 1)) 50); do
    kind=reply; [ $((i % 3)) = 0 ] && kind=note; [ $((i % 3)) = 1 ] && kind=customer
    curl -sf --max-time 10 -o /dev/null -X POST "$BASE/api/v1/tickets/$NUMBER/messages" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"kind\":\"$kind\",\"body\":\"第 $i 条消息：**已核实**订单信息，message $i with some _Markdown_.\"}"
done

echo "| page | requests/s | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|"
for spec in "inbox, all open|/inbox?view=all" "inbox, unassigned|/inbox?view=unassigned" \
            "ticket page, 50 messages|/tickets/$NUMBER" "customer page|/customers/$CUSTOMER"; do
    name=${spec%%|*}; path=${spec#*|}
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Cookie: $SESSION" "$BASE$path")
    [ "$status" = 200 ] || die "GET $path answered $status"
    report="$LOGS/$(echo "$name" | tr -c 'a-z0-9' '_').txt"
    wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$BENCH_DIR/wrk-report.lua" -H "Cookie: $SESSION" "$BASE$path" >"$report"
    python3 - "$name" "$report" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
line = next(l for l in open(path) if l.startswith("KEFU_WRK_JSON "))
r = json.loads(line[len("KEFU_WRK_JSON "):])
errors = r["status_errors"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
rate = r["requests"] / (r["duration_us"] / 1e6)
print(f"| {name} | {rate:,.0f} | {r['p50_us'] / 1000:.2f} ms | {r['p99_us'] / 1000:.2f} ms | {errors} / {r['requests']} |")
PY
done
echo
echo "Machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u '+%Y-%m-%d %H:%M UTC'); $DEMO_TICKETS tickets; $CONNS connections, ${DURATION}s each."
