#!/usr/bin/env python3
"""Search benchmark (issue 6), driven by bench/search.sh.

Phases, each printed as a Markdown table row and as JSON on the last line:
  latency   N sequential searches of one- and two-word queries, Chinese and English,
            tickets and articles, through GET /api/v1/search: p50/p99/max in ms.
  fresh     while a load thread creates tickets as fast as CONNS connections can, a
            probe creates a ticket with a unique word and polls the search until it
            appears: p50/p99/max time to findable, and the creates/s of the load.
Needs only the standard library.
"""
import http.client, json, os, random, statistics, sys, threading, time, urllib.parse, uuid

HOST, PORT = os.environ.get("ADDR", "127.0.0.1:18082").split(":")
TOKEN = os.environ["TOKEN"]
SEARCHES = int(os.environ.get("SEARCHES", "2000"))
PROBES = int(os.environ.get("PROBES", "100"))
CONNS = int(os.environ.get("CONNS", "8"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))

QUERIES = [
    # one word
    ("ticket", "退货"), ("ticket", "发票"), ("ticket", "维修"), ("ticket", "挖掘机"), ("ticket", "充电"),
    ("ticket", "refund"), ("ticket", "invoice"), ("ticket", "excavator"), ("ticket", "delivery"), ("ticket", "repair"),
    ("article", "退款"), ("article", "保修"), ("article", "warranty"), ("article", "password"),
    # two words
    ("ticket", "退货 运费"), ("ticket", "手表 充电"), ("ticket", "液压 漏油"), ("ticket", "发票 抬头"),
    ("ticket", "refund order"), ("ticket", "engine overheating"), ("ticket", "late delivery"), ("ticket", "smart lock"),
    ("article", "退换货 流程"), ("article", "reset password"), ("article", "蓝牙 连接"), ("article", "firmware update"),
]


def request(conn, method, path, body=None):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency():
    conn = http.client.HTTPConnection(HOST, int(PORT))
    times, totals = [], []
    for i in range(SEARCHES):
        kind, q = QUERIES[i % len(QUERIES)]
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": q, "type": kind, "limit": 20})
        started = time.perf_counter()
        status, data = request(conn, "GET", path)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, data
        totals.append(json.loads(data)["total"])
    return {"searches": SEARCHES, "p50_ms": round(statistics.median(times), 2), "p99_ms": round(percentile(times, 99), 2),
            "max_ms": round(max(times), 2), "median_hits": statistics.median(totals)}


def load(stop, counter):
    conn = http.client.HTTPConnection(HOST, int(PORT))
    n = 0
    while not stop.is_set():
        status, _ = request(conn, "POST", "/api/v1/tickets", {
            "subject": random.choice(["退货申请", "发票问题", "Refund request", "设备故障 engine fault"]),
            "description": "负载测试 load test ticket " + str(n),
            "customer": {"email": f"load{random.randrange(100000)}@example.com"}})
        assert status == 201, status
        n += 1
    counter.append(n)


def fresh():
    stop, counts, threads = threading.Event(), [], []
    for _ in range(CONNS):
        t = threading.Thread(target=load, args=(stop, counts))
        t.start()
        threads.append(t)
    conn = http.client.HTTPConnection(HOST, int(PORT))
    delays, started_load = [], time.time()
    for _ in range(PROBES):
        word = "probe" + uuid.uuid4().hex[:10]
        status, data = request(conn, "POST", "/api/v1/tickets", {"subject": f"Probe {word}", "description": "freshness probe",
                                                                  "customer": {"email": "probe@example.com"}})
        assert status == 201, data
        created = time.perf_counter()
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": word, "type": "ticket"})
        while True:
            status, data = request(conn, "GET", path)
            if json.loads(data)["total"] > 0:
                delays.append((time.perf_counter() - created) * 1000)
                break
            if time.perf_counter() - created > 30:
                delays.append(30000.0)
                break
            time.sleep(0.01)
        if time.time() - started_load > LOAD_SECONDS:
            break
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.time() - started_load
    return {"probes": len(delays), "p50_ms": round(statistics.median(delays)), "p99_ms": round(percentile(delays, 99)),
            "max_ms": round(max(delays)), "load_creates_per_s": round(sum(counts) / elapsed)}


if __name__ == "__main__":
    phases = sys.argv[1:] or ["latency", "fresh"]
    results = {}
    if "latency" in phases:
        results["latency"] = latency()
        print("latency", results["latency"], flush=True)
    if "fresh" in phases:
        results["fresh"] = fresh()
        print("fresh", results["fresh"], flush=True)
    print(json.dumps(results))
