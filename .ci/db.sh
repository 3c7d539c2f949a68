#!/usr/bin/env bash
# Brings up the project-local PostgreSQL cluster (under .data/pg, owned by an unprivileged OS
# user because PostgreSQL refuses to run as root), listening on 127.0.0.1:${PGPORT_LOCAL:-55432}
# only, and creates database $1 (default: lagesbild) with PostGIS. Idempotent: a second run
# reuses the cluster and its data. The last line printed is DATABASE_URL=<url>.
set -euo pipefail

db="${1:-lagesbild}"
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${PGPORT_LOCAL:-55432}"
pgdata="$root/.data/pg"
rundir="$root/.data/run"
bindir=/usr/lib/postgresql/15/bin

"$root/.ci/deps.sh" >&2

if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner="$(id -un)"
  as_owner() { "$@"; }
fi

mkdir -p "$root/.data"
if [ "$(id -u)" -eq 0 ] && ! runuser -u "$owner" -- test -x "$root/.data"; then
  # The owner cannot reach the work tree (a clone under /root, say): keep the cluster where it
  # can, and link it from .data/pg so it is still found in the usual place.
  alt="/var/lib/lagesbild/$(printf '%s' "$root" | sha1sum | cut -c1-12)"
  mkdir -p "$alt"
  chown "$owner" "$alt"
  [ -e "$pgdata" ] || ln -s "$alt/pg" "$pgdata"
  pgdata="$alt/pg"
  rundir="$alt/run"
fi
if [ ! -s "$pgdata/PG_VERSION" ]; then
  echo "db: creating cluster in $pgdata (owner $owner)" >&2
  mkdir -p "$pgdata" "$rundir"
  chown "$owner" "$pgdata" "$rundir"
  chmod 700 "$pgdata"
  # trust on 127.0.0.1 only: a development cluster, unreachable from outside the machine. It
  # covers both roles: lagesbild (the owner, migrations and operator commands) and
  # lagesbild_server (serve's login role, made by `lagesbild migrate`), so neither needs a password.
  # initdb's own report (and its advice to start the server, which this script does next) goes
  # to a log, shown only if it fails.
  if ! as_owner "$bindir/initdb" -D "$pgdata" -U lagesbild --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
       --no-instructions >"$root/.data/initdb.log" 2>&1; then
    cat "$root/.data/initdb.log" >&2
    exit 1
  fi
  cat >> "$pgdata/postgresql.conf" <<CONF
# Lägesbild development cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$rundir'
max_connections = 200
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 512MB
effective_cache_size = 8GB
random_page_cost = 1.1
# JIT costs far more than it saves on the short queries a map server runs.
jit = off
synchronous_commit = off
max_wal_size = 4GB
CONF
fi
mkdir -p "$rundir"; chown "$owner" "$rundir"

if ! as_owner "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  echo "db: starting PostgreSQL on 127.0.0.1:$port" >&2
  as_owner "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 -s start >&2
fi

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U lagesbild "$@"; }
if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  echo "db: creating database $db" >&2
  psql_admin -d postgres -c "CREATE DATABASE \"$db\""
fi
PGOPTIONS='-c client_min_messages=warning' psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2

echo "DATABASE_URL=postgres://lagesbild@127.0.0.1:$port/$db?sslmode=disable"
