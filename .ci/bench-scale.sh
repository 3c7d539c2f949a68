#!/usr/bin/env bash
# The scale benchmark of issue 16, point 4 (not in CI; make bench-scale; docs/operations.md,
# "Measured at scale"). Two databases on the local cluster of DATABASE_URL, side by side:
#
#   small  <db>_1m: the shared 1,000,000-observation dataset (../shared/bench/gen-data.sql:
#          6,160 national DeSO-like cells, 30 cities) in the project's tables (.ci/bench-load.sql);
#   large  <db> (DATABASE_URL's): the same, grown to SCALE_ROWS observations (default
#          20,000,000) over many more "municipalities": copy k of the 1,000,000 rows is the
#          national dataset moved to a region of its own — a grid of 600 km × 1,200 km slots
#          south, east and west of Sweden (x offset 600 km × (-2…2), y offset -1,200 km × (0…9),
#          slot (0,0) is the original), each row jittered by up to ±400 m and ±45 days from
#          md5(k, source_id). The same rows on every machine; every region has the density,
#          the hotspots and the time spread of the original, so a request about Sweden (a tile,
#          a bbox, Västerås's Gi*) asks for the same rows in both databases and only the table
#          around them is 20 times larger: what is measured is the cost of the size. Each copy
#          is written in spatial order, as an import writes it, with the secondary indexes
#          dropped and built again afterwards (the import's bulk path).
#
#  1. small against large, one server process each, alternating pass by pass (RUNS, after a
#     warm-up pass each), so the machine's load falls on both alike: district tiles and
#     observation point tiles (../shared/bench/tiles.txt, one pass, c=16, no tile cache), items
#     with bbox (bboxes.txt, limit 1,000, as a police reader), and Västerås's Gi* (its
#     districts, one year at a time, no analysis memo, so every request computes);
#  3. on the large database: one server process against two processes reading from the
#     cluster's streaming standby (.ci/standby.sh) behind nginx, alternating. On the same two
#     cores this shows the mechanism, not the gain;
#  2. (run last) imports: `lagesbild import observations --timings` of the same
#     1,000,000-feature GeoJSON (the dataset of Sweden jittered once more, new source ids) into
#     each database, rows/s; both are set back afterwards.
#
# Results: bench-out/scale/results.tsv (every pass), bench-out/scale/table.md (medians and
# ratios), the import timings in bench-out/scale/import.txt.
#   SCALE_ROWS=N       target size of the large database (default 20000000, at most 50000000)
#   RUNS=N             measured passes per side and work (default 2)
#   SCALE_ONLY=1,2,3   the steps to run (default all; SCALE_ONLY=0 prepares and grows only)
#   SCALE_OUT=DIR      where the results go (default bench-out/scale)
#   SCALE_PORT=P       first of the four ports used (default 18480)
#   SCALE_BIN=FILE     where the server is built (default bin/lagesbild), from the current
#                      directory's module: a run can measure another worktree's build
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/bench"
out="${SCALE_OUT:-$root/bench-out/scale}"
mkdir -p "$out"
rows="${SCALE_ROWS:-20000000}"
runs="${RUNS:-2}"
only="${SCALE_ONLY:-1,2,3}"
port="${SCALE_PORT:-18480}"
: "${DATABASE_URL:?DATABASE_URL must name the large database (make bench-scale sets it)}"
large_url="$DATABASE_URL"
large_db="${large_url##*/}"; large_db="${large_db%%\?*}"
small_db="${large_db}_1m"
small_url="${large_url%/*}/$small_db?sslmode=disable"
admin_url="${large_url%/*}/postgres?sslmode=disable"
[ "$rows" -le 50000000 ] || { echo "bench-scale: SCALE_ROWS is at most 50000000 (50 region slots)" >&2; exit 2; }

psqlq() { local url=$1; shift; psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
waitfor() { for _ in $(seq 1 600); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench-scale: $2 did not come up" >&2; exit 1; }
load() { uptime | sed 's/.*load average: //; s/,.*//'; }
step() { [[ ",$only," == *",$1,"* ]]; }

bin="${SCALE_BIN:-$root/bin/lagesbild}"
go build -o "$bin" ./cmd/lagesbild
lgb() { local url=$1; shift; DATABASE_URL="$url" "$bin" "$@"; }
count() { psqlq "$1" -tAc "SELECT count(*) FROM observations WHERE source_id LIKE 'bench-%'"; }

# prepare URL: the database with the shared 1,000,000 observations in the project's tables.
prepare() {
  local url=$1 db=${1##*/}; db=${db%%\?*}
  if [ "$(psqlq "$admin_url" -tAc "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
    psqlq "$admin_url" -c "CREATE DATABASE \"$db\""
  fi
  PGOPTIONS='-c client_min_messages=warning' psqlq "$url" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  lgb "$url" migrate >/dev/null
  if [ "$(psqlq "$url" -tAc "SELECT to_regclass('bench.observations') IS NOT NULL")" != t ]; then
    echo "bench-scale: generating the shared dataset in $db" >&2
    psqlq "$url" -f "$shared/gen-data.sql" >/dev/null
  fi
  # The demo municipality's districts (level district) first: they are the study area of the
  # municipality's Gi*, and loading the demo later would replace the benchmark's rows.
  if [ "$(psqlq "$url" -tAc "SELECT count(*) FROM districts WHERE level = 'district'")" = 0 ]; then
    lgb "$url" demo load >/dev/null
  fi
  if [ "$(count "$url")" -lt 1000000 ]; then
    echo "bench-scale: loading 1,000,000 observations into $db" >&2
    psqlq "$url" -f "$root/.ci/bench-load.sql" >/dev/null
  fi
  lgb "$url" org add bench-polis "Benchmark (police)" police >/dev/null 2>&1 || true
}
prepare "$small_url"
prepare "$large_url"

# The region slot of copy k (1…49): slot j skips (0,0), the original.
slot_sql() { # k → "dx dy" in metres (EPSG:3006)
  local j=$(( $1 >= 2 ? $1 + 1 : $1 ))
  echo "$(( (j % 5 - 2) * 600000 )) $(( -(j / 5) * 1200000 ))"
}

n=$(count "$large_url")
if [ "$n" -lt "$rows" ]; then
  copies=$(( (rows + 999999) / 1000000 - 1 ))
  echo "bench-scale: growing $large_db to $rows observations ($copies copies), load $(load)" >&2
  # The originals once, in spatial order, so a copy reads 1,000,000 rows, not the grown table.
  psqlq "$large_url" <<'SQL'
CREATE UNLOGGED TABLE IF NOT EXISTS bench.scale_base AS
SELECT observed_at, category, severity, source, source_id, sensitivity, geom
FROM observations WHERE source_id LIKE 'bench-%' AND source_id NOT LIKE 'bench-%-%' ORDER BY geom;
SQL
  # As the import does for a bulk load: drop the secondary indexes, insert, build them again.
  # Their definitions are kept in a file, so a run stopped half-way builds them all the same.
  ixfile="$out/indexes-$large_db.sql"
  if [ ! -s "$ixfile" ]; then
    # On the partitioned table (migration 024) the catalogue says "ON ONLY", which would build
    # the parent's index alone.
    psqlq "$large_url" -tAc "SELECT replace(indexdef, ' ON ONLY ', ' ON ') || ';' FROM pg_indexes WHERE tablename = 'observations' AND schemaname = 'public'
      AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'observations'::regclass)" > "$ixfile.tmp"
    mv "$ixfile.tmp" "$ixfile"
  fi
  psqlq "$large_url" -tAc "SELECT indexname FROM pg_indexes WHERE tablename = 'observations' AND schemaname = 'public'
    AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'observations'::regclass)" |
    while read -r ix; do [ -n "$ix" ] && psqlq "$large_url" -c "DROP INDEX \"$ix\""; done
  # The copies' dates move by up to 45 days: their years need partitions (there is no default one).
  if [ "$(psqlq "$large_url" -tAc "SELECT to_regprocedure('lgb_observation_partition(integer)') IS NOT NULL")" = t ]; then
    psqlq "$large_url" -tAc "SELECT lgb_observation_partition(y) FROM generate_series(
      (SELECT extract(year FROM min(observed_at))::int - 1 FROM bench.scale_base),
      (SELECT extract(year FROM max(observed_at))::int + 1 FROM bench.scale_base)) AS y" >/dev/null
  fi
  printf 'copy\trows_before\tseconds\trows_per_s\tload\n' > "$out/grow.tsv"
  t0=$(date +%s)
  for k in $(seq 1 "$copies"); do
    [ "$(psqlq "$large_url" -tAc "SELECT EXISTS (SELECT FROM observations WHERE source = 'police' AND source_id = 'bench-$k-1')")" = t ] && continue
    read -r dx dy <<<"$(slot_sql "$k")"
    before=$(psqlq "$large_url" -tAc "SELECT reltuples::bigint FROM pg_class WHERE oid = 'observations'::regclass")
    c0=$(date +%s.%N)
    psqlq "$large_url" <<SQL
SET work_mem = '256MB';
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
SELECT o.observed_at + ((abs(('x' || substr(h, 1, 8))::bit(32)::int) % 91 - 45) * interval '1 day'),
       o.category, o.severity, o.source, 'bench-$k-' || substr(o.source_id, 7), o.sensitivity, true,
       ST_Translate(o.geom, $dx + abs(('x' || substr(h, 9, 8))::bit(32)::int) % 801 - 400,
                            $dy + abs(('x' || substr(h, 17, 8))::bit(32)::int) % 801 - 400)
FROM (SELECT *, md5('$k/' || source_id) AS h FROM bench.scale_base) o
ORDER BY 8;
SQL
    c1=$(date +%s.%N)
    awk -v k="$k" -v b="$before" -v a="$c0" -v z="$c1" -v l="$(load)" 'BEGIN { printf "%d\t%d\t%.1f\t%.0f\t%s\n", k, b, z - a, 1000000 / (z - a), l }' |
      tee -a "$out/grow.tsv" >&2
    psqlq "$large_url" -c "ANALYZE observations" >/dev/null
  done
  t1=$(date +%s)
  while read -r def; do
    [ -n "$def" ] && psqlq "$large_url" -c "SET maintenance_work_mem = '1GB'" -c "$def"
  done < "$ixfile"
  rm -f "$ixfile"
  echo "bench-scale: indexes built again in $(( $(date +%s) - t1 )) s" >&2
  psqlq "$large_url" -c 'VACUUM ANALYZE observations'
  echo "bench-scale: grown in $(( $(date +%s) - t0 )) s, load $(load)" >&2
fi
psqlq "$large_url" -c 'VACUUM ANALYZE observations'
psqlq "$small_url" -c 'VACUUM ANALYZE observations'
small_n=$(count "$small_url") large_n=$(count "$large_url")
small="$(( small_n / 1000000 ))M" large="$(( large_n / 1000000 ))M"
schema=$(psqlq "$large_url" -tAc "SELECT CASE relkind WHEN 'p' THEN 'partitioned' ELSE 'one table' END FROM pg_class WHERE oid = 'observations'::regclass")
size=$(psqlq "$large_url" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")
echo "bench-scale: $small and $large observations ($schema, $size), load $(load)" >&2

token() { lgb "$1" token create --org bench-polis --scope read --expires 1d --name bench-scale | tail -1; }
small_auth="Authorization: Bearer $(token "$small_url")"
large_auth="Authorization: Bearer $(token "$large_url")"

results="$out/results.tsv"
[ -s "$results" ] || printf 'date\tschema\tcompare\tside\twork\trun\trps\tp50_ms\tp99_ms\tbytes_per_req\terrors\tload\n' > "$results"
stamp=$(date -u '+%Y-%m-%dT%H:%MZ')
# pass compare side work run base template list header: one pass of the list, one line
pass() {
  local compare=$1 side=$2 work=$3 run=$4 base=$5 template=$6 list=$7 hdr=$8 line passes done_dir wrk_pid
  # wrk runs until -d even when every thread has served its share; cycle.lua leaves a file
  # per finished thread in PASS_DONE_DIR, and SIGINT makes wrk report at once.
  done_dir=$(mktemp -d)
  LIST="$list" TEMPLATE="$template" THREADS=2 ONE_PASS=1 HEADERS="$hdr" PASS_DONE_DIR="$done_dir" \
    wrk -t2 -c16 -d900s --timeout 60s -s "$shared/cycle.lua" "$base" >"$done_dir/out" 2>&1 &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null && [ "$(find "$done_dir" -name 'done.*' | wc -l)" -lt 2 ]; do sleep 0.05; done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
  line=$(grep '^RESULT' "$done_dir/out" || true) passes=$(grep '^PASS' "$done_dir/out" || true)
  rm -rf "$done_dir"
  [ -n "$line" ] || { echo "bench-scale: no RESULT from wrk ($work, $side)" >&2; exit 1; }
  if awk '{ split($3, a, "="); split($5, b, "="); if (b[2] + 0 < a[2] + 0) bad = 1 } END { exit !bad }' <<<"$passes"; then
    echo "bench-scale: the pass did not finish within 900 s ($work, $side)" >&2; exit 1
  fi
  [ "$run" = warm-up ] && return
  awk -v d="$stamp" -v s="$schema" -v c="$compare" -v u="$side" -v w="$work" -v r="$run" -v l="$(load)" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    e = v["err_connect"] + v["err_read"] + v["err_write"] + v["err_status"] + v["err_timeout"]
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d, s, c, u, w, r, v["rps"], v["p50_ms"], v["p99_ms"], v["bytes_per_req"], e, l }' \
    <<<"$line" | tee -a "$results" >&2
}
# gistar compare side run base header: Västerås's Gi* (the demo municipality's districts, the
# default study area; 150 m hexagons), one year at a time; the year's wall
# time in s, written as the rate (1/s) so that higher is better throughout.
gistar() {
  local compare=$1 side=$2 run=$3 base=$4 hdr=$5 y t
  for y in 2022 2023 2024; do
    t=$(curl -fsS -o /dev/null -w '%{time_total}' -H "$hdr" \
      "$base/analysis/hotspots?method=gistar&side=150&datetime=$y-01-01T00:00:00Z/$((y + 1))-01-01T00:00:00Z")
    [ "$run" = warm-up ] && continue
    awk -v d="$stamp" -v s="$schema" -v c="$compare" -v u="$side" -v r="$run/$y" -v t="$t" -v l="$(load)" \
      'BEGIN { printf "%s\t%s\t%s\t%s\tGi* Västerås, one year\t%s\t%.3f\t%.0f\t%.0f\t\t0\t%s\n", d, s, c, u, r, 1 / t, t * 1000, t * 1000, l }' |
      tee -a "$results" >&2
  done
}
# compare name A-label A-base A-header B-label B-base B-header: every work, A and B alternating
compare() {
  local c=$1 an=$2 ab=$3 ah=$4 bn=$5 bb=$6 bh=$7 r w
  local -a works=(
    "district tiles|/collections/districts/tiles/WebMercatorQuad/{z}/{y}/{x}|$shared/tiles.txt|anon"
    "observation tiles|/collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}?aggregate=false&properties=observed_at,category,severity|$shared/tiles.txt|police"
    "items, bbox, limit 1,000|/collections/observations/items?bbox={bbox}&limit=1000|$shared/bboxes.txt|police"
  )
  for w in "${works[@]}"; do
    IFS='|' read -r name template list who <<<"$w"
    local ha=$ah hb=$bh
    [ "$who" = anon ] && ha="" hb=""
    echo "bench-scale: $c: $name, load $(load)" >&2
    pass "$c" "$an" "$name" warm-up "$ab" "$template" "$list" "$ha"
    pass "$c" "$bn" "$name" warm-up "$bb" "$template" "$list" "$hb"
    for r in $(seq "$runs"); do # A B, then B A: neither side always goes first
      if [ $((r % 2)) = 1 ]; then
        pass "$c" "$an" "$name" "$r" "$ab" "$template" "$list" "$ha"
        pass "$c" "$bn" "$name" "$r" "$bb" "$template" "$list" "$hb"
      else
        pass "$c" "$bn" "$name" "$r" "$bb" "$template" "$list" "$hb"
        pass "$c" "$an" "$name" "$r" "$ab" "$template" "$list" "$ha"
      fi
    done
  done
  echo "bench-scale: $c: Gi*, load $(load)" >&2
  gistar "$c" "$an" warm-up "$ab" "$ah"
  gistar "$c" "$bn" warm-up "$bb" "$bh"
  for r in $(seq "$runs"); do
    if [ $((r % 2)) = 1 ]; then
      gistar "$c" "$an" "$r" "$ab" "$ah"
      gistar "$c" "$bn" "$r" "$bb" "$bh"
    else
      gistar "$c" "$bn" "$r" "$bb" "$bh"
      gistar "$c" "$an" "$r" "$ab" "$ah"
    fi
  done
}
serve() { # url port [args…]: one server process, no tile cache, no analysis memo
  local url=$1 p=$2; shift 2
  DATABASE_URL="$url" "$bin" serve --addr "127.0.0.1:$p" --tile-cache-mb 0 --analysis-cache-mb 0 "$@" \
    2>>"$out/server-$p.log" >/dev/null &
  pids+=($!)
  waitfor "http://127.0.0.1:$p/readyz" "serve on $p"
}
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

if step 1; then
  serve "$small_url" $port
  serve "$large_url" $((port + 1))
  compare "$small vs $large" "$small" "http://127.0.0.1:$port" "$small_auth" "$large" "http://127.0.0.1:$((port + 1))" "$large_auth"
  stop_servers
fi

if step 3; then
  # Two processes and the standby behind nginx, on the same machine, against one process.
  standby=$("$root/.ci/standby.sh" "$large_db" | tail -n 1 | cut -d= -f2-)
  replica="${standby/lagesbild@/lagesbild_server@}"
  serve "$large_url" $((port + 1))
  serve "$large_url" $((port + 2)) --read-database-url "$replica" --trusted-proxy 127.0.0.1
  serve "$large_url" $((port + 3)) --read-database-url "$replica" --trusted-proxy 127.0.0.1
  ngx="$out/nginx"; mkdir -p "$ngx"
  cat > "$ngx/nginx.conf" <<CONF
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ngx/body; proxy_temp_path $ngx/proxy; fastcgi_temp_path $ngx/fastcgi; uwsgi_temp_path $ngx/uwsgi; scgi_temp_path $ngx/scgi;
  upstream lagesbild { least_conn; server 127.0.0.1:$((port + 2)); server 127.0.0.1:$((port + 3)); keepalive 32; }
  server { listen 127.0.0.1:$port;
    location / { proxy_pass http://lagesbild; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_read_timeout 120s; } }
}
CONF
  nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  waitfor "http://127.0.0.1:$port/readyz" nginx
  sport=${standby##*:}; sport=${sport%%/*}
  reads() { psql -X -qtA -h 127.0.0.1 -p "$sport" -U lagesbild -d "$large_db" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }
  r0=$(reads)
  compare "$large: 1 vs 2 processes + standby" "1 process" "http://127.0.0.1:$((port + 1))" "$large_auth" \
    "2 processes + standby, nginx" "http://127.0.0.1:$port" "$large_auth"
  echo "bench-scale: transactions on the standby during step 3: $(( $(reads) - r0 ))" | tee -a "$out/import.txt" >&2
  stop_servers
fi

if step 2; then
  # The 1,000,000 rows of Sweden once more (an import refuses points outside Sweden), each
  # jittered as a copy is (copy 50) and with source ids new to both databases, tagged with the
  # run. Last, since the rows land where the other steps measure: both databases are set back
  # afterwards (a delete and a vacuum, minutes on the large one).
  tag=$(date -u +%H%M%S)
  file="$root/.data/bench/scale-import-$tag.geojson"
  mkdir -p "$(dirname "$file")"
  {
    printf '{"type":"FeatureCollection","features":[\n'
    psqlq "$small_url" -At -c "COPY (
      SELECT CASE WHEN row_number() OVER (ORDER BY source_id) > 1 THEN ',' ELSE '' END ||
        json_build_object('type', 'Feature',
          'geometry', ST_AsGeoJSON(ST_Transform(ST_Translate(geom, abs(('x' || substr(h, 9, 8))::bit(32)::int) % 801 - 400,
            abs(('x' || substr(h, 17, 8))::bit(32)::int) % 801 - 400), 4326), 7)::json,
          'properties', json_build_object('observed_at', to_char((observed_at + (abs(('x' || substr(h, 1, 8))::bit(32)::int) % 91 - 45)
            * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
            'category', category, 'severity', severity, 'source', source, 'source_id', 'import$tag-' || source_id))::text
      FROM (SELECT *, md5('50/' || source_id) AS h FROM observations
            WHERE source_id LIKE 'bench-%' AND source_id NOT LIKE 'bench-%-%') o ORDER BY source_id) TO STDOUT"
    printf ']}\n'
  } > "$file"
  psqlq "$small_url" -c "DELETE FROM observations WHERE source_id LIKE 'import%'" -c 'VACUUM ANALYZE observations' >/dev/null
  echo "== $stamp ($schema), load $(load)" >> "$out/import.txt"
  for side in small large; do
    url=$small_url; [ $side = large ] && url=$large_url
    psqlq "$url" -c CHECKPOINT >/dev/null
    before=$(psqlq "$url" -tAc "SELECT count(*) FROM observations")
    t0=$(date +%s.%N)
    lgb "$url" import observations --timings "$file" > "$out/import-$side.txt" 2>&1
    t1=$(date +%s.%N)
    { echo "-- into $side ($before rows before), load $(load)"; cat "$out/import-$side.txt"; } >> "$out/import.txt"
    awk -v d="$stamp" -v s="$schema" -v u="$side ($(( (before + 500000) / 1000000 ))M before)" -v a="$t0" -v b="$t1" -v l="$(load)" \
      'BEGIN { printf "%s\t%s\timport\t%s\timport 1,000,000 (GeoJSON), rows/s\t1\t%.0f\t%.0f\t%.0f\t\t0\t%s\n", d, s, u, 1000000 / (b - a), (b - a) * 1000, (b - a) * 1000, l }' |
      tee -a "$results" >&2
  done
  for url in "$small_url" "$large_url"; do
    psqlq "$url" -c "DELETE FROM observations WHERE source_id LIKE 'import%'" -c 'VACUUM ANALYZE observations' >/dev/null
  done
  rm -f "$file"
fi

# Medians per (compare, side, work) of this run, and B/A.
{
  echo "Run $stamp, $schema, large database $size; machine: $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB; load at the end $(uptime | sed 's/.*load average: //')"
  echo
  echo "| compare | work | A | A req/s | A p99 ms | B | B req/s | B p99 ms | B/A | load |"
  echo "|---|---|---|---:|---:|---|---:|---:|---:|---|"
  awk -F'\t' -v d="$stamp" '$1 == d {
      key = $3 SUBSEP $5
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      if (!((key, $4) in sidx)) { sidx[key, $4] = ++ns[key]; sname[key, ns[key]] = $4 }
      i = sidx[key, $4]; m = ++cnt[key, i]; v[key, i, m] = $7; p[key, i, m] = $9
      loads[key] = loads[key] (loads[key] == "" ? "" : " ") $12
    }
    function med(key, i,    m, a, j, k, t) { m = cnt[key, i]; for (j = 1; j <= m; j++) a[j] = v[key, i, j] + 0
      for (j = 1; j <= m; j++) for (k = j + 1; k <= m; k++) if (a[k] < a[j]) { t = a[j]; a[j] = a[k]; a[k] = t }
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    function medp(key, i,    m, a, j, k, t) { m = cnt[key, i]; for (j = 1; j <= m; j++) a[j] = p[key, i, j] + 0
      for (j = 1; j <= m; j++) for (k = j + 1; k <= m; k++) if (a[k] < a[j]) { t = a[j]; a[j] = a[k]; a[k] = t }
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    END { for (x = 1; x <= n; x++) { key = order[x]; split(key, kk, SUBSEP)
      a = med(key, 1); b = 0; bp = 0; if (ns[key] > 1) { b = med(key, 2); bp = medp(key, 2) }
      ratio = 0; if (a > 0) ratio = b / a
      printf "| %s | %s | %s | %s | %.0f | %s | %s | %.0f | %.2f | %s |\n", kk[1], kk[2], sname[key, 1], num(a), medp(key, 1),
        sname[key, 2], num(b), bp, ratio, loads[key] } }
    function num(x) { return x < 10 ? sprintf("%.3f", x) : sprintf("%.1f", x) }' "$results"
  echo
  echo "(Gi*: req/s is 1/s of one year's analysis, p99 its median wall time in ms; import: rows/s.)"
} | tee "$out/table.md"
