-- rest-status.lua - the wrk script of run-rest-bench.sh.
--
-- Prints one machine-readable line when wrk ends (by its -d or by SIGINT):
--   RESULT requests=N seconds=S p50_us=.. p99_us=.. p999_us=.. max_us=..
--          errors=N non2xx=N
-- Latencies are wrk's own (request written to response read, in µs).
-- With WRK_DELAY_MS set, each connection waits that long between a
-- response and its next request: a fixed, non-saturating load.

local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if delay_ms > 0 then
    function delay()
        return delay_ms
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f errors=%d non2xx=%d\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
        latency:percentile(99.9), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
