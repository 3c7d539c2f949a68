#!/usr/bin/env bash
# Import benchmark (README, "Hotspots"): whole-command wall time of
# `lagesbild import observations` on the 1,000,000-feature GeoJSON of
# .ci/bench-observations-geojson.sh (a) into an empty observations table, (b) into one already
# holding the demo data, (c) row by row (--rebuild-at -1, the path of small imports), and
# (d) ogr2ogr (PG_USE_COPY) loading the same file into a new table, the reference figure of
# ../shared/bench, measured in the same minutes so a busy machine shows in both.
# Each run uses a scratch database created for the purpose (dropped and re-created).
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
  psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch" 2>/dev/null
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  DATABASE_URL="$url" "$root/bin/lagesbild" migrate >/dev/null
}
settle() { psql -X -q "$url" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; }
timed() { # label, then the command
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s: %.1f s wall, %.0f features/s\n", l, b - a, 1000000 / (b - a) }'
}
import() { env DATABASE_URL="$url" "$root/bin/lagesbild" import observations --timings "$@" "$file"; }
for run in $(seq "$runs"); do
  fresh; settle
  timed "run $run, empty table" import
  fresh; DATABASE_URL="$url" "$root/bin/lagesbild" demo load >/dev/null; settle
  echo "demo rows: $(psql -X -tAc 'SELECT count(*) FROM observations' "$url")"
  timed "run $run, demo data present" import
  if command -v ogr2ogr >/dev/null; then
    fresh; settle
    pg="PG:$(printf '%s' "$url" | sed -E 's|^postgres(ql)?://([^@]+)@([^:/]+):([0-9]+)/([^?]+).*|host=\3 port=\4 user=\2 dbname=\5|')"
    timed "run $run, ogr2ogr into a new table" env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$pg" "$file" -nln ogr_observations -lco GEOMETRY_NAME=geom
  fi
done
fresh; settle
timed "empty table, row by row (--rebuild-at -1)" import --rebuild-at -1
psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $scratch"
