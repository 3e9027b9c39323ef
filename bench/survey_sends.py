#!/usr/bin/env python3
"""Helpers for bench/survey-sends.sh (standard library only).

  survey_sends.py schedule DB TRIGGER_ID COUNT SECONDS ROUND -> prints the first due instant (ms)
      Puts COUNT post-resolution survey timers into the scheduler's table, due evenly over
      the next SECONDS (starting 0.5 s from now), each for its own resolved ticket of a
      consenting customer (ROUND picks a fresh set of tickets each time). These rows are
      what resolving COUNT tickets with a trigger's delay leaves behind; writing them
      directly keeps the resolutions' own writes out of the measured window.
  survey_sends.py report DB FROM_MS ROUND  -> "sent N of M, lateness p50/p99/max ms"
      How many of the round's timers fired (a survey_sends row for the ticket, created
      after FROM_MS) and how late: send created_at minus the timer's due instant.
"""

import json
import sqlite3
import sys
import time

KIND = "survey_after_resolution"


def due_file(path, round_):
    return f"{path}.bench-sends-{round_}.json"


def schedule(path, trigger_id, count, seconds, round_):
    db = sqlite3.connect(path, timeout=30)
    tickets = [
        row[0]
        for row in db.execute(
            "SELECT t.id FROM tickets t JOIN customers c ON c.id = t.customer_id"
            " WHERE t.status IN ('resolved', 'closed') AND c.consent_at IS NOT NULL"
            " ORDER BY t.id LIMIT ? OFFSET ?",
            (count, count * round_),
        )
    ]
    if len(tickets) < count:
        sys.exit(f"only {len(tickets)} resolved tickets of consenting customers left for round {round_}")
    now = int(time.time() * 1000)
    first = now + 500
    step = seconds * 1000 / count
    rows = [(first + int(i * step), KIND, ticket, json.dumps({"trigger_id": trigger_id}), now) for i, ticket in enumerate(tickets)]
    with db:
        db.executemany("INSERT INTO timers (due_at, kind, subject_id, payload, created_at) VALUES (?, ?, ?, ?, ?)", rows)
    with open(due_file(path, round_), "w", encoding="utf-8") as f:
        json.dump({str(ticket): due for due, _, ticket, _, _ in rows}, f)
    print(first)


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report(path, from_ms, round_):
    with open(due_file(path, round_), encoding="utf-8") as f:
        due = {int(k): v for k, v in json.load(f).items()}
    db = sqlite3.connect(path, timeout=30)
    sent = dict(
        db.execute(
            "SELECT ticket_id, MIN(created_at) FROM survey_sends WHERE created_at >= ? GROUP BY ticket_id",
            (from_ms,),
        ).fetchall()
    )
    late = [sent[t] - d for t, d in due.items() if t in sent]
    print(
        f"sent {len(late)} of {len(due)}, lateness p50 {quantile(late, 0.5):.0f} ms,"
        f" p99 {quantile(late, 0.99):.0f} ms, max {max(late, default=float('nan')):.0f} ms"
    )


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "schedule":
        schedule(args[0], int(args[1]), int(args[2]), float(args[3]), int(args[4]))
    elif command == "report":
        report(args[0], int(args[1]), int(args[2]))
    else:
        sys.exit(__doc__)
