#!/usr/bin/env python3
"""Satisfaction report benchmark (issue 7), driven by bench/surveys.sh.

For each report shape (design, period, slice or filter), REQUESTS sequential requests
through GET /api/v1/survey-reports/{design}: p50/p99/max in ms, printed as a Markdown
table, then the p99 over every request. Needs only the standard library. SHAPES=two
keeps only the two-slice shapes (a filter on two slices, or one grouped by another).

Periods run from a date up to now, so what a report counts at its edges depends on the
time of day; REPORT_TO (an RFC 3339 instant, e.g. 2026-12-06T23:30:00Z) ends every period
there instead (the dates counted back from its day), to measure a chosen time of day.
"""
import http.client, json, os, time, urllib.parse
from datetime import date, datetime, timedelta

HOST, PORT = os.environ.get("ADDR", "127.0.0.1:18083").split(":")
TOKEN = os.environ["TOKEN"]
REQUESTS = int(os.environ.get("REQUESTS", "100"))
REPORT_TO = os.environ.get("REPORT_TO")


def request(conn, path):
    conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    response = conn.getresponse()
    return response.status, response.read()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    conn = http.client.HTTPConnection(HOST, int(PORT))
    status, body = request(conn, "/api/v1/teams")
    assert status == 200, body
    team = json.loads(body)[0]["id"]
    today = datetime.fromisoformat(REPORT_TO.replace("Z", "+00:00")).date() if REPORT_TO else date.today()
    shapes = []
    for design in ["service5", "csat"]:
        for days in [30, 90, 365, 730]:
            start = (today - timedelta(days=days)).isoformat()
            shapes.append((design, f"{days} days", {"from": start}))
            shapes.append((design, f"{days} days by team", {"from": start, "group_by": "team"}))
        start = (today - timedelta(days=90)).isoformat()
        shapes.append((design, "90 days by agent", {"from": start, "group_by": "agent"}))
        shapes.append((design, "90 days by channel", {"from": start, "group_by": "channel"}))
        shapes.append((design, "90 days, one team", {"from": start, "team": team}))
        shapes.append((design, "365 days, one team, by team", {"from": (today - timedelta(days=365)).isoformat(), "team": team, "group_by": "team"}))
        # Two slices: the pair's rows (filtered by both, or by one and grouped by the other).
        for days in [30, 90, 365, 730]:
            start = (today - timedelta(days=days)).isoformat()
            shapes.append((design, f"{days} days, team and channel", {"from": start, "team": team, "channel": "web"}))
        start = (today - timedelta(days=365)).isoformat()
        shapes.append((design, "365 days, one team, by agent", {"from": start, "team": team, "group_by": "agent"}))
        shapes.append((design, "365 days, one team, by channel", {"from": start, "team": team, "group_by": "channel"}))
        shapes.append((design, "365 days, channel web, by team", {"from": start, "channel": "web", "group_by": "team"}))
    if os.environ.get("SHAPES") == "two":
        shapes = [shape for shape in shapes if "channel" in shape[2] or ("team" in shape[2] and "group_by" in shape[2] and shape[2]["group_by"] != "team")]
    print("| design | report | answers | p50 ms | p99 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    every = []
    for design, name, query in shapes:
        if REPORT_TO:
            query = {**query, "to": REPORT_TO}
        path = f"/api/v1/survey-reports/{design}?{urllib.parse.urlencode(query)}"
        times = []
        answers = None
        for _ in range(REQUESTS):
            started = time.perf_counter()
            status, body = request(conn, path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, body
            if answers is None:
                answers = json.loads(body)["answers"]
        every.extend(times)
        print(f"| {design} | {name} | {answers} | {percentile(times, 50):.1f} | {percentile(times, 99):.1f} | {max(times):.1f} |")
    print(f"\nall {len(every)} requests: p50 {percentile(every, 50):.1f} ms, p99 {percentile(every, 99):.1f} ms")


if __name__ == "__main__":
    main()
