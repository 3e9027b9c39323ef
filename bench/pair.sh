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
source "$(dirname "$0")/lib.sh"
ADDR=127.0.0.1:18080
PAIRS=${5:-3}
SECONDS_EACH=${6:-15}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

run() {
    local bin=$1 dir=$2 label=$3 log
    log=$(mktemp)
    kefu_start "$bin" "$dir" "$ADDR" "$log" || exit 1
    kefu_wait_folded "$dir" || { kefu_stop; exit 1; }
    sleep 3
    printf '%s\t%s\n' "$label" "$(kefu_wrk_create "$ADDR" "$SECONDS_EACH" "$label")"
    kefu_stop
    rm -f "$log"
}

for i in $(seq 1 "$PAIRS"); do
    run "$1" "$2" "a$i"
    run "$3" "$4" "b$i"
done
