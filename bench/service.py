#!/usr/bin/env python3
"""The service-engine benchmarks of issue 4, against a running `kefu serve` (a demo
database): called by bench/run.sh, or by hand:

    python3 bench/service.py rules BASE TOKEN COUNT
        creates COUNT automation rules that look at every new ticket (trigger
        ticket_created) but match few (text conditions), as a busy department has them.
    python3 bench/service.py measure BASE TOKEN RESULTS_TSV
        a. scheduler: REMINDERS personal reminders due at 1,000 per second; each fires as
           a notification whose creation time against its due time is the lateness;
        b. SLA recomputation: PRIORITY_CHANGES priority changes of open demo tickets (each
           re-chooses the policy and replays the clocks from the history); the server's
           own measure (metric kefu_sla_recompute_seconds) is reported;
        c. routing: a least-loaded team of AGENTS online agents gets ROUTED tickets; the
           server's measures of one decision (kefu_routing_choose_seconds) and of loading
           the candidates (kefu_routing_candidates_seconds) are reported.
    Rows are appended to RESULTS_TSV in run.sh's table format.

Standard library only; traffic goes to BASE only.
"""

import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

REMINDERS = int(os.environ.get("REMINDERS", "30000"))
PRIORITY_CHANGES = int(os.environ.get("PRIORITY_CHANGES", "2000"))
AGENTS = int(os.environ.get("AGENTS", "500"))
ROUTED = int(os.environ.get("ROUTED", "2000"))
THREADS = 16


def call(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def parallel(items, work):
    """Runs work(item) over items on THREADS threads; returns the number of failures."""
    failures = [0]
    lock = threading.Lock()
    iterator = iter(items)

    def worker():
        while True:
            with lock:
                item = next(iterator, None)
            if item is None:
                return
            if not work(item):
                with lock:
                    failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures[0]


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")


def parse_ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def metric_quantiles(base, name):
    with urllib.request.urlopen(base + "/metrics", timeout=30) as response:
        text = response.read().decode()
    found = {}
    count = None
    for line in text.splitlines():
        if line.startswith(name + "{") and 'quantile="' in line:
            q = line.split('quantile="')[1].split('"')[0]
            found[q] = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_count"):
            count = int(float(line.rsplit(" ", 1)[1]))
    return found, count


def rules(base, token, count):
    failures = 0
    for n in range(int(count)):
        rule = {
            "name": f"bench rule {n}",
            "trigger": "ticket_created",
            "conditions": {"text_contains": [f"bench-word-{n}", f"基准{n}"]},
            "actions": [{"type": "add_tags", "tags": [f"rule-{n}"]}, {"type": "set_priority", "priority": "high"}],
        }
        status, _ = call(base, token, "POST", "/api/v1/rules", {"rule": rule})
        failures += status != 201
    if failures:
        sys.exit(f"bench: {failures} of {count} rules were refused")


def scheduler(base, token, out):
    start = time.time() + 10 + REMINDERS / 3000  # all scheduled before the first is due
    status, me = call(base, token, "GET", "/api/v1/notifications?limit=1")
    already = me["unread"] if status == 200 else 0

    def schedule(i):
        at = iso(start + i / 1000)
        status, _ = call(base, token, "POST", "/api/v1/reminders", {"at": at, "text": f"bench {i}"})
        return status == 201

    failed = parallel(range(REMINDERS), schedule)
    if time.time() > start:
        print("bench: scheduling the reminders took longer than planned; lateness includes that", file=sys.stderr)
    deadline = start + REMINDERS / 1000 + 60
    while time.time() < deadline:
        status, page = call(base, token, "GET", "/api/v1/notifications?limit=1")
        if status == 200 and page["unread"] >= already + REMINDERS - failed:
            break
        time.sleep(1)
    lateness = []
    before = None
    while len(lateness) < REMINDERS - failed:
        path = "/api/v1/notifications?limit=100" + (f"&before={before}" if before else "")
        status, page = call(base, token, "GET", path)
        if status != 200 or not page["items"]:
            break
        for item in page["items"]:
            if item["kind"] == "reminder" and "due_at" in item["data"]:
                lateness.append(parse_ts(item["created_at"]) - parse_ts(item["data"]["due_at"]))
        before = page["next_before"]
        if before is None:
            break
    fired = len(lateness)
    server, _ = metric_quantiles(base, "kefu_scheduler_lateness_seconds")
    row = [
        f"scheduler: {REMINDERS} reminders due at 1,000/s, fired {fired} (server's measure p99 {ms(server.get('0.99', 0.0))})",
        "1000 due/s",
        ms(quantile(lateness, 0.5)) if lateness else "-",
        ms(quantile(lateness, 0.99)) if lateness else "-",
        f"{REMINDERS - fired} not fired (max late {ms(max(lateness)) if lateness else '-'})",
        "-",
    ]
    out.write("\t".join(row) + "\n")


def recompute(base, token, out):
    ids = []
    cursor = None
    while len(ids) < PRIORITY_CHANGES:
        path = "/api/v1/tickets?status=open&limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(base, token, "GET", path)
        if status != 200 or not page["items"]:
            break
        ids.extend(t["number"] for t in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    priorities = ["low", "normal", "high", "urgent"]
    rnd = random.Random(4)
    latencies = []
    lock = threading.Lock()

    def change(number):
        began = time.perf_counter()
        status, _ = call(base, token, "PATCH", f"/api/v1/tickets/{number}", {"priority": rnd.choice(priorities)})
        with lock:
            latencies.append(time.perf_counter() - began)
        return status == 200

    failed = parallel(ids[:PRIORITY_CHANGES], change)
    found, count = metric_quantiles(base, "kefu_sla_recompute_seconds")
    row = [
        f"SLA recomputation on a priority change ({count or 0} replays; request p50/p99 {ms(quantile(latencies, 0.5))}/{ms(quantile(latencies, 0.99))} at c={THREADS})",
        "-",
        ms(found.get("0.5", 0.0)),
        ms(found.get("0.99", 0.0)),
        f"{failed} of {len(latencies)}",
        "-",
    ]
    out.write("\t".join(row) + "\n")


def routing(base, token, out):
    status, team = call(base, token, "POST", "/api/v1/teams", {"name": f"bench routing {int(time.time())}", "routing": "least_loaded"})
    if status != 201:
        sys.exit(f"bench: could not create the routing team: {team}")
    team_id = team["id"]
    run = int(time.time())

    def agent(i):
        status, created = call(
            base,
            token,
            "POST",
            "/api/v1/agents",
            {"email": f"route{run}-{i}@bench.kefu", "name": f"路由 {i}", "role": "agent", "teams": [team_id], "capacity": 1000, "languages": ["zh", "en"]},
        )
        if status != 201:
            return False
        status, _ = call(base, token, "PATCH", f"/api/v1/agents/{created['id']}", {"presence": "online"})
        return status == 200

    failed_agents = parallel(range(AGENTS), agent)

    def ticket(i):
        status, _ = call(
            base,
            token,
            "POST",
            "/api/v1/tickets",
            {"subject": f"路由 routing {i}", "description": "d", "team": team_id, "customer": {"email": f"route{run}-{i % 997}@example.com"}},
        )
        return status == 201

    failed = parallel(range(ROUTED), ticket)
    time.sleep(3)
    choose, count = metric_quantiles(base, "kefu_routing_choose_seconds")
    candidates, passes = metric_quantiles(base, "kefu_routing_candidates_seconds")
    row = [
        f"routing decision, {AGENTS - failed_agents} agents online, least loaded ({count or 0} decisions in {passes or 0} passes; loading the candidates p50/p99 {ms(candidates.get('0.5', 0.0))}/{ms(candidates.get('0.99', 0.0))})",
        "-",
        ms(choose.get("0.5", 0.0)),
        ms(choose.get("0.99", 0.0)),
        f"{failed} of {ROUTED} creates",
        "-",
    ]
    out.write("\t".join(row) + "\n")


def measure(base, token, results):
    with open(results, "a", encoding="utf-8") as out:
        scheduler(base, token, out)
        out.flush()
        recompute(base, token, out)
        out.flush()
        routing(base, token, out)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "rules":
        rules(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
