-- wrk script: POST a new contact per request to the add-contact endpoint.
-- Every request carries a different possible NANP number (the simulator refuses
-- duplicates), so wrk does the same work per request as the locust add user.
-- Set by load_locust_vs_wrk.py through the environment: WRK_AUTH (the Basic
-- header value), WRK_FIRST (the first number of this run).

local counter = 0
local auth = os.getenv("WRK_AUTH")
local first = tonumber(os.getenv("WRK_FIRST") or "2000000000")

function request()
  counter = counter + 1
  local phone = string.format("+1%010d", first + counter)
  local body = string.format(
    '{"name":"wrk %d","email":"wrk-%d@example.com","phone_number":"%s","external_unique_id":"wrk-%d"}',
    counter, counter, phone, counter)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = auth,
  }, body)
end

-- No response() hook: it would run Lua per response and slow wrk down;
-- summary.errors.status counts every status outside 2xx/3xx.
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
