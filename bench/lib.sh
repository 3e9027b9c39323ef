# Shell helpers the load benchmarks share (source it; needs wrk, sqlite3, python3).
#
#   kefu_start BIN DIR ADDR LOG     starts `BIN serve` on DIR, sets KEFU_PID and KEFU_TOKEN
#                                   (a token of the demo's first admin), waits until it listens
#   kefu_wait_folded DIR            waits until the analytics folds have caught up (20 min max)
#   kefu_stop                       stops the server started by kefu_start
#   kefu_wrk_create ADDR SECONDS LABEL
#                                   the create load (wrk -t2 -c64, bench/wrk-create.lua);
#                                   prints "creates/s<TAB>p99 ms<TAB>errors"

KEFU_BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kefu_start() {
    local bin=$1 dir=$2 addr=$3 log=$4 email
    email=$(sqlite3 "$dir/kefu.db" "SELECT email FROM agents WHERE role = 'admin' ORDER BY id LIMIT 1")
    KEFU_TOKEN=$("$bin" --data-dir "$dir" admin create-token --email "$email")
    "$bin" --data-dir "$dir" serve --listen "$addr" >"$log" 2>&1 &
    KEFU_PID=$!
    # Whatever fails later, the server does not outlive the script.
    trap "kill $KEFU_PID 2>/dev/null || true" EXIT
    for _ in $(seq 1 240); do grep -q 'Kefu is listening on' "$log" && return 0; sleep 0.5; done
    echo "the server did not start, see $log" >&2
    kefu_stop
    return 1
}

kefu_stop() {
    kill -TERM "$KEFU_PID" 2>/dev/null || true
    wait "$KEFU_PID" 2>/dev/null || true
    trap - EXIT
}

# The first start after `kefu demo` folds the demo's whole history into the KPI rollups
# and the hot-topic counts (minutes on 1 M tickets); a load run in that window measures
# the fold. Each fold has a cursor: wait for the one further behind.
kefu_wait_folded() {
    local db="$1/kefu.db" behind=1
    [ -n "$(sqlite3 -cmd '.timeout 5000' "$db" "SELECT name FROM sqlite_master WHERE name = 'hot_topic_cursor'")" ] || return 0
    for _ in $(seq 1 1200); do
        behind=$(sqlite3 -cmd '.timeout 5000' "$db" "SELECT (SELECT COALESCE(MAX(id), 0) FROM ticket_events) - MIN(COALESCE((SELECT MAX(event_id) FROM analytics_cursor), 0), COALESCE((SELECT MAX(event_id) FROM hot_topic_cursor), 0))" || echo 1)
        [ "$behind" -le 0 ] && return 0
        sleep 1
    done
    echo "the analytics reactor did not catch up in 20 minutes ($behind events behind)" >&2
    return 1
}

kefu_wrk_create() {
    local addr=$1 seconds=$2 label=$3 out json
    out=$(cd "$KEFU_BENCH_DIR" && KEFU_BENCH_RUN="$label$(date +%s%N)" wrk -t2 -c64 -d"${seconds}s" \
        -H "Authorization: Bearer $KEFU_TOKEN" -s wrk-create.lua "http://$addr/api/v1/tickets")
    json=$(grep KEFU_WRK_JSON <<<"$out" | sed 's/^KEFU_WRK_JSON //')
    python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"{r['requests'] / r['duration_us'] * 1e6:,.0f}/s\tp99 {r['p99_us'] / 1000:.1f} ms\terrors {r['status_errors']}")
PY
}
