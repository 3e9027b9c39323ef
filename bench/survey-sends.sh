#!/usr/bin/env bash
# Survey sends from the scheduler beside the create load (issue 7: 10,000 sends a minute
# must not slow ticket creation by more than 10 %).
#
#   bash bench/survey-sends.sh BIN DIR [ROUNDS] [SECONDS] [PER_MINUTE]
#
# DIR holds a `kefu demo --tickets 1000000` database (see pair.sh for the first start).
# One server runs throughout. A trigger (csat, no delay, no quiet days) is added through
# the API; then each round runs the create load twice for SECONDS: once alone, once while
# PER_MINUTE (default 10,000) post-resolution survey timers a minute fall due, each sending
# a survey for its own resolved ticket. Prints both create rates, their ratio, and how
# many surveys were sent and how late. Needs wrk and sqlite3.
#
# MAIL=1: with mail on (KEFU_SMTP_URL to bench/smtp_sink.py on 127.0.0.1:2525), so each
# send also queues its invitation and schedules its reminder, and the mailer delivers the
# invitations during the run; each round then also says how many mails the sink accepted.
# SINK=postfix uses postfix's smtp-sink (C, a sliver of the CPU the Python sink takes from
# the two cores Kefu runs on) instead of bench/smtp_sink.py.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BIN=$1
DIR=$2
ROUNDS=${3:-3}
SECONDS_EACH=${4:-30}
PER_MINUTE=${5:-10000}
ADDR=127.0.0.1:18080
DB="$DIR/kefu.db"
SENDS="python3 $KEFU_BENCH_DIR/survey_sends.py"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

log=$(mktemp)
mails=$(mktemp)
if [ "${MAIL:-0}" = 1 ]; then
    if [ "${SINK:-python}" = postfix ]; then
        command -v smtp-sink >/dev/null || { echo "SINK=postfix needs smtp-sink (apt-get install postfix)" >&2; exit 1; }
        smtp-sink -u nobody -c 127.0.0.1:2525 256 > "$mails" 2>&1 &
    else
        python3 "$KEFU_BENCH_DIR/smtp_sink.py" 2525 "$mails" &
    fi
    SINK_PID=$!
    export KEFU_SMTP_URL=smtp://127.0.0.1:2525 KEFU_MAIL_FROM='Kefu <bench@kefu.test>' KEFU_PUBLIC_URL=http://help.kefu.test
fi
# The mails accepted so far: the Python sink writes the count; postfix's smtp-sink -c
# writes a running "sess=… quit=… mesg=N" line.
mailed() {
    if [ "${SINK:-python}" = postfix ]; then
        tr '\r' '\n' < "$mails" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1 | grep . || echo 0
    else
        cat "$mails" 2>/dev/null || echo 0
    fi
}
kefu_start "$BIN" "$DIR" "$ADDR" "$log"
kefu_wait_folded "$DIR" || { kefu_stop; exit 1; }
trigger=$(curl -sf -X POST "http://$ADDR/api/v1/survey-triggers" -H "Authorization: Bearer $KEFU_TOKEN" \
    -H 'Content-Type: application/json' \
    -d '{"design_key":"csat","delay_minutes":0,"channels":[],"quiet_days":0,"enabled":true}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
count=$((PER_MINUTE * SECONDS_EACH / 60))
sleep 3
for round in $(seq 1 "$ROUNDS"); do
    alone=$(kefu_wrk_create "$ADDR" "$SECONDS_EACH" "alone$round")
    printf 'round %s\talone\t%s\n' "$round" "$alone"
    mails_before=$(mailed)
    from=$($SENDS schedule "$DB" "$trigger" "$count" "$SECONDS_EACH" "$round")
    beside=$(kefu_wrk_create "$ADDR" "$SECONDS_EACH" "sends$round")
    # Let the last timers fire before counting.
    sleep 3
    printf 'round %s\tsends\t%s\t%s\tmails %s\n' "$round" "$beside" "$($SENDS report "$DB" "$from" "$round")" \
        "$(($(mailed) - mails_before))"
    printf 'round %s\t' "$round"
    python3 -c 'import sys; a, b = (float(x.split("/")[0].replace(",", "")) for x in sys.argv[1:]); print(f"ratio {b / a:.3f}")' "$alone" "$beside"
done
kefu_stop
[ -n "${SINK_PID:-}" ] && kill "$SINK_PID"
rm -f "$log" "$mails" "$DB".bench-sends-*.json
