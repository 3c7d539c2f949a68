#!/usr/bin/env bash
# Import benchmark (README, "Hotspots"): times `lagesbild import observations` on the
# 1,000,000-feature GeoJSON of .ci/bench-observations-geojson.sh, whole command wall time,
# (a) into an empty observations table and (b) into one already holding the demo data, in a
# scratch database created for the purpose (dropped and re-created on every run).
# usage: BENCH_DATABASE_URL=postgres://…/lagesbild_bench .ci/bench-import.sh [RUNS]
# BENCH_DATABASE_URL names the database holding schema bench (../shared/bench/gen-data.sql);
# the GeoJSON is written once to .data/bench/obs.geojson.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
: "${BENCH_DATABASE_URL:?BENCH_DATABASE_URL must name the database holding schema bench}"
runs=${1:-2}
file="$root/.data/bench/obs.geojson"
mkdir -p "$root/.data/bench"
[ -s "$file" ] || "$root/.ci/bench-observations-geojson.sh" "$file"
(cd "$root" && go build -o bin/lagesbild ./cmd/lagesbild)

scratch=lagesbild_import_bench
admin="${BENCH_DATABASE_URL%/*}/postgres?sslmode=disable"
url="${BENCH_DATABASE_URL%/*}/$scratch?sslmode=disable"
fresh() {
  psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch"
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  DATABASE_URL="$url" "$root/bin/lagesbild" migrate >/dev/null
}
timed() { # label, then the command
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s: %.1f s wall, %.0f features/s\n", l, b - a, 1000000 / (b - a) }'
}
for run in $(seq "$runs"); do
  fresh
  psql -X -q "$url" -c "CHECKPOINT" >/dev/null
  timed "run $run, empty table" env DATABASE_URL="$url" "$root/bin/lagesbild" import observations --timings "$file"
  fresh
  DATABASE_URL="$url" "$root/bin/lagesbild" demo load >/dev/null
  psql -X -q "$url" -c "VACUUM ANALYZE observations" -c "CHECKPOINT" >/dev/null
  echo "demo rows: $(psql -X -tAc 'SELECT count(*) FROM observations' "$url")"
  timed "run $run, demo data present" env DATABASE_URL="$url" "$root/bin/lagesbild" import observations --timings "$file"
done
psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $scratch"
