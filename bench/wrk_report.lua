-- wrk script for the load benchmarks (bench/serving.py).
--
-- Arguments after `--` come in pairs, a Cookie header and a path: each thread goes round
-- those pages in turn, each page asked for with its own session. After the run it prints
-- one machine-readable line: requests, errors (answers of 400 and over, socket errors and
-- timeouts), redirects (3xx: the session was not recognised, or the page moved) and latency
-- percentiles in microseconds.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  pages = {}
  for i = 1, #args - 1, 2 do
    pages[#pages + 1] = wrk.format("GET", args[i + 1], { Cookie = args[i] })
  end
  -- Threads start at different pages, so every page is in flight from the start.
  turn = id - 1
  redirects = 0
end

function request()
  if #pages == 0 then
    return wrk.request()
  end
  turn = turn + 1
  return pages[(turn - 1) % #pages + 1]
end

function response(status, headers, body)
  if status >= 300 and status < 400 then
    redirects = redirects + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  local redirected = 0
  for _, thread in ipairs(threads) do
    redirected = redirected + thread:get("redirects")
  end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d errors=%d redirects=%d p50_us=%d p95_us=%d p99_us=%d "
      .. "max_us=%d\n",
    summary.requests, summary.duration, errors, redirected,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
