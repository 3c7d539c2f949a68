#!/usr/bin/env bash
# The scale benchmark of issue 16, point 4 (not in CI; make bench-scale). On the database of
# DATABASE_URL (make bench-scale brings up lagesbild_scale on the local cluster):
#
#  1. the shared 1,000,000-observation dataset (../shared/bench/gen-data.sql: 6,160 national
#     DeSO-like cells, 30 cities) in the project's tables (.ci/bench-load.sql), measured;
#  2. grown to SCALE_ROWS observations (default 20,000,000) by deterministic copies of those
#     rows: copy k of row i is moved by an offset of up to ±400 m and ±45 days derived from
#     md5(k, i) — the same rows on every machine, the same spatial and temporal spread, k times
#     the density — imported through the import path's SQL shape (spatial order), measured;
#  3. at that size: one server process against two processes and the cluster's streaming
#     standby behind nginx (.ci/standby.sh; the same two cores: it shows the mechanism).
#
# Each measurement: district tiles and observation point tiles (../shared/bench/tiles.txt, one
# pass, c=16, uncached), items with bbox (bboxes.txt, limit 1,000, as a police reader), and a
# municipality's Gi* (Västerås's districts, three years one at a time, so the memo never
# answers). Results go to bench-out/scale/results.tsv and a table on stdout.
#   SCALE_ROWS=N       target size (default 20000000)
#   SCALE_SKIP_GROW=1  measure what is there
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/bench"
out="$root/bench-out/scale"
mkdir -p "$out"
rows="${SCALE_ROWS:-20000000}"
port=18480
psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

waitfor() { for _ in $(seq 1 600); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench-scale: $2 did not come up" >&2; exit 1; }

go build -o "$root/bin/lagesbild" ./cmd/lagesbild
"$root/bin/lagesbild" migrate >/dev/null
if [ "$(psqlq -tAc "SELECT to_regclass('bench.observations') IS NOT NULL")" != t ]; then
  echo "bench-scale: generating the shared dataset" >&2
  psqlq -f "$shared/gen-data.sql" >/dev/null
fi
count() { psqlq -tAc "SELECT count(*) FROM observations WHERE source_id LIKE 'bench-%'"; }
if [ "$(count)" -lt 1000000 ]; then
  echo "bench-scale: loading 1,000,000 observations into the project's tables" >&2
  psqlq -f "$root/.ci/bench-load.sql" >/dev/null
fi
"$root/bin/lagesbild" org add bench-polis "Benchmark (police)" police >/dev/null 2>&1 || true
token=$("$root/bin/lagesbild" token create --org bench-polis --scope read --expires 1d --name bench-scale | tail -1)
police="Authorization: Bearer $token"
area=$(psqlq -tAc "SELECT string_agg(code, ',' ORDER BY code) FROM districts WHERE code LIKE 'B-%'
  AND ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(16.45, 59.58, 16.65, 59.66, 4326), 3006))")

results="$out/results.tsv"
[ -s "$results" ] || printf 'size\tsetup\twork\trps\tp50_ms\tp99_ms\terrors\n' > "$results"
pass() { # size setup work base template list [header]
  local size=$1 setup=$2 work=$3 base=$4 template=$5 list=$6 hdr=${7:-} line
  line=$(LIST="$list" TEMPLATE="$template" THREADS=2 ONE_PASS=1 HEADERS="$hdr" \
    wrk -t2 -c16 -d900s --timeout 60s -s "$shared/cycle.lua" "$base" 2>&1 | grep '^RESULT' || true)
  [ -n "$line" ] || { echo "bench-scale: no RESULT ($work)" >&2; return 1; }
  awk -v s="$size" -v u="$setup" -v w="$work" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", s, u, w, v["rps"], v["p50_ms"], v["p99_ms"], v["err_connect"] + v["err_read"] + v["err_status"] + v["err_timeout"] }' \
    <<<"$line" | tee -a "$results" >&2
}
gistar() { # size setup base: three one-year Gi* runs of the municipality, the median wall time
  local size=$1 setup=$2 base=$3 t ts=()
  for y in 2022 2023 2024; do
    t=$(curl -fsS -o /dev/null -w '%{time_total}' -H "$police" \
      "$base/analysis/hotspots?method=gistar&side=150&area=$area&datetime=$y-01-01T00:00:00Z/$((y + 1))-01-01T00:00:00Z") || t=err
    ts+=("$t")
  done
  printf '%s\t%s\t%s\t%s\t\t\t\n' "$size" "$setup" "Gi* Västerås (s, median of 3 years)" "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p)" | tee -a "$results" >&2
}
measure() { # size setup base
  local size=$1 setup=$2 base=$3
  pass "$size" "$setup" "district tiles" "$base" '/collections/districts/tiles/WebMercatorQuad/{z}/{y}/{x}' "$shared/tiles.txt"
  pass "$size" "$setup" "observation tiles" "$base" '/collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}?aggregate=false&properties=observed_at,category,severity' "$shared/tiles.txt" "$police"
  pass "$size" "$setup" "items, bbox, limit 1,000" "$base" '/collections/observations/items?bbox={bbox}&limit=1000' "$shared/bboxes.txt" "$police"
  gistar "$size" "$setup" "$base"
}
serve() { # port [args…]: one server process, no tile cache
  local p=$1; shift
  "$root/bin/lagesbild" serve --addr "127.0.0.1:$p" --tile-cache-mb 0 --analysis-cache-mb 0 "$@" 2>>"$out/server.log" >/dev/null &
  pids+=($!)
  waitfor "http://127.0.0.1:$p/readyz" "serve on $p"
}
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

n=$(count)
if [ "$n" -le 1000000 ]; then
  serve $port
  measure "1M" "1 process" "http://127.0.0.1:$port"
  stop_servers
fi

if [ -z "${SCALE_SKIP_GROW:-}" ] && [ "$n" -lt "$rows" ]; then
  copies=$(( (rows + 999999) / 1000000 - 1 ))
  echo "bench-scale: growing to $rows observations ($copies copies)" >&2
  t0=$(date +%s)
  # As the import does for a bulk load: drop the secondary indexes, insert, build them again.
  # On the partitioned table (migration 025) the catalogue says "ON ONLY", which would build the parent's index alone.
  mapfile -t defs < <(psqlq -tAc "SELECT replace(indexdef, ' ON ONLY ', ' ON ') FROM pg_indexes WHERE tablename = 'observations' AND schemaname = 'public'
    AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'observations'::regclass)")
  # The copies' dates move by up to 45 days: their years need partitions (there is no default one).
  if [ "$(psqlq -tAc "SELECT to_regprocedure('lgb_observation_partition(integer)') IS NOT NULL")" = t ]; then
    psqlq -tAc "SELECT lgb_observation_partition(y) FROM generate_series(
      (SELECT extract(year FROM min(observed_at))::int - 1 FROM observations), (SELECT extract(year FROM max(observed_at))::int + 1 FROM observations)) AS y" >/dev/null
  fi
  psqlq -tAc "SELECT indexname FROM pg_indexes WHERE tablename = 'observations' AND schemaname = 'public'
    AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'observations'::regclass)" |
    while read -r ix; do psqlq -c "DROP INDEX \"$ix\"" >/dev/null; done
  for k in $(seq 1 "$copies"); do
    [ "$(psqlq -tAc "SELECT EXISTS (SELECT FROM observations WHERE source = 'police' AND source_id = 'bench-$k-1')")" = t ] && continue
    psqlq <<SQL
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
SELECT o.observed_at + ((abs(('x' || substr(h, 1, 8))::bit(32)::int) % 91 - 45) * interval '1 day'),
       o.category, o.severity, o.source, 'bench-$k-' || substr(o.source_id, 7), o.sensitivity, true,
       ST_Translate(o.geom, abs(('x' || substr(h, 9, 8))::bit(32)::int) % 801 - 400, abs(('x' || substr(h, 17, 8))::bit(32)::int) % 801 - 400)
FROM (SELECT *, md5('$k/' || source_id) AS h FROM observations WHERE source_id LIKE 'bench-%' AND source_id NOT LIKE 'bench-%-%') o
ORDER BY 8;
SQL
    echo "bench-scale: copy $k of $copies, $(( $(date +%s) - t0 )) s" >&2
  done
  t1=$(date +%s)
  for d in "${defs[@]}"; do psqlq -c "SET maintenance_work_mem = '1GB'" -c "$d" >/dev/null; done
  echo "bench-scale: indexes built again in $(( $(date +%s) - t1 )) s" >&2
  psqlq -c 'VACUUM ANALYZE observations' >/dev/null
  echo "bench-scale: grown in $(( $(date +%s) - t0 )) s ($(( (rows - 1000000) / ($(date +%s) - t0 + 1) )) rows/s)" >&2
fi
size="$(( $(count) / 1000000 ))M"

serve $port
measure "$size" "1 process" "http://127.0.0.1:$port"
stop_servers

# Two processes and the standby behind nginx, on the same machine.
standby=$(PGPORT_STANDBY="${PGPORT_STANDBY:-}" "$root/.ci/standby.sh" "$(psqlq -tAc 'SELECT current_database()')" | tail -n 1 | cut -d= -f2-)
replica="${standby/lagesbild@/lagesbild_server@}"
serve $((port + 1)) --read-database-url "$replica" --trusted-proxy 127.0.0.1
serve $((port + 2)) --read-database-url "$replica" --trusted-proxy 127.0.0.1
ngx="$out/nginx"; mkdir -p "$ngx"
cat > "$ngx/nginx.conf" <<CONF
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ngx/body; proxy_temp_path $ngx/proxy; fastcgi_temp_path $ngx/fastcgi; uwsgi_temp_path $ngx/uwsgi; scgi_temp_path $ngx/scgi;
  upstream lagesbild { server 127.0.0.1:$((port + 1)); server 127.0.0.1:$((port + 2)); least_conn; keepalive 32; }
  server { listen 127.0.0.1:$port;
    location / { proxy_pass http://lagesbild; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_read_timeout 120s; } }
}
CONF
nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" -g 'daemon off;' &
pids+=($!)
waitfor "http://127.0.0.1:$port/readyz" nginx
measure "$size" "2 processes + standby, nginx" "http://127.0.0.1:$port"
stop_servers

{
  echo "| size | setup | work | requests/s (or s) | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---:|---:|---:|---:|"
  tail -n +2 "$results" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
  echo
  echo "machine: $(nproc) cores, load $(uptime | sed 's/.*load average: //'), $(date -u '+%Y-%m-%d %H:%M') UTC"
} | tee "$out/table.md"
