-- monthend.lua - one kind of request of the month-end mix (bench/monthend.py),
-- for wrk: wrk -t1 -cN -dS -s bench/monthend.lua URL -- REQUESTS.tsv
--
-- REQUESTS.tsv (written by monthend.py, one request a line, tab-separated):
--   METHOD  TOKEN  PATH  [JSON BODY]
-- each an officer's own request (her API token, her commune's unit, members
-- and branches). The connections take the lines in turn, round and round,
-- so that a request comes back only after all the others of the file
-- (monthend.py orders writes so that this keeps each one succeeding: a
-- member's move there, and only a whole round later her move back).
--
-- At the end one line on standard output for monthend.py:
--   MONTHEND requests=N seconds=S p50_us=.. p99_us=.. max_us=..
--            socket=connect/read/write/timeout status=200:N,409:N,...
-- and, before it, for each status but 2xx its first answer's body:
--   MONTHEND_FIRST 409 {"error": ...}
-- wrk's own latency histogram gives the percentiles; the status counts are
-- kept here (wrk only says "Non-2xx or 3xx responses").

local reqs, n, i = {}, 0, 0

-- BENCH_THINK_MS (monthend.py passes it on): each connection waits this
-- long after an answer before its next request, as an official reads the
-- page she got; unset or 0, none (each connection sends at once: the mix
-- then takes all the server can give, and every lane runs full). wrk calls
-- delay() only when it is defined.
local think = tonumber(os.getenv("BENCH_THINK_MS") or "0") or 0
if think > 0 then
   function delay()
      return think
   end
end
statuses = {}   -- globals: done() reads them from each thread with thread:get
firsts = {}     -- the first answer of each status but 2xx (what went wrong)
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local file = args[1]
   if file == nil then
      error("monthend.lua: the requests file is missing (wrk ... -- FILE)")
   end
   for line in io.lines(file) do
      local method, token, path, body = line:match("^(%S+)\t(%S+)\t([^\t]+)\t?(.*)$")
      if method then
         local headers = {["Authorization"] = "Bearer " .. token}
         if body ~= "" then
            headers["Content-Type"] = "application/json"
         else
            body = nil
         end
         n = n + 1
         reqs[n] = wrk.format(method, path, headers, body)
      end
   end
   if n == 0 then
      error("monthend.lua: no request in " .. file)
   end
end

-- wrk calls request() once after init() to look at the request (whether it
-- is pipelined) and sends nothing of it: that call must not take a line,
-- or a member's move there is skipped and her move back answers 422.
local looked_at = false

function request()
   if not looked_at then
      looked_at = true
      return reqs[1]
   end
   i = i % n + 1
   return reqs[i]
end

function response(status, headers, body)
   local k = tostring(status)
   statuses[k] = (statuses[k] or 0) + 1
   if (status < 200 or status > 299) and firsts[k] == nil then
      firsts[k] = string.sub(string.gsub(body or "", "%s+", " "), 1, 300)
   end
end

function done(summary, latency, requests)
   local counts = {}
   for _, t in ipairs(threads) do
      local s = t:get("statuses")
      if s then
         for k, v in pairs(s) do
            counts[k] = (counts[k] or 0) + v
         end
      end
   end
   for _, t in ipairs(threads) do
      local f = t:get("firsts")
      if f then
         for k, v in pairs(f) do
            io.write("MONTHEND_FIRST " .. k .. " " .. v .. "\n")
         end
      end
   end
   local parts = {}
   for k, v in pairs(counts) do
      table.insert(parts, k .. ":" .. v)
   end
   table.sort(parts)
   local e = summary.errors
   io.write(string.format(
      "MONTHEND requests=%d seconds=%.3f p50_us=%d p99_us=%d max_us=%d socket=%d/%d/%d/%d status=%s\n",
      summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
