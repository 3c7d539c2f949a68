#!/usr/bin/env bash
# make bench: Lägesbild beside the reference servers (../shared/bench/peers: pg_tileserv and
# pg_featureserv) in one run, on one database, with the same PostgreSQL settings for everyone.
#
# Loads ../shared/bench's synthetic dataset (1,000,000 observations, 6,280 districts, 5,000
# places) into the project's own tables in a separate database, gives the reference servers
# views over those tables with the attributes Lägesbild serves (.ci/bench-peers.sql), starts
# all three servers and runs each work as A B A B: one pass of ../shared/bench/cycle.lua over
# the shared list per run (ONE_PASS, wrk -d only a cap), after a warm-up pass each that opens
# and warms the database connections. Then cached district tiles, anonymous and a police
# reader's token at the same time (together), and the hotspot benchmarks. Prints the side-by-side table
# and writes it, with every RESULT line and the load (`uptime`), to bench-results/.
#
# Needs DATABASE_URL (the Makefile sets it to the local lagesbild_bench database).
#   BENCH_RUNS=2      runs of each side per work (A B A B for 2)
#   BENCH_ONLY=regex  only the works whose name matches (e.g. "^items", "^district tiles, cached")
#   BENCH_GO=hotspot  Go benchmarks: "hotspot" (the analysis figures), "all" (go test -bench ./...), "none"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED_BENCH:-$root/../shared/bench}"
peers="$shared/peers"
out="$root/bench-results"
mkdir -p "$out"
: "${DATABASE_URL:?DATABASE_URL must be set}"
# Ports follow the cluster's, so worktrees with clusters of their own can bench at once.
port="${BENCH_PORT:-$((18000 + ${PGPORT_LOCAL:-55432} % 100 * 20))}"
ts_port=$((port + 10)) fs_port=$((port + 11))
runs="${BENCH_RUNS:-2}"
# The reference servers' pools default to 4 connections; they get Lägesbild's 32, so no side
# waits for a pool the other does not have.
pool=32

psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }

# The reference servers' views (.ci/bench-peers.sql, made again below) depend on the tables a
# migration may replace (025 renames observations and drops the old table), so they go first.
psqlq -c "DROP SCHEMA IF EXISTS peer CASCADE" 2>/dev/null || true
"$root/bin/lagesbild" migrate
if [ "$(psqlq -tAc "SELECT count(*) FROM observations WHERE source_id LIKE 'bench-%'")" != 1000000 ]; then
  echo "bench: generating the shared dataset (about two minutes)" >&2
  psqlq -f "$shared/gen-data.sql" >/dev/null
  psqlq -f "$root/.ci/bench-load.sql"
fi
psqlq -f "$root/.ci/bench-peers.sql"
[ "$(psqlq -tAc "SHOW jit")" = off ] || { echo "bench: jit is on in this database; the comparison needs it off for everyone" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
waitfor() { # url name
  for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return; sleep 0.2; done
  echo "bench: $2 did not start" >&2; exit 1
}
lagesbild() { # port cache-mb: start bin/lagesbild serve; its pid goes to lb_pid
  "$root/bin/lagesbild" serve --addr "127.0.0.1:$1" --tile-cache-mb "$2" 2>>"$out/server.log" >/dev/null &
  lb_pid=$!; pids+=("$lb_pid")
  waitfor "http://127.0.0.1:$1/readyz" "bin/lagesbild"
}

: > "$out/server.log"
lagesbild "$port" 0
(cd "$peers" && TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$ts_port TS_DBPOOLMAXCONNS=$pool TS_MAXFEATURESPERTILE=50000 \
  exec ./pg_tileserv >"$out/pg_tileserv.log" 2>&1) &
pids+=($!)
(cd "$peers" && PGFS_SERVER_HTTPHOST=127.0.0.1 PGFS_SERVER_HTTPPORT=$fs_port PGFS_DATABASE_DBPOOLMAXCONNS=$pool \
  exec ./pg_featureserv >"$out/pg_featureserv.log" 2>&1) &
pids+=($!)
waitfor "http://127.0.0.1:$ts_port/index.json" pg_tileserv
waitfor "http://127.0.0.1:$fs_port/collections" pg_featureserv

# The reference servers serve every row to anyone (as the owner, which row-level security does
# not restrict). Lägesbild reads observations as a police reader (clearance for every row)
# through the same row-level security as any caller, and districts anonymously (open data).
"$root/bin/lagesbild" org add bench-polis "Benchmark (police)" police >/dev/null 2>&1 || true
token=$("$root/bin/lagesbild" token create --org bench-polis --scope read --expires 1d --name bench | tail -1)
police="Authorization: Bearer $token"

results="$out/results.tsv"
printf 'work\tconns\tserver\trun\trps\tp50_ms\tp99_ms\tbytes_per_req\terrors\n' > "$results"
pass() { # work conns server run base template list cap [header]: one pass of the list, one RESULT line
  local work=$1 conns=$2 server=$3 run=$4 base=$5 template=$6 list=$7 cap=$8 hdr=${9:-} line passes
  # wrk keeps running until -d even when every thread has finished its share; cycle.lua
  # leaves a file per finished thread in PASS_DONE_DIR, and SIGINT makes wrk report at once.
  local done_dir; done_dir=$(mktemp -d)
  LIST="$list" TEMPLATE="$template" THREADS=2 ONE_PASS=1 HEADERS="$hdr" PASS_DONE_DIR="$done_dir" \
    wrk -t2 -c"$conns" -d"$cap" --timeout 30s -s "$shared/cycle.lua" "$base" >"$done_dir/out" 2>&1 &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null && [ "$(find "$done_dir" -name 'done.*' | wc -l)" -lt 2 ]; do sleep 0.05; done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
  tee -a "$out/wrk.txt" <"$done_dir/out" >/dev/null
  line=$(grep '^RESULT' "$done_dir/out" || true) passes=$(grep '^PASS' "$done_dir/out" || true)
  rm -rf "$done_dir"
  [ -n "$line" ] || { echo "bench: no RESULT from wrk ($work, $server)" >&2; exit 1; }
  if grep '^PASS' <<<"$passes" | awk '{ split($3, a, "="); split($5, b, "="); if (b[2] + 0 < a[2] + 0) bad = 1 } END { exit !bad }'; then
    echo "bench: the pass did not finish within the cap of $cap ($work, $server)" >&2; exit 1
  fi
  [ "$run" = warm-up ] && return
  record "$work" "$conns" "$server" "$run" "$line"
}
record() { # work conns server run RESULT-line: one row of results.tsv
  awk -v w="$1" -v c="$2" -v s="$3" -v r="$4" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    err = v["err_connect"] + v["err_read"] + v["err_write"] + v["err_status"] + v["err_timeout"]
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", w, c, s, r, v["rps"], v["p50_ms"], v["p99_ms"], v["bytes_per_req"], err
  }' <<<"$5" | tee -a "$results" >&2
}
# together work conns secs run A-name A-header B-name B-header base template list: both sides
# at once against one server, timed, each with conns connections; the two runs share the
# same seconds of the machine, so load that comes and goes weighs on both alike.
together() {
  local work=$1 conns=$2 secs=$3 run=$4 an=$5 ah=$6 bn=$7 bh=$8 base=$9 tmpl=${10} list=${11} d pa pb
  d=$(mktemp -d)
  one() { LIST="$list" TEMPLATE="$tmpl" THREADS=1 HEADERS="$1" wrk -t1 -c"$conns" -d"$secs" --timeout 30s -s "$shared/cycle.lua" "$base" >"$2" 2>&1; }
  # Which side starts first alternates by run, so a head start favours neither.
  if [ $((${run//[!0-9]/0} % 2)) = 1 ]; then
    one "$ah" "$d/a" & pa=$!; one "$bh" "$d/b" & pb=$!
  else
    one "$bh" "$d/b" & pb=$!; one "$ah" "$d/a" & pa=$!
  fi
  wait "$pa" "$pb" || true
  cat "$d/a" "$d/b" >> "$out/wrk.txt"
  grep -q '^RESULT' "$d/a" && grep -q '^RESULT' "$d/b" || { echo "bench: no RESULT from wrk ($work)" >&2; exit 1; }
  if [ "$run" != warm-up ]; then
    record "$work" "$conns + $conns" "$an" "$run" "$(grep '^RESULT' "$d/a")"
    record "$work" "$conns + $conns" "$bn" "$run" "$(grep '^RESULT' "$d/b")"
  fi
  rm -rf "$d"
}
side() { # work conns cap A-name A-base A-template A-header B-name B-base B-template list
  local work=$1 conns=$2 cap=$3 an=$4 ab=$5 at=$6 ah=$7 bn=$8 bb=$9 bt=${10} list=${11} r
  [[ $work =~ ${BENCH_ONLY:-.} ]] || return 0
  echo "bench: $work, c=$conns" >&2
  echo "== $work (c=$conns)" >> "$out/wrk.txt"
  pass "$work" "$conns" "$an" warm-up "$ab" "$at" "$list" "$cap" "$ah"
  pass "$work" "$conns" "$bn" warm-up "$bb" "$bt" "$list" "$cap"
  for r in $(seq "$runs"); do
    pass "$work" "$conns" "$an" "$r" "$ab" "$at" "$list" "$cap" "$ah"
    pass "$work" "$conns" "$bn" "$r" "$bb" "$bt" "$list" "$cap"
  done
}

lb="http://127.0.0.1:$port" ts="http://127.0.0.1:$ts_port" fs="http://127.0.0.1:$fs_port"
tiles="$shared/tiles.txt" boxes="$shared/bboxes.txt"
lb_districts='/collections/districts/tiles/WebMercatorQuad/{z}/{y}/{x}'
lb_points='/collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}?aggregate=false&properties=observed_at,category,severity'
: > "$out/wrk.txt"
load_before=$(uptime)
started=$(date -u '+%Y-%m-%d %H:%M')
side "district tiles, uncached" 16 120s Lägesbild "$lb" "$lb_districts" "" pg_tileserv "$ts" '/peer.districts_3857/{z}/{x}/{y}.pbf' "$tiles"
side "district tiles, uncached" 64 120s Lägesbild "$lb" "$lb_districts" "" pg_tileserv "$ts" '/peer.districts_3857/{z}/{x}/{y}.pbf' "$tiles"
side "observation point tiles, uncached" 16 600s Lägesbild "$lb" "$lb_points" "$police" pg_tileserv "$ts" '/peer.observations_3857/{z}/{x}/{y}.pbf' "$tiles"
side "items, bbox, limit 1,000" 16 300s Lägesbild "$lb" '/collections/observations/items?bbox={bbox}&limit=1000' "$police" \
  pg_featureserv "$fs" '/collections/peer.observations/items.json?bbox={bbox}&limit=1000' "$boxes"

# Cached district tiles: the same server and cache, anonymous against a police reader's token
# (whose credentials are checked on every request, so a revocation takes effect at once).
if [[ "district tiles, cached" =~ ${BENCH_ONLY:-.} ]]; then
  kill "$lb_pid"; wait "$lb_pid" 2>/dev/null || true
  lagesbild "$port" 1024
  # Both at once (together), 8 connections each, 10 s per run: taken one after the other,
  # runs of a few seconds each measured the machine's load more than the token (0.71–1.41×).
  pass "district tiles, cached" 16 anonymous warm-up "$lb" "$lb_districts" "$tiles" 60s
  pass "district tiles, cached" 16 "police token" warm-up "$lb" "$lb_districts" "$tiles" 60s "$police"
  for r in $(seq $((runs + 1))); do
    together "district tiles, cached" 8 10s "$r" "police token" "$police" anonymous "" "$lb" "$lb_districts" "$tiles"
  done
fi
load_after=$(uptime)
finished=$(date -u '+%H:%M')

# The table: per work each side's runs, requests/s (p99 ms), and the ratio of each run pair.
table="$out/side-by-side.md"
{
  echo "make bench, $started–$finished UTC, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), main at $(git -C "$root" rev-parse --short HEAD)"
  echo "load before: ${load_before#*load average: }; after: ${load_after#*load average: } (uptime)"
  echo "method: one database ($(psqlq -tAc "SELECT split_part(version(), ' ', 2)"), PostGIS $(psqlq -tAc "SELECT split_part(postgis_lib_version(), ' ', 1)"), jit off), wrk -t2, one pass of the list per run after a warm-up pass each, A B A B, uncompressed"
  echo
  echo "| work | c | A | A req/s (p99 ms) | B | B req/s (p99 ms) | ratio A/B |"
  echo "|---|---:|---|---|---|---|---:|"
  awk -F'\t' -f "$root/.ci/bench-table.awk" "$results"
} > "$table"
cat "$table"
# A reference server's failed requests are reported in the table; Lägesbild's fail the bench.
if awk -F'\t' 'NR > 1 && $9 > 0 && $3 !~ /^pg_/ { bad = 1 } END { exit !bad }' "$results"; then
  echo "bench: Lägesbild failed requests (see $out/wrk.txt)" >&2; exit 1
fi

case "${BENCH_GO:-hotspot}" in
  all) BENCH_DATABASE_URL="$DATABASE_URL" go test -run '^$' -bench . -benchtime 3s -count 1 ./... | tee "$out/go-bench.txt" ;;
  # Gi* on 1,000,000 observations and 12,000 cells, in parts: the database's (cells, reading
  # the observations) and the computation's. BenchmarkHotspotRepeat (web) runs on the demo data:
  # go test ./web -run '^$' -bench HotspotRepeat, with the test database's DATABASE_URL.
  hotspot) BENCH_DATABASE_URL="$DATABASE_URL" go test -run '^$' -bench 'HotspotLoad|GiStar' -benchtime 5x -count 1 ./layers ./geo/hotspot | tee "$out/go-bench.txt"
    # End to end through the API: Gi* on all 1,000,000 observations over about 12,000 cells. It
    # reads the benchmark database only, so the web package's own test database is not made
    # (no DATABASE_URL, and not under CI, where that would be refused).
    env -u DATABASE_URL -u CI BENCH_DATABASE_URL="$DATABASE_URL" go test -run '^$' -bench 'HotspotMillion' -benchtime 5x -count 1 ./web | tee -a "$out/go-bench.txt" ;;
esac
echo "bench: results in $out" >&2
