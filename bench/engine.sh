#!/usr/bin/env bash
# Issue 4's throughput target: the create load with the service engine idle and active, on
# the same binary and the same database, alternating (BENCHMARKS.md, "Service engine").
#
#   bash bench/engine.sh BIN DIR [ROUNDS] [SECONDS]
#
# BIN: a `kefu` release binary; DIR: its data directory, filled beforehand with
# `BIN --data-dir DIR demo --tickets 1000000` (and started once until its log says the
# search index was built). The first call adds 50 automation rules on `ticket_created`
# (`bench/service.py rules`). Then each round runs the create load twice, the server
# started fresh each time: "idle" with every SLA policy and rule switched off in the
# database while the server is stopped, "engine" with the seeded policies (every bench
# ticket gets clocks) and the 50 rules on. Prints one line per run: label, creates per
# second, p99. Leaves the policies and rules on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BIN=$1
DIR=$2
ROUNDS=${3:-6}
SECONDS_EACH=${4:-15}
ADDR=127.0.0.1:18080
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
LOG=$(mktemp)

switch() {
    sqlite3 -cmd '.timeout 5000' "$DIR/kefu.db" \
        "UPDATE sla_policies SET active = $1; UPDATE automation_rules SET active = $1;"
}

RULES=$(sqlite3 "$DIR/kefu.db" 'SELECT COUNT(*) FROM automation_rules')
if [ "$RULES" = 0 ]; then
    kefu_start "$BIN" "$DIR" "$ADDR" "$LOG"
    python3 "$KEFU_BENCH_DIR/service.py" rules "http://$ADDR" "$KEFU_TOKEN" 50
    kefu_stop
elif [ "$RULES" != 50 ]; then
    echo "expects a database with no automation rules (or the 50 of an earlier run), found $RULES" >&2
    exit 1
fi

run() {
    local state=$1 label=$2
    switch "$state"
    kefu_start "$BIN" "$DIR" "$ADDR" "$LOG"
    kefu_wait_folded "$DIR" || { kefu_stop; exit 1; }
    sleep 3
    printf '%s\t%s\n' "$label" "$(kefu_wrk_create "$ADDR" "$SECONDS_EACH" "$label")"
    kefu_stop
}

# The rounds in a subshell: however they end, the policies and rules are switched back on.
status=0
(
    for i in $(seq 1 "$ROUNDS"); do
        run 0 "idle$i"
        run 1 "engine$i"
    done
) || status=$?
switch 1
rm -f "$LOG"
exit "$status"
