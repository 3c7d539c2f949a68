#!/usr/bin/env bash
# make bench: loads ../shared/bench's synthetic dataset (1,000,000 observations, 6,280
# districts, 5,000 places) into the project's own tables in a separate database, then runs
# the Go benchmarks and wrk against bin/lagesbild. Results go to bench-results/.
# Needs DATABASE_URL (the Makefile sets it to the local lagesbild_bench database).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED_BENCH:-$root/../shared/bench}"
out="$root/bench-results"
mkdir -p "$out"
: "${DATABASE_URL:?DATABASE_URL must be set}"
port="${BENCH_PORT:-18080}"
duration="${BENCH_DURATION:-20s}"

psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }

"$root/bin/lagesbild" migrate
if [ "$(psqlq -tAc "SELECT count(*) FROM observations WHERE source_id LIKE 'bench-%'")" != 1000000 ]; then
  echo "bench: generating the shared dataset (about a minute)" >&2
  psqlq -f "$shared/gen-data.sql" >/dev/null
  psqlq -f "$root/.ci/bench-load.sql"
fi

echo "bench: go test -bench" >&2
BENCH_DATABASE_URL="$DATABASE_URL" go test -run '^$' -bench . -benchtime 3s -count 1 ./... | tee "$out/go-bench.txt"

echo "bench: wrk against bin/lagesbild on 127.0.0.1:$port" >&2
"$root/bin/lagesbild" serve --addr "127.0.0.1:$port" 2>"$out/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# The reference servers serve every row to anyone; like for like, the benchmarks read as a
# police reader (clearance for every row), through the same row-level security as any caller.
"$root/bin/lagesbild" org add bench-polis "Benchmark (police)" police >/dev/null 2>&1 || true
token=$("$root/bin/lagesbild" token create --org bench-polis --scope read --expires 1d --name bench | tail -1)
export BENCH_AUTH="Authorization: Bearer $token"

wrkrun() { # name connections template list [extra env]
  local name=$1 conns=$2 template=$3 list=$4
  echo "== $name (c=$conns)" | tee -a "$out/wrk.txt"
  LIST="$list" TEMPLATE="$template" THREADS=2 ONE_PASS="${ONE_PASS:-}" HEADERS="$BENCH_AUTH" \
    wrk -t2 -c"$conns" -d"$duration" -s "$shared/cycle.lua" "http://127.0.0.1:$port" 2>&1 | grep -E 'RESULT|Non-2xx' | tee -a "$out/wrk.txt"
}
: > "$out/wrk.txt"
for c in 16 64; do
  wrkrun "observation items, bbox, limit=1000" "$c" "/collections/observations/items?bbox={bbox}&limit=1000" "$shared/bboxes.txt"
done
[ -x "$root/.ci/bench-tiles.sh" ] && "$root/.ci/bench-tiles.sh" "$port" "$out" "$shared"
echo "bench: results in $out" >&2
