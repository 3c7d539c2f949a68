#!/usr/bin/env bash
# Writes the shared benchmark's 1,000,000 observations (schema bench, loaded by
# ../shared/bench/gen-data.sql) as one GeoJSON FeatureCollection in CRS84, the input of the
# import benchmark (README, "Benchmarks"): categories mapped to ours as .ci/bench-load.sql
# does, source police, source_id bench-<id>.
# usage: BENCH_DATABASE_URL=postgres://… .ci/bench-observations-geojson.sh OUT.geojson
set -euo pipefail
: "${BENCH_DATABASE_URL:?BENCH_DATABASE_URL must name the database holding schema bench}"
out=${1:?usage: $0 OUT.geojson}
{
  printf '{"type":"FeatureCollection","name":"bench_observations","features":[\n'
  psql -X -q -At -v ON_ERROR_STOP=1 "$BENCH_DATABASE_URL" -c "
    COPY (
      SELECT CASE WHEN row_number() OVER (ORDER BY id) > 1 THEN ',' ELSE '' END ||
             json_build_object(
               'type', 'Feature',
               'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 7)::json,
               'properties', json_build_object(
                 'observed_at', to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
                 'category', CASE category WHEN 'drug_dealing' THEN 'open_drug_dealing'
                                           WHEN 'loitering_groups' THEN 'gathering_insecurity'
                                           ELSE category END,
                 'severity', severity, 'source', 'police', 'source_id', 'bench-' || id))::text
      FROM bench.observations ORDER BY id
    ) TO STDOUT"
  printf ']}\n'
} > "$out"
