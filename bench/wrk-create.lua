-- wrk: POST /api/v1/tickets with a ~250-byte bilingual body and a new customer e-mail on
-- every request (so each create also creates a customer, as a fresh inbound ticket would).
-- The bearer token comes from wrk's -H option; KEFU_BENCH_RUN keeps e-mails unique across runs.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "wrk-report.lua")

local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local run = os.getenv("KEFU_BENCH_RUN") or tostring(os.time())
local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"subject":"扫地机器人无法回充 Robot will not dock","description":"两个月后无法回充，已重启。Stopped docking after two months.","channel":"web","category":"after_sales.repair","customer":{"name":"压测 Bench","email":"b%s-%d-%d@example.com"},"tags":["bench"]}',
    run, tid or 0, counter)
  return wrk.format(nil, nil, nil, body)
end
