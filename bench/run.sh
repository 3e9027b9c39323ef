#!/usr/bin/env bash
# Kefu load benchmark. Run from anywhere: `bash bench/run.sh` (see bench/README.md).
#
# What it does, in order (every scenario on a fresh data dir under bench/out/):
#   0. `cargo build --release` (skip with SKIP_BUILD=1), then makes sure a load generator
#      is there: oha (`cargo install oha --locked`), else Debian's wrk (apt-get).
#   a. `kefu demo --tickets $DEMO_TICKETS` into bench/out/sqlite/, timed (wall seconds, max RSS).
#   b. `kefu serve` on 127.0.0.1:18080 on that db; GET the inbox first page
#      (/api/v1/tickets?status=open&assignee=me&sort=-created&limit=25) as the agent with
#      the most open assigned tickets, 16 connections for $DURATION s; then a customer's
#      ticket list (/api/v1/customers/{id}/tickets?limit=25) for the customer with the most
#      tickets, as the demo admin, likewise.
#   c. POST /api/v1/tickets (~250-byte bilingual body) at 64 connections for $DURATION s on
#      the same server, as the demo admin. With wrk (bench/wrk-create.lua) every request has a
#      new customer e-mail; oha >= 1.9 sends a random line of a generated file of bodies with
#      distinct e-mails (-Z: mostly new customers, some repeats); an older oha one fixed body.
#   d. The server's resident memory (`ps -o rss=`) is sampled every second during each load
#      run; the table shows the max per scenario (for the demo fills: the exact peak, getrusage).
#   g. Unless SKIP_SERVICE=1, on the same server: 50 automation rules, then (c) again; then
#      bench/service.py: scheduler lateness at 1,000 timers due per second, SLA
#      recomputation on priority changes, routing decisions with 500 agents online.
#   e. Unless SKIP_PG=1: drops and creates the PostgreSQL database kefu_bench on
#      127.0.0.1:5432 (user postgres), `kefu demo --tickets $PG_DEMO_TICKETS` on it (timed),
#      then the create benchmark of (c) against it.
#   f. Prints a Markdown table (scenario, requests/s, p50, p99, errors, max RSS) with a
#      machine line, and writes it to bench/out/results.md. Raw reports: bench/out/logs/.
#
# Knobs (environment):
#   DEMO_TICKETS=1000000   tickets for the SQLite demo fill
#   DURATION=20            seconds per load run
#   PG_DEMO_TICKETS=100000 tickets for the PostgreSQL demo fill
#   SKIP_PG=1              skip (e)
#   SKIP_BUILD=1           use target/release/kefu as it is
#   SKIP_SERVICE=1         skip (g)
#   LOADGEN=oha|wrk        force a load generator (default: oha, falling back to wrk)
#   DEMO_TIMEOUT=7200      seconds before a demo fill is given up (the run then fails)
#   INBOX_ROLE=agent       pick the inbox agent among this role only (default: any role)
#
# Traffic goes only to 127.0.0.1. Every wait is bounded; the server, the memory sampler and
# the load generator are stopped on exit, also on error or Ctrl-C.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"
LOGS="$OUT/logs"
KEFU="$ROOT/target/release/kefu"
HELPER=(python3 "$BENCH_DIR/helper.py")

DEMO_TICKETS=${DEMO_TICKETS:-1000000}
PG_DEMO_TICKETS=${PG_DEMO_TICKETS:-100000}
DURATION=${DURATION:-20}
SKIP_PG=${SKIP_PG:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_SERVICE=${SKIP_SERVICE:-0}
LOADGEN=${LOADGEN:-}
DEMO_TIMEOUT=${DEMO_TIMEOUT:-7200}
INBOX_ROLE=${INBOX_ROLE:-}

ADDR=127.0.0.1:18080
BASE="http://$ADDR"
PG_ADMIN=(env PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
PG_URL=postgres://postgres@127.0.0.1:5432/kefu_bench
ADMIN_EMAIL=admin@kefu.demo
READ_CONNECTIONS=16
CREATE_CONNECTIONS=64

for knob in DEMO_TICKETS PG_DEMO_TICKETS DURATION DEMO_TIMEOUT; do
    [[ ${!knob} =~ ^[0-9]+$ && ${!knob} -gt 0 ]] || { echo "bench: $knob must be a positive integer (got '${!knob}')" >&2; exit 2; }
done
case "$LOADGEN" in "" | oha | wrk) ;; *) echo "bench: LOADGEN must be oha or wrk" >&2; exit 2 ;; esac
case "$INBOX_ROLE" in "" | admin | supervisor | agent) ;; *) echo "bench: INBOX_ROLE must be admin, supervisor or agent" >&2; exit 2 ;; esac

# Only this script's settings reach kefu.
unset KEFU_DATABASE_URL KEFU_DATA_DIR KEFU_LISTEN KEFU_LOG
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- processes and cleanup

SERVER_PID=""
SERVER_LOG=""
RSS_PID=""
JOB_PID=""

stop_rss() {
    if [[ -n $RSS_PID ]]; then
        kill "$RSS_PID" 2>/dev/null || true
        wait "$RSS_PID" 2>/dev/null || true
        RSS_PID=""
    fi
}

# stop_server: SIGTERM, up to 15 s for a clean stop, then SIGKILL. Notes an unclean stop.
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pid=$SERVER_PID status=0 i
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "server $pid did not stop within 15 s of SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        NOTES+=("The server did not stop within 15 s of SIGTERM (killed); see ${SERVER_LOG#"$ROOT"/}.")
    fi
    wait "$pid" 2>/dev/null || status=$?
    if [[ $status -ne 0 ]]; then
        NOTES+=("The server exited with status $status after SIGTERM; see ${SERVER_LOG#"$ROOT"/}.")
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $JOB_PID ]]; then kill "$JOB_PID" 2>/dev/null || true; wait "$JOB_PID" 2>/dev/null || true; fi
    stop_rss
    stop_server
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_rss PID FILE: one `ps -o rss=` sample (KiB) a second into FILE, until the process
# ends or stop_rss; at most DURATION + 300 samples.
start_rss() {
    local pid=$1 file=$2 max=$((DURATION + 300))
    : >"$file"
    (
        for ((i = 0; i < max; i++)); do
            ps -o rss= -p "$pid" >>"$file" 2>/dev/null || break
            sleep 1
        done
    ) &
    RSS_PID=$!
}

# start_server LABEL DATA_DIR [DATABASE_URL]: starts `kefu serve` on $ADDR, waits up to 120 s.
start_server() {
    local label=$1 dir=$2 url=${3:-} i
    if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then
        die "something already answers on $ADDR; stop it first"
    fi
    SERVER_LOG="$LOGS/serve-$label.log"
    : >"$SERVER_LOG"
    if [[ -n $url ]]; then
        KEFU_DATABASE_URL=$url "$KEFU" --data-dir "$dir" serve --listen "$ADDR" >"$SERVER_LOG" 2>&1 &
    else
        "$KEFU" --data-dir "$dir" serve --listen "$ADDR" >"$SERVER_LOG" 2>&1 &
    fi
    SERVER_PID=$!
    for ((i = 0; i < 1200; i++)); do
        grep -qs 'Kefu is listening on' "$SERVER_LOG" && break
        kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; die "kefu serve exited before listening; see $SERVER_LOG"; }
        sleep 0.1
    done
    grep -q 'Kefu is listening on' "$SERVER_LOG" || die "kefu serve did not listen within 120 s; see $SERVER_LOG"
    curl -sf --max-time 5 "$BASE/healthz" >/dev/null || die "GET /healthz failed; see $SERVER_LOG"
    log "kefu serve ($label) is up, pid $SERVER_PID"
}

# ---------------------------------------------------------------- results

RESULTS_TSV="$OUT/results.tsv"
NOTES=()

add_row() { # scenario rps p50 p99 errors rss
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_TSV"
}

# ---------------------------------------------------------------- build and load generator

ensure_loadgen() {
    if [[ $LOADGEN == oha || -z $LOADGEN ]]; then
        if command -v oha >/dev/null; then LOADGEN=oha; return; fi
        log "installing oha (cargo install oha --locked)"
        if cargo install oha --locked >"$LOGS/install-oha.log" 2>&1 && command -v oha >/dev/null; then
            LOADGEN=oha
            return
        fi
        if [[ $LOADGEN == oha ]]; then die "cargo install oha failed; see $LOGS/install-oha.log"; fi
        log "oha did not install (see $LOGS/install-oha.log); falling back to wrk"
    fi
    if ! command -v wrk >/dev/null; then
        log "installing wrk (apt-get)"
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; } >"$LOGS/install-wrk.log" 2>&1 ||
            die "apt-get install wrk failed; see $LOGS/install-wrk.log"
    fi
    LOADGEN=wrk
}

# oha 1.9+ has -Z (a random body line per request); older ones only a fixed body.
OHA_BODY_LINES=0
OHA_LINES=0
oha_features() {
    if oha --help 2>/dev/null | grep -q -- '-Z <'; then OHA_BODY_LINES=1; fi
}

loadgen_version() {
    case $LOADGEN in
        oha) oha --version 2>/dev/null | head -n1 ;;
        wrk) { wrk -v 2>&1 || true; } | head -n1 | awk '{print $1, $2}' ;;
    esac
}

# ---------------------------------------------------------------- scenarios

# timed_demo LABEL DATA_DIR TICKETS [DATABASE_URL]: fills the db, adds a table row.
timed_demo() {
    local label=$1 dir=$2 tickets=$3 url=${4:-} start end secs rc=0
    local rss_file="$LOGS/rss-demo-$label.txt" demo_log="$LOGS/demo-$label.log"
    log "demo fill ($label): $tickets tickets"
    # helper.py maxrss records the peak RSS of kefu (the child of timeout) exactly.
    local -a run=("${HELPER[@]}" maxrss "$rss_file" timeout --signal=TERM --kill-after=30 "$DEMO_TIMEOUT"
        "$KEFU" --data-dir "$dir" demo --tickets "$tickets")
    start=$(date +%s.%N)
    if [[ -n $url ]]; then
        KEFU_DATABASE_URL=$url "${run[@]}" >"$demo_log" 2>&1 &
    else
        "${run[@]}" >"$demo_log" 2>&1 &
    fi
    JOB_PID=$!
    wait "$JOB_PID" || rc=$?
    JOB_PID=""
    end=$(date +%s.%N)
    cat "$demo_log" >&2
    [[ $rc -eq 0 ]] || die "kefu demo ($label) failed with status $rc (124: over DEMO_TIMEOUT=$DEMO_TIMEOUT s); see $demo_log"
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    local rate
    rate=$(awk -v n="$tickets" -v s="$secs" 'BEGIN { printf "%.0f tickets/s", (s > 0 ? n / s : 0) }')
    add_row "demo fill, $label: $tickets tickets in $secs s" "$rate" "-" "-" "-" "$("${HELPER[@]}" rss "$rss_file")"
    log "demo fill ($label): $secs s"
}

# load LABEL SCENARIO CONNECTIONS METHOD PATH TOKEN: one load run against the server,
# with a sanity request first; adds a table row.
load() {
    local label=$1 scenario=$2 conns=$3 method=$4 path=$5 token=$6
    local url="$BASE$path" report="$LOGS/$label.$LOADGEN.txt" rss_file="$LOGS/rss-$label.txt" code rc=0

    # One request first, so a run is never 16 connections measuring 401s.
    if [[ $method == POST ]]; then
        code=$(curl -s -o "$LOGS/$label.sample.json" -w '%{http_code}' --max-time 10 -X POST \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            --data-binary @"$BENCH_DIR/create-body.json" "$url")
        [[ $code == 201 ]] || die "$label: sanity POST $path answered $code (expected 201): $(head -c 500 "$LOGS/$label.sample.json")"
    else
        code=$(curl -s -o "$LOGS/$label.sample.json" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$url")
        [[ $code == 200 ]] || die "$label: sanity GET $path answered $code (expected 200): $(head -c 500 "$LOGS/$label.sample.json")"
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("items") else 1)' "$LOGS/$label.sample.json" ||
            die "$label: GET $path returned no items; the benchmark would measure an empty page"
    fi

    log "$scenario: $conns connections, ${DURATION}s, $LOADGEN"
    start_rss "$SERVER_PID" "$rss_file"
    local -a cmd
    case $LOADGEN in
        oha)
            cmd=(oha --no-tui --output-format json -z "${DURATION}s" -c "$conns" -w -t 10s -H "Authorization: Bearer $token")
            if [[ $method == POST ]]; then
                cmd+=(-m POST -T application/json)
                if [[ $OHA_BODY_LINES == 1 ]]; then
                    # A random line per request: distinct customer e-mails (a few repeat).
                    OHA_LINES=$((DURATION * 10000))
                    if ((OHA_LINES < 20000)); then OHA_LINES=20000; fi
                    if ((OHA_LINES > 300000)); then OHA_LINES=300000; fi
                    "${HELPER[@]}" bodies "$BENCH_DIR/create-body.json" "$LOGS/$label.bodies.txt" "$OHA_LINES" "$(date +%s%N)"
                    cmd+=(-Z "$LOGS/$label.bodies.txt")
                else
                    cmd+=(-D "$BENCH_DIR/create-body.json")
                fi
            fi
            ;;
        wrk)
            local threads
            threads=$(nproc)
            if ((threads > conns)); then threads=$conns; fi
            cmd=(wrk -t "$threads" -c "$conns" -d "${DURATION}s" --timeout 10s -H "Authorization: Bearer $token")
            if [[ $method == POST ]]; then cmd+=(-s "$BENCH_DIR/wrk-create.lua"); else cmd+=(-s "$BENCH_DIR/wrk-report.lua"); fi
            ;;
    esac
    KEFU_BENCH_RUN=$(date +%s%N) timeout --signal=INT --kill-after=10 $((DURATION + 120)) "${cmd[@]}" "$url" >"$report" 2>"$LOGS/$label.$LOADGEN.stderr" &
    JOB_PID=$!
    wait "$JOB_PID" || rc=$?
    JOB_PID=""
    stop_rss
    [[ $rc -eq 0 ]] || die "$LOADGEN failed with status $rc on $label; see $report and $LOGS/$label.$LOADGEN.stderr"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during $label; see $SERVER_LOG"

    local rps p50 p99 total non2xx other errors
    IFS=$'\t' read -r rps p50 p99 total non2xx other < <("${HELPER[@]}" load "$LOADGEN" "$report")
    errors="$non2xx of $total"
    if [[ $other != 0 ]]; then errors="$errors (+$other transport)"; fi
    add_row "$scenario" "$rps" "$p50 ms" "$p99 ms" "$errors" "$("${HELPER[@]}" rss "$rss_file")"
    log "$scenario: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx of $total, transport errors $other"
}

# ---------------------------------------------------------------- main

mkdir -p "$OUT"
rm -rf "$LOGS" "$OUT/sqlite" "$OUT/pg"
mkdir -p "$LOGS"
: >"$RESULTS_TSV"

if [[ $SKIP_BUILD != 1 ]]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release) || die "cargo build --release failed"
fi
[[ -x $KEFU ]] || die "$KEFU is missing (build it, or unset SKIP_BUILD)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ensure_loadgen
if [[ $LOADGEN == oha ]]; then oha_features; fi
log "load generator: $(loadgen_version)"

if [[ $SKIP_PG != 1 ]]; then
    "${PG_ADMIN[@]}" -c 'SELECT 1' >/dev/null 2>&1 ||
        die "PostgreSQL is not reachable as postgres@127.0.0.1:5432 (psql); start it or set SKIP_PG=1"
fi

# Fail now rather than after a long demo fill.
if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then die "something already answers on $ADDR; stop it first"; fi

# a. SQLite demo fill
timed_demo SQLite "$OUT/sqlite" "$DEMO_TICKETS"

# Who to measure: the assignee with the most open tickets, and the customer with most tickets.
IFS=$'\t' read -r AGENT_EMAIL AGENT_ROLE AGENT_OPEN CUSTOMER_ID CUSTOMER_TICKETS < <("${HELPER[@]}" targets "$OUT/sqlite/kefu.db" "$INBOX_ROLE")
[[ -n ${CUSTOMER_ID:-} ]] || die "could not pick an agent and a customer from $OUT/sqlite/kefu.db"
log "inbox agent: $AGENT_EMAIL ($AGENT_ROLE, $AGENT_OPEN open); customer $CUSTOMER_ID ($CUSTOMER_TICKETS tickets)"
AGENT_TOKEN=$("$KEFU" --data-dir "$OUT/sqlite" admin create-token --email "$AGENT_EMAIL") || die "create-token for $AGENT_EMAIL failed"
ADMIN_TOKEN=$("$KEFU" --data-dir "$OUT/sqlite" admin create-token --email "$ADMIN_EMAIL") || die "create-token for $ADMIN_EMAIL failed"

# b, c, d. SQLite server
start_server sqlite "$OUT/sqlite"
load sqlite-inbox "inbox page, SQLite ($AGENT_ROLE $AGENT_EMAIL, $AGENT_OPEN open), c=$READ_CONNECTIONS" \
    "$READ_CONNECTIONS" GET "/api/v1/tickets?status=open&assignee=me&sort=-created&limit=25" "$AGENT_TOKEN"
load sqlite-customer "customer tickets, SQLite (customer $CUSTOMER_ID, $CUSTOMER_TICKETS tickets, as admin), c=$READ_CONNECTIONS" \
    "$READ_CONNECTIONS" GET "/api/v1/customers/$CUSTOMER_ID/tickets?limit=25" "$ADMIN_TOKEN"
load sqlite-create "ticket create, SQLite, c=$CREATE_CONNECTIONS" \
    "$CREATE_CONNECTIONS" POST "/api/v1/tickets" "$ADMIN_TOKEN"
# g. Service engine, same server: creates again with 50 automation rules active, then the
#    scheduler, SLA recomputation and routing (bench/service.py).
if [[ $SKIP_SERVICE != 1 ]]; then
    log "creating 50 automation rules"
    python3 "$BENCH_DIR/service.py" rules "$BASE" "$ADMIN_TOKEN" 50 || die "creating the automation rules failed"
    load sqlite-create-rules "ticket create with SLA policies and 50 automation rules, SQLite, c=$CREATE_CONNECTIONS" \
        "$CREATE_CONNECTIONS" POST "/api/v1/tickets" "$ADMIN_TOKEN"
    log "service engine: scheduler, SLA recomputation, routing"
    python3 "$BENCH_DIR/service.py" measure "$BASE" "$ADMIN_TOKEN" "$RESULTS_TSV" || die "the service benchmarks failed"
fi
stop_server

# e. PostgreSQL
if [[ $SKIP_PG != 1 ]]; then
    log "recreating database kefu_bench"
    "${PG_ADMIN[@]}" -c 'DROP DATABASE IF EXISTS kefu_bench WITH (FORCE)' -c 'CREATE DATABASE kefu_bench' >/dev/null ||
        die "could not recreate database kefu_bench"
    mkdir -p "$OUT/pg"
    timed_demo PostgreSQL "$OUT/pg" "$PG_DEMO_TICKETS" "$PG_URL"
    PG_TOKEN=$(KEFU_DATABASE_URL=$PG_URL "$KEFU" --data-dir "$OUT/pg" admin create-token --email "$ADMIN_EMAIL") ||
        die "create-token on PostgreSQL failed"
    start_server pg "$OUT/pg" "$PG_URL"
    load pg-create "ticket create, PostgreSQL, c=$CREATE_CONNECTIONS" \
        "$CREATE_CONNECTIONS" POST "/api/v1/tickets" "$PG_TOKEN"
    stop_server
fi

# f. Report
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then REV="$REV (uncommitted changes)"; fi
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(free -g | awk '/^Mem:/ { printf "%s GiB total, %s GiB available", $2, $7 }')
if [[ $LOADGEN == wrk ]]; then
    BODY_NOTE="~250-byte bilingual body with a new customer e-mail on every request"
elif [[ $OHA_BODY_LINES == 1 ]]; then
    BODY_NOTE="~250-byte bilingual body, each request a random line of $OHA_LINES with distinct customer e-mails (so mostly new customers, some repeats)"
else
    BODY_NOTE="one fixed ~250-byte bilingual body (every ticket for the same customer)"
fi
{
    echo "# Kefu benchmark"
    echo
    echo "Machine: $(nproc) CPUs ($CPU), memory $MEM; $(date -u '+%Y-%m-%d %H:%M UTC'); git $REV; $LOADGEN $(loadgen_version | awk '{print $NF}'); DEMO_TICKETS=$DEMO_TICKETS PG_DEMO_TICKETS=$([[ $SKIP_PG == 1 ]] && echo skipped || echo "$PG_DEMO_TICKETS") DURATION=${DURATION}s; load average (1/5/15 min) after the build $LOAD_BEFORE, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "${HELPER[@]}" table "$RESULTS_TSV"
    echo
    echo "- Load generator and server share the machine's $(nproc) CPUs. Latencies are as the load generator saw them."
    echo "- errors: non-2xx responses of all responses; transport errors (refused, reset, timed out) in brackets."
    echo "- max RSS: the kefu process only (for PostgreSQL, not the database server): for load runs the largest of once-a-second samples, for demo fills the exact peak."
    echo "- create: $BODY_NOTE, as $ADMIN_EMAIL."
    for note in "${NOTES[@]+"${NOTES[@]}"}"; do echo "- $note"; done
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
