#!/usr/bin/env bash
# A streaming standby of the local cluster of .ci/db.sh, for the read-replica tests (issue 16):
# pg_basebackup of the running primary into .data/pg-standby (beside .data/pg), hot standby
# on 127.0.0.1:${PGPORT_STANDBY:-PGPORT_LOCAL+1000}, streaming from the primary.
#   .ci/standby.sh [DB]   bring it up (idempotent: a standby that streams is reused; one that
#                         belongs to another cluster or does not stream is made again); the
#                         last line printed is STANDBY_DATABASE_URL=<url of DB on the standby>
#   .ci/standby.sh stop|start   stop or start it (the tests' failover check)
# It needs the primary up (.ci/db.sh first).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
port="${PGPORT_LOCAL:-55432}"
sport="${PGPORT_STANDBY:-$((port + 1000))}"
bindir=/usr/lib/postgresql/15/bin
pgdata="$(readlink -f "$root/.data/pg")"
sdata="$(dirname "$pgdata")/pg-standby"
rundir="$(dirname "$pgdata")/run-standby"

if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner="$(id -un)"
  as_owner() { "$@"; }
fi
ctl() { as_owner "$bindir/pg_ctl" -D "$sdata" "$@"; }

case "${1:-}" in
  stop) ctl status >/dev/null 2>&1 && ctl stop -m fast -w >&2; exit 0 ;;
  start) ctl status >/dev/null 2>&1 || ctl -l "$sdata/server.log" -w -t 60 start >&2; exit 0 ;;
esac
db="${1:-lagesbild_test}"

sysid() { as_owner "$bindir/pg_controldata" "$1" | awk -F: '/Database system identifier/ { gsub(/ /, "", $2); print $2 }'; }
q() { psql -X -qtA -h 127.0.0.1 -p "$sport" -U lagesbild -d postgres -c "$1" 2>/dev/null || true; }

streaming() {
  for _ in $(seq 1 60); do
    [ "$(q "SELECT status FROM pg_stat_wal_receiver")" = streaming ] && return 0
    sleep 0.5
  done
  return 1
}

fresh() {
  if [ -s "$sdata/PG_VERSION" ]; then ctl stop -m immediate >/dev/null 2>&1 || true; fi
  rm -rf "$sdata"
  mkdir -p "$sdata" "$rundir"
  chown "$owner" "$sdata" "$rundir"
  chmod 700 "$sdata"
  echo "standby: pg_basebackup of 127.0.0.1:$port into $sdata" >&2
  as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U lagesbild -D "$sdata" -R -X stream --checkpoint=fast >&2
  cat >> "$sdata/postgresql.conf" <<CONF
# Lägesbild test standby (.ci/standby.sh)
port = $sport
unix_socket_directories = '$rundir'
shared_buffers = 128MB
hot_standby = on
# Queries on the standby hold back the primary's vacuum rather than being cancelled by it.
hot_standby_feedback = on
CONF
  rm -f "$sdata/postmaster.pid" "$sdata/server.log"
}

mkdir -p "$rundir"; chown "$owner" "$rundir"
if [ ! -s "$sdata/PG_VERSION" ] || [ "$(sysid "$sdata")" != "$(sysid "$pgdata")" ]; then
  fresh
fi
if ! ctl status >/dev/null 2>&1; then
  echo "standby: starting on 127.0.0.1:$sport" >&2
  ctl -l "$sdata/server.log" -w -t 60 start >&2 || true
fi
if ! streaming; then
  echo "standby: not streaming (WAL it needs may be gone): making it again" >&2
  fresh
  ctl -l "$sdata/server.log" -w -t 60 start >&2
  streaming || { echo "standby: does not stream; see $sdata/server.log" >&2; exit 1; }
fi
echo "STANDBY_DATABASE_URL=postgres://lagesbild@127.0.0.1:$sport/$db?sslmode=disable"
