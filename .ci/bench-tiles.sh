#!/usr/bin/env bash
# Tile benchmarks (called by .ci/bench.sh): wrk over ../shared/bench/tiles.txt against
# bin/lagesbild, uncached (--tile-cache-mb 0) and cached, at 16 and 64 connections.
#   .ci/bench-tiles.sh PORT OUTDIR SHAREDDIR
# Like the reference figures: uncompressed answers, server, PostgreSQL and wrk on the same
# two cores. Uncached observation tiles are heavy (whole list once, as the reference did).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port=$(( $1 + 1 )); out=$2; shared=$3
duration="${BENCH_DURATION:-20s}"
list="$shared/tiles.txt"
: "${DATABASE_URL:?DATABASE_URL must be set}"

start() { # cache-mb
  "$root/bin/lagesbild" serve --addr "127.0.0.1:$port" --tile-cache-mb "$1" 2>>"$out/server-tiles.log" >/dev/null &
  pid=$!
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "bench-tiles: server did not start" >&2; exit 1
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT

run() { # name connections template [one-pass]
  local d=$duration
  # One pass: the list sets the work and RESULT times it; wrk still runs until -d, so -d
  # is a cap sized to the work. --timeout: a heavy raw tile may take over wrk's default 2 s,
  # and a timed-out request would leave the pass unfinished.
  [ -n "${4:-}" ] && d=$4
  echo "== $1 (c=$2${4:+, whole list once})" | tee -a "$out/wrk-tiles.txt"
  # Districts are open data, read anonymously as the reference serves them; observation
  # points need a caller who may see them (bench.sh's police reader token).
  local hdr=""
  case "$3" in *observations*) hdr="${BENCH_AUTH:?set by bench.sh}" ;; esac
  LIST="$list" TEMPLATE="$3" THREADS=2 ONE_PASS="${4:+1}" HEADERS="$hdr" \
    wrk -t2 -c"$2" -d"$d" --timeout 30s -s "$shared/cycle.lua" "http://127.0.0.1:$port" 2>&1 |
    grep -E 'RESULT|Non-2xx|PASS' | tee -a "$out/wrk-tiles.txt" |
    awk '{ print } /^PASS/ { split($3, a, "="); split($5, b, "="); if (b[2] + 0 < a[2] + 0) print "bench-tiles: the pass did not finish within the cap; raise it" > "/dev/stderr" }'
}

: > "$out/wrk-tiles.txt"
districts='/collections/districts/tiles/WebMercatorQuad/{z}/{y}/{x}'
observations='/collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}'

start 0
for c in 16 64; do
  run "districts, uncached, timed" "$c" "$districts"
  # Two runs each, as the reference figures: the first also opens and warms database connections.
  for r in 1 2; do
    run "districts, uncached, run $r" "$c" "$districts" 10s
    run "observations as points (aggregate=false), uncached, run $r" "$c" "$observations?aggregate=false&properties=observed_at,category,severity" 40s
    run "observations, product default (cells below z13), uncached, run $r" "$c" "$observations" 20s
  done
done
stop

start 1024
run "warm-up: districts" 16 "$districts" 10s >/dev/null
run "warm-up: observations" 16 "$observations?aggregate=false&properties=observed_at,category,severity" 40s >/dev/null
for c in 16 64; do
  run "districts, cached" "$c" "$districts"
  run "observations as points, cached" "$c" "$observations?aggregate=false&properties=observed_at,category,severity"
done
stop
