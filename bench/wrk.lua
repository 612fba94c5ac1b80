-- wrk script: rotate over the paths in the file named by $BENCH_PATHS (one a line),
-- send the headers of $BENCH_AUTH ("Authorization: Token ..." or "Cookie: ..."), and
-- count every status class, so that redirects (3xx, which wrk counts as success) show.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

local counter = 0
s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
function init(args)
  counter = offset or 0
  local name, value = string.match(os.getenv("BENCH_AUTH") or "", "^([^:]+):%s*(.+)$")
  if name then wrk.headers[name] = value end
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for _, class in ipairs({ "2xx", "3xx", "4xx", "5xx" }) do
      total[class] = (total[class] or 0) + (thread:get("s" .. class) or 0)
    end
  end
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f s2xx=%d s3xx=%d s4xx=%d s5xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    total["2xx"], total["3xx"], total["4xx"], total["5xx"],
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status))
end
