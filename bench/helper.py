#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  helper.py targets SQLITE_FILE [ROLE]   -> "agent_email<TAB>role<TAB>open_count<TAB>customer_id<TAB>ticket_count"
  helper.py load TOOL FILE               -> "rps<TAB>p50_ms<TAB>p99_ms<TAB>requests<TAB>non2xx<TAB>other_errors"
                                            from an oha JSON report or wrk output (bench/wrk-*.lua 'done' line)
  helper.py rss FILE                     -> max RSS in MB of a file of `ps -o rss=` samples (KiB), or "-"
  helper.py table TSV                    -> the Markdown results table
  helper.py maxrss OUT CMD...           -> runs CMD (signals forwarded), writes the peak RSS in KiB of it and
                                            its waited-for descendants to OUT, exits with CMD's status
  helper.py bodies TEMPLATE OUT N RUN    -> N create bodies, one a line, each with its own customer e-mail
                                            (for oha -Z, which sends a random line with each request)
"""

import json
import resource
import signal
import sqlite3
import subprocess
import sys


def targets(path, role=""):
    # Read-only: the server is not running yet, but never write the benchmark's db.
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    row = db.execute(
        "SELECT assignee_id, COUNT(*) AS n FROM tickets"
        " WHERE status = 'open' AND assignee_id IS NOT NULL"
        " AND (? = '' OR assignee_id IN (SELECT id FROM agents WHERE role = ?))"
        " GROUP BY assignee_id ORDER BY n DESC, assignee_id LIMIT 1",
        (role, role),
    ).fetchone()
    if row is None:
        sys.exit(f"no open ticket has an assignee{' of role ' + role if role else ''}: cannot pick an agent for the inbox benchmark")
    assignee_id, open_count = row
    email, role = db.execute("SELECT email, role FROM agents WHERE id = ?", (assignee_id,)).fetchone()
    row = db.execute(
        "SELECT customer_id, COUNT(*) AS n FROM tickets GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 1"
    ).fetchone()
    if row is None:
        sys.exit("no tickets: cannot pick a customer")
    customer_id, ticket_count = row
    print(f"{email}\t{role}\t{open_count}\t{customer_id}\t{ticket_count}")


def _ms(seconds):
    return None if seconds is None else seconds * 1000.0


def load_oha(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    summary = report.get("summary", {})
    pct = report.get("latencyPercentiles", {})
    codes = report.get("statusCodeDistribution", {}) or {}
    errors = report.get("errorDistribution", {}) or {}
    requests = sum(int(v) for v in codes.values())
    non2xx = sum(int(v) for k, v in codes.items() if not (200 <= int(k) <= 299))
    other = sum(int(v) for v in errors.values())
    return summary.get("requestsPerSec"), _ms(pct.get("p50")), _ms(pct.get("p99")), requests, non2xx, other, errors


def load_wrk(path):
    # bench/wrk-*.lua prints one line "KEFU_WRK_JSON {...}" from wrk's done() callback.
    line = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for text in f:
            if text.startswith("KEFU_WRK_JSON "):
                line = text[len("KEFU_WRK_JSON "):]
    if line is None:
        sys.exit(f"{path}: no KEFU_WRK_JSON line (did wrk run with bench/wrk-*.lua?)")
    r = json.loads(line)
    seconds = r["duration_us"] / 1e6
    requests = r["requests"]
    # wrk counts status > 399 as 'status' errors; 3xx would count as success (Kefu sends none here).
    non2xx = r["status_errors"]
    other = r["connect"] + r["read"] + r["write"] + r["timeout"]
    detail = {k: r[k] for k in ("connect", "read", "write", "timeout") if r[k]}
    return requests / seconds if seconds else None, r["p50_us"] / 1000.0, r["p99_us"] / 1000.0, requests, non2xx, other, detail


def load(tool, path):
    rps, p50, p99, requests, non2xx, other, detail = (load_oha if tool == "oha" else load_wrk)(path)
    if detail and other:
        # Say what the transport errors were (on stderr, for the log).
        print(f"{path}: transport errors: {detail}", file=sys.stderr)
    fmt = lambda v, spec: "-" if v is None else format(v, spec)
    print("\t".join([fmt(rps, ".1f"), fmt(p50, ".2f"), fmt(p99, ".2f"), str(requests), str(non2xx), str(other)]))


def rss(path):
    best = 0
    try:
        with open(path, encoding="utf-8") as f:
            for text in f:
                text = text.strip()
                if text.isdigit():
                    best = max(best, int(text))
    except FileNotFoundError:
        pass
    print(f"{best / 1024:.0f} MB" if best else "-")


def table(path):
    header = ["scenario", "requests/s", "p50", "p99", "errors", "max RSS"]
    rows = []
    with open(path, encoding="utf-8") as f:
        for text in f:
            text = text.rstrip("\n")
            if text:
                rows.append(text.split("\t"))
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for row in rows:
        row = (row + ["-"] * len(header))[: len(header)]
        print("| " + " | ".join(row) + " |")


def bodies(template, out, count, run):
    with open(template, encoding="utf-8") as f:
        body = json.load(f)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(int(count)):
            body["customer"]["email"] = f"b{run}-{i}@example.com"
            f.write(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")


def maxrss(out, *cmd):
    child = subprocess.Popen(cmd)

    def forward(signum, _frame):
        child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    status = child.wait()
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
    sys.exit(status if status >= 0 else 128 - status)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "targets":
        targets(*args)
    elif cmd == "load":
        load(*args)
    elif cmd == "rss":
        rss(*args)
    elif cmd == "maxrss":
        maxrss(*args)
    elif cmd == "bodies":
        bodies(*args)
    elif cmd == "table":
        table(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
