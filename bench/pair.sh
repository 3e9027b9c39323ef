#!/usr/bin/env bash
# Alternating create runs of two builds, each on its own demo database, so a noisy
# machine's drift hits both alike (BENCHMARKS.md, "create throughput").
#
#   bash bench/pair.sh BIN_A DIR_A BIN_B DIR_B [PAIRS] [SECONDS]
#
# BIN_*: a `kefu` release binary; DIR_*: its data directory, filled beforehand with
# `BIN --data-dir DIR demo --tickets 1000000` (and, for a build with search, started once
# until its log says "search index built"). Each run starts the server fresh on
# 127.0.0.1:18080, waits until the analytics reactor (where there is one) has folded every
# event, then 3 s, runs `wrk -t2 -c64` with bench/wrk-create.lua as the demo admin, and
# stops the server. Prints one line per run: label, creates per second, p99.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ADDR=127.0.0.1:18080
PAIRS=${5:-3}
SECONDS_EACH=${6:-15}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

run() {
    local bin=$1 dir=$2 label=$3 log pid email token
    log=$(mktemp)
    email=$(sqlite3 "$dir/kefu.db" "SELECT email FROM agents WHERE role = 'admin' ORDER BY id LIMIT 1")
    token=$("$bin" --data-dir "$dir" admin create-token --email "$email")
    "$bin" --data-dir "$dir" serve --listen "$ADDR" >"$log" 2>&1 &
    pid=$!
    # Whatever fails below, the server does not outlive the run.
    trap "kill $pid 2>/dev/null || true" EXIT
    for _ in $(seq 1 240); do grep -q 'Kefu is listening on' "$log" && break; sleep 0.5; done
    grep -q 'Kefu is listening on' "$log" || { kill "$pid"; echo "$label: server did not start, see $log" >&2; exit 1; }
    # A build with the analytics reactor folds the demo's history on its first start:
    # measure only once it has caught up, or the run measures that fold.
    # The KPI fold and the hot-topic count have a cursor each: wait for the one behind.
    if [ -n "$(sqlite3 -cmd '.timeout 5000' "$dir/kefu.db" "SELECT name FROM sqlite_master WHERE name = 'hot_topic_cursor'")" ]; then
        local behind=1
        for _ in $(seq 1 1200); do
            behind=$(sqlite3 -cmd '.timeout 5000' "$dir/kefu.db" "SELECT (SELECT COALESCE(MAX(id), 0) FROM ticket_events) - MIN(COALESCE((SELECT MAX(event_id) FROM analytics_cursor), 0), COALESCE((SELECT MAX(event_id) FROM hot_topic_cursor), 0))" || echo 1)
            [ "$behind" -le 0 ] && break
            sleep 1
        done
        [ "$behind" -le 0 ] || { kill "$pid"; echo "$label: the analytics reactor did not catch up in 20 minutes ($behind events behind)" >&2; exit 1; }
    fi
    sleep 3
    local out
    out=$(cd "$BENCH_DIR" && KEFU_BENCH_RUN="$label$(date +%s%N)" wrk -t2 -c64 -d"${SECONDS_EACH}s" \
        -H "Authorization: Bearer $token" -s wrk-create.lua "http://$ADDR/api/v1/tickets")
    kill -TERM "$pid"
    wait "$pid" || true
    trap - EXIT
    local json
    json=$(grep KEFU_WRK_JSON <<<"$out" | sed 's/^KEFU_WRK_JSON //')
    python3 - "$label" "$json" <<'PY'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
rate = r["requests"] / r["duration_us"] * 1e6
print(f"{label}\t{rate:,.0f}/s\tp99 {r['p99_us'] / 1000:.1f} ms\terrors {r['status_errors']}")
PY
    rm -f "$log"
}

for i in $(seq 1 "$PAIRS"); do
    run "$1" "$2" "a$i"
    run "$3" "$4" "b$i"
done
