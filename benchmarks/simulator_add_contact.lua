-- wrk script for simulator_add_contact.py: POST a new contact per request.
-- Every request carries a different possible NANP number (the simulator refuses
-- duplicates, and a refusal is cheaper than a store); each wrk thread gets its
-- own block of 10^8 numbers through setup(). Environment: BENCH_AUTH (Basic
-- header value, may be empty), BENCH_FIRST (first number of the run).

local next_thread = 0

function setup(thread)
  thread:set("block", next_thread)
  next_thread = next_thread + 1
end

local counter = 0
local auth = os.getenv("BENCH_AUTH") or ""
local first = tonumber(os.getenv("BENCH_FIRST") or "2000000000")

function request()
  counter = counter + 1
  local n = first + block * 100000000 + counter
  local body = string.format(
    '{"name":"bench %d","email":"bench-%d@example.com","phone_number":"+1%010d","external_unique_id":"bench-%d"}',
    n, n, n, n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
