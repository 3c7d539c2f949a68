#!/usr/bin/env bash
# make soak: the load and soak test of issue 12 against bin/lagesbild on this machine, bounded
# in time (about eight minutes). Three runs of wrk, 64 connections for 60 s each, of
# .ci/soak.lua's mix (map tiles, district tiles, observation items, indicators, and one
# hotspot analysis in twenty requests) with a police reader's API token, after 30 s of the
# same mix to warm up (not measured). Beside each run a probe — a second wrk, 4 connections of
# the same mix without the analyses, wrk's 2 s timeout — measures what a map user waits for
# while the analyses run (the goal: p99 ≤ 1 s, no timeout); the mix itself gives up on a
# request after 10 s (an analysis may take seconds; the server's own deadline is 60 s):
#   1. load        the mix alone;
#   2. hostile     the mix while .ci/hostile sends the hostile requests of findings 7–10
#                  (memory, cost, slow bodies, lockout attempts) from other loopback addresses;
#   3. restart     the mix while PostgreSQL is restarted 20 s in (answers are 503 while it is
#                  down; nothing may fail after it is back).
# The server's resident memory is sampled every second; it is read again 30 s after each run.
# Data: ../shared/bench (1,000,000 observations, as make bench) plus the demo (the Västerås
# districts the hotspot analysis runs over, indicators, demo accounts), in a database of its own.
# Needs DATABASE_URL (the Makefile sets it to the local lagesbild_soak database). Results go to
# soak-results/ and the summary to standard output. Loopback only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED_BENCH:-$root/../shared/bench}"
out="$root/soak-results"
mkdir -p "$out"
: "${DATABASE_URL:?DATABASE_URL must be set}"
port="${SOAK_PORT:-18090}"
duration="${SOAK_DURATION:-60s}"
conns="${SOAK_CONNECTIONS:-64}"

psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }

"$root/bin/lagesbild" migrate >/dev/null
# The demo first: loading it replaces every illustrative row, the benchmark's among them.
if [ "$(psqlq -tAc "SELECT count(*) FROM districts WHERE level = 'district'")" = 0 ]; then
  "$root/bin/lagesbild" demo load >/dev/null
fi
if [ "$(psqlq -tAc "SELECT count(*) FROM observations WHERE source_id LIKE 'bench-%'")" != 1000000 ]; then
  echo "soak: loading the shared benchmark dataset (a minute or two)" >&2
  psqlq -tAc "SELECT 1 FROM pg_namespace WHERE nspname = 'bench'" | grep -q 1 || psqlq -f "$shared/gen-data.sql" >/dev/null
  psqlq -f "$root/.ci/bench-load.sql"
fi
go build -o "$root/bin/hostile" "$root/.ci/hostile"

"$root/bin/lagesbild" org add soak-polis "Soak test (police)" police >/dev/null 2>&1 || true
token=$("$root/bin/lagesbild" token create --org soak-polis --scope read --expires 1d --name soak | tail -1)

"$root/bin/lagesbild" serve --demo --addr "127.0.0.1:$port" ${SOAK_SERVE_FLAGS:-} 2>"$out/server.log" &
pid=$!
sampler=
cleanup() { [ -n "$sampler" ] && kill "$sampler" 2>/dev/null; kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
# sample FILE: the server's resident memory in MiB, once a second, until killed.
sample() { while true; do echo "$(date +%s) $(rss)" >>"$1"; sleep 1; done; }

pgdata=$(readlink -f "$root/.data/pg")
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

summary="$out/summary.txt"
: >"$summary"
echo "soak: $(date -u +%FT%TZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$summary"
echo "soak: resident memory at start $(rss) MiB" | tee -a "$summary"

# phase NAME: one wrk run of the mix while the given command runs beside it.
phase() {
  local name=$1; shift
  : >"$out/rss-$name.txt"
  sample "$out/rss-$name.txt" & sampler=$!
  "$@" &
  local side=$!
  THREADS=1 ONLY=maps TILES="$shared/tiles.txt" BBOXES="$shared/bboxes.txt" HEADERS="Authorization: Bearer $token" \
    wrk -t1 -c4 -d"$duration" --timeout 2s -s "$root/.ci/soak.lua" "http://127.0.0.1:$port" >"$out/wrk-$name-probe.txt" 2>&1 &
  local probe=$!
  THREADS=2 TILES="$shared/tiles.txt" BBOXES="$shared/bboxes.txt" HEADERS="Authorization: Bearer $token" \
    wrk -t2 -c"$conns" -d"$duration" --timeout 10s -s "$root/.ci/soak.lua" "http://127.0.0.1:$port" >"$out/wrk-$name.txt" 2>&1
  wait "$probe" || true
  wait "$side" || true
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
  local peak; peak=$(awk '$2 > m {m = $2} END {print m + 0}' "$out/rss-$name.txt")
  local end; end=$(rss)
  sleep 30
  echo "== $name: $(grep '^RESULT' "$out/wrk-$name.txt" | cut -d' ' -f2-)" | tee -a "$summary"
  grep '^STATUS' "$out/wrk-$name.txt" | sed 's/^/   /' | tee -a "$summary" || true
  echo "   probe (maps and items): $(grep '^RESULT' "$out/wrk-$name-probe.txt" | cut -d' ' -f2-)" | tee -a "$summary"
  grep '^STATUS' "$out/wrk-$name-probe.txt" | sed 's/^/   probe /' | tee -a "$summary" || true
  [ -s "$out/hostile-$name.txt" ] && sed 's/^/   /' "$out/hostile-$name.txt" | tee -a "$summary"
  echo "   resident memory: peak ${peak} MiB, at the end ${end} MiB, 30 s after $(rss) MiB" | tee -a "$summary"
}

nothing() { sleep 1; }
hostile() { "$root/bin/hostile" -addr "127.0.0.1:$port" -duration "$duration" -token "$token" >"$out/hostile-hostile.txt" 2>&1; }
restart() {
  sleep 20
  echo "soak: restarting PostgreSQL at $(date -u +%T)" >&2
  as_owner /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m fast -w -t 60 restart -l "$pgdata/server.log" >/dev/null
  echo "soak: PostgreSQL back at $(date -u +%T)" >&2
}

# Warm-up, not measured: the first requests compute the four analyses of the mix and fill the
# tile cache, as a server in use has them.
THREADS=2 TILES="$shared/tiles.txt" BBOXES="$shared/bboxes.txt" HEADERS="Authorization: Bearer $token" \
  wrk -t2 -c"$conns" -d30s --timeout 10s -s "$root/.ci/soak.lua" "http://127.0.0.1:$port" >"$out/wrk-warmup.txt" 2>&1
echo "soak: warm-up $(grep '^RESULT' "$out/wrk-warmup.txt" | cut -d' ' -f2-4)" | tee -a "$summary"

phase load nothing
phase hostile hostile
phase restart restart
echo "soak: load average after: $(cut -d' ' -f1-3 /proc/loadavg); results in $out" | tee -a "$summary"
