#!/usr/bin/env python3
"""Analytics benchmark (issue 8), driven by bench/analytics.sh.

For each KPI report shape, the dashboard and the hot-issues report, REQUESTS sequential requests: p50/p99/max in
ms as a Markdown table, then the p99 over every request. Standard library only.
"""
import http.client, json, os, time, urllib.parse
from datetime import date, timedelta

HOST, PORT = os.environ.get("ADDR", "127.0.0.1:18084").split(":")
TOKEN = os.environ["TOKEN"]
REQUESTS = int(os.environ.get("REQUESTS", "50"))


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
    today = date.today()
    since = lambda days: (today - timedelta(days=days - 1)).isoformat()
    shapes = [("dashboard", "/api/v1/analytics/dashboard")]
    shapes.append(("hot issues, 24 h", "/api/v1/analytics/hot"))
    shapes.append(("hot issues, 72 h, words", "/api/v1/analytics/hot?hours=72&facet=word"))
    for days in [7, 30, 90]:
        shapes.append((f"{days} days", {"from": since(days)}))
    for group in ["day", "team", "agent", "channel", "kind"]:
        shapes.append((f"90 days by {group}", {"from": since(90), "group": group}))
    shapes.append(("90 days, one team", {"from": since(90), "team": team}))
    shapes.append(("90 days, one team by day", {"from": since(90), "team": team, "group": "day"}))
    shapes.append(("90 days, one team by agent (daily pairs)", {"from": since(90), "team": team, "group": "agent"}))
    shapes.append(("30 days, team and channel (daily pairs)", {"from": since(30), "team": team, "channel": "web"}))
    shapes.append(("30 days, team, channel and kind", {"from": since(30), "team": team, "channel": "web", "kind": "complaint"}))
    shapes.append(("90 days, team, channel and kind by agent", {"from": since(90), "team": team, "channel": "web", "kind": "complaint", "group": "agent"}))
    shapes.append(("90 days, channel, kind and priority by day", {"from": since(90), "channel": "chat", "kind": "consultation", "priority": "normal", "group": "day"}))
    shapes.append(("90 days, four dimensions by priority", {"from": since(90), "team": team, "channel": "web", "kind": "complaint", "agent": "none", "group": "priority"}))
    print("| report | created | p50 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    every = []
    for name, query in shapes:
        path = query if isinstance(query, str) else f"/api/v1/analytics/kpis?{urllib.parse.urlencode(query)}"
        times = []
        created = None
        for _ in range(REQUESTS):
            started = time.perf_counter()
            status, body = request(conn, path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, body
            if created is None:
                data = json.loads(body)
                created = (data.get("totals") or data.get("today") or {}).get("created")
                if "topics" in data:
                    created = f"{len(data['topics'])} of {data['topics_seen']} topics rising"
        every.extend(times)
        print(f"| {name} | {created} | {percentile(times, 50):.1f} | {percentile(times, 99):.1f} | {max(times):.1f} |")
    print(f"\nall requests: p99 {percentile(every, 99):.1f} ms over {len(every)}")


if __name__ == "__main__":
    main()
