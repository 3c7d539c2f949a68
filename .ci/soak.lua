-- wrk script of `make soak` (.ci/soak.sh): a mix of reads as a map client makes them, with one
-- hotspot analysis in every twenty requests.
--
-- Environment:
--   TILES     file of "z/x/y" lines (../shared/bench/tiles.txt)
--   BBOXES    file of "minlon,minlat,maxlon,maxlat" lines (../shared/bench/bboxes.txt)
--   HEADERS   extra headers, "Name: value|Name2: value2" (the reader token)
--   THREADS   the -t value given to wrk
--   ONLY      "maps": leave the hotspot analyses out of the mix (the probe that measures what a
--             map user waits for while the full mix runs beside it)
--
-- In every twenty requests of a thread: 8 map tiles (/tiles/WebMercatorQuad, the map page's
-- combined tiles), 2 district tiles, 7 observation item pages (a 1–3 km box, limit=100),
-- 2 indicator tables, 1 Gi* hotspot analysis (one of four datetime windows, so a repeated
-- analysis can come from the memo).
--
-- Prints a RESULT line as ../shared/bench/cycle.lua does, then STATUS lines: every answer that
-- was not 2xx or 304, by second of the run and status, so an outage can be placed in time.

local nthreads = tonumber(os.getenv("THREADS") or "1")

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    line = line:gsub("%s+$", "")
    if line ~= "" and line:sub(1, 1) ~= "#" then out[#out + 1] = line end
  end
  return out
end

local ffi = require("ffi")
pcall(ffi.cdef, "typedef struct { long tv_sec; long tv_nsec; } soak_ts; int clock_gettime(int, soak_ts *);")
local function now()
  local t = ffi.new("soak_ts"); ffi.C.clock_gettime(0, t) -- CLOCK_REALTIME: comparable across threads
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

local tiles, bboxes, n
local windows = {
  "2024-01-01T00:00:00Z/2024-12-31T23:59:59Z", "2023-01-01T00:00:00Z/2023-12-31T23:59:59Z",
  "2024-07-01T00:00:00Z/2024-12-31T23:59:59Z", "2022-01-01T00:00:00Z/2024-12-31T23:59:59Z",
}
local mix = { "tile", "items", "tile", "items", "indicator", "tile", "items", "districts", "tile", "hotspot",
              "tile", "items", "tile", "items", "indicator", "tile", "items", "districts", "tile", "items" }
if os.getenv("ONLY") == "maps" then
  local maps = {}
  for _, kind in ipairs(mix) do if kind ~= "hotspot" then maps[#maps + 1] = kind end end
  mix = maps
end
bad = {}   -- "second status" → count; read by done() through thread:get
t0 = 0
function init(args)
  tiles, bboxes = lines(os.getenv("TILES")), lines(os.getenv("BBOXES"))
  n = (tid or 0) * 7919
  t0 = now()
  local hs = os.getenv("HEADERS")
  if hs and hs ~= "" then
    for h in hs:gmatch("[^|]+") do
      local k, v = h:match("^%s*([^:]+):%s*(.*)$")
      if k then wrk.headers[k] = v end
    end
  end
end

function request()
  n = n + 1
  local kind = mix[n % #mix + 1]
  local path
  if kind == "tile" or kind == "districts" then
    local z, x, y = tiles[n % #tiles + 1]:match("^(%d+)/(%d+)/(%d+)$")
    if kind == "tile" then
      path = "/tiles/WebMercatorQuad/" .. z .. "/" .. y .. "/" .. x
    else
      path = "/collections/districts/tiles/WebMercatorQuad/" .. z .. "/" .. y .. "/" .. x
    end
  elseif kind == "items" then
    path = "/collections/observations/items?limit=100&bbox=" .. bboxes[n % #bboxes + 1]
  elseif kind == "indicator" then
    path = "/indicators/overcrowding/districts?year=" .. (2018 + n % 4)
  else
    path = "/analysis/hotspots?datetime=" .. windows[math.floor(n / #mix) % #windows + 1]
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status >= 300 and status ~= 304 then
    local key = string.format("%d %d", math.floor(now() - t0), status)
    bad[key] = (bad[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f bytes=%d bytes_per_req=%.0f mean_ms=%.2f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, secs, summary.requests / secs, summary.bytes,
    summary.requests > 0 and summary.bytes / summary.requests or 0,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
  local all, start = {}, math.huge
  for _, th in ipairs(threads) do start = math.min(start, th:get("t0")) end
  for _, th in ipairs(threads) do
    local off = math.floor(th:get("t0") - start)
    for k, v in pairs(th:get("bad")) do
      local s, st = k:match("^(%d+) (%d+)$")
      local key = string.format("second=%03d status=%s", tonumber(s) + off, st)
      all[key] = (all[key] or 0) + v
    end
  end
  local keys = {}
  for k in pairs(all) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do io.write(string.format("STATUS %s count=%d\n", k, all[k])) end
end
