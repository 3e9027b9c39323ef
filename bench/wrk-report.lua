-- wrk: report the run as one JSON line ("KEFU_WRK_JSON {...}") for bench/helper.py.
-- Used as is for the GET scenarios; bench/wrk-create.lua loads it too.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'KEFU_WRK_JSON {"duration_us":%d,"requests":%d,"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
