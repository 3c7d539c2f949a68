#!/usr/bin/env bash
# Tests the backups of docs/operations.md end to end on this machine (not part of make test:
# about a minute). Needs the local cluster (.ci/db.sh; PGPORT_LOCAL) and builds bin/lagesbild.
#
#  1. pg_dump: a migrated database with the demo data is dumped (deploy/backup.sh dump),
#     restored into a new database (deploy/restore.sh dump), and compared table by table
#     (row counts and a checksum of every row); lagesbild migrate finds nothing to do, and
#     lagesbild serve answers from the restored database as its login role.
#  2. Base backup + WAL archiving: a scratch cluster on port PGPORT_LOCAL+2000 archives its WAL;
#     a base backup is taken (deploy/backup.sh base), a row is written after it and archived,
#     the cluster is thrown away, and the restore (deploy/restore.sh base) replays the archive:
#     the row written after the base backup is there.
# Exit status 0 only when both restores hold everything.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
port="${PGPORT_LOCAL:-55432}"
scratch_port=$((port + 2000))
bindir=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/lagesbild-restore.XXXXXX)"
chmod 755 "$work"
if [ "$(id -u)" -eq 0 ]; then owner=postgres; as_owner() { runuser -u "$owner" -- "$@"; }; else owner="$(id -un)"; as_owner() { "$@"; }; fi
chown "$owner" "$work"
url() { echo "postgres://lagesbild@127.0.0.1:$1/$2?sslmode=disable"; }
psqlq() { psql -X -qtA -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  for d in "$work/scratch" "$work/restored"; do
    [ -s "$d/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$d" stop -m immediate >/dev/null 2>&1 || true
  done
  psql -X -q "$(url "$port" postgres)" -c 'DROP DATABASE IF EXISTS lagesbild_restore_src WITH (FORCE)' \
    -c 'DROP DATABASE IF EXISTS lagesbild_restore_dst WITH (FORCE)' >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

.ci/db.sh lagesbild_restore_src >/dev/null
go build -o bin/lagesbild ./cmd/lagesbild
export PATH="$root/bin:$PATH"
src="$(url "$port" lagesbild_restore_src)"; dst="$(url "$port" lagesbild_restore_dst)"
DATABASE_URL="$src" lagesbild migrate >/dev/null
DATABASE_URL="$src" lagesbild demo load >/dev/null

# Every table of ours: its row count and the md5 of its rows in a fixed order.
fingerprint() {
  psqlq "$1" <<'SQL'
SELECT string_agg(format('%s %s', t, r), E'\n' ORDER BY t) FROM (
  SELECT c.relname AS t,
         (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text)), '''') AS c FROM %I.%I x', n.nspname, c.relname), false, true, '')))[1]::text AS r
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'spatial_ref_sys'
) s;
SQL
}

echo "== 1. pg_dump and restore"
t0=$(date +%s)
dump="$(DATABASE_URL="$src" deploy/backup.sh dump "$work/dumps")"
deploy/restore.sh dump "$dump" "$dst" >/dev/null
a="$(fingerprint "$src")"; b="$(fingerprint "$dst")"
if [ "$a" != "$b" ]; then
  diff <(echo "$a") <(echo "$b") >&2 || true
  echo "FAIL: the restored database differs from the dumped one" >&2
  exit 1
fi
echo "   $(echo "$a" | wc -l) tables equal ($(echo "$a" | awk '{ split($2, p, ":"); s += p[1] } END { print s }') rows); dump $(du -h "$dump" | cut -f1), $(( $(date +%s) - t0 )) s"
if ! DATABASE_URL="$dst" lagesbild migrate | grep -q 'the schema is up to date'; then
  echo "FAIL: the restored schema is not current" >&2; exit 1
fi
addr="127.0.0.1:$((port + 2001))"
DATABASE_URL="$dst" lagesbild serve --addr "$addr" >"$work/serve.log" 2>&1 &
serve=$!
ok=""
for _ in $(seq 1 100); do
  if curl -fsS "http://$addr/readyz" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
n="$(curl -fsS "http://$addr/collections/districts/items?limit=1" | grep -o '"numberReturned":1' || true)"
kill "$serve"; wait "$serve" || true
if [ -z "$ok" ] || [ -z "$n" ]; then cat "$work/serve.log" >&2; echo "FAIL: serve does not answer from the restore" >&2; exit 1; fi
echo "   lagesbild migrate: nothing to do; serve on the restore: districts $n"

echo "== 2. Base backup, WAL archive, point-in-time restore"
t0=$(date +%s)
mkdir -p "$work/scratch" "$work/archive" "$work/run"
chown "$owner" "$work/scratch" "$work/archive" "$work/run"
as_owner "$bindir/initdb" -D "$work/scratch" -U lagesbild --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$work/scratch/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $scratch_port
unix_socket_directories = '$work/run'
shared_buffers = 128MB
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $work/archive/%f && cp %p $work/archive/%f'
CONF
as_owner "$bindir/pg_ctl" -D "$work/scratch" -l "$work/scratch.log" -w start >/dev/null
scratch="$(url "$scratch_port" lagesbild)"
psql -X -q "$(url "$scratch_port" postgres)" -f "$work/dumps"/roles-*.sql >/dev/null 2>&1 || true
deploy/restore.sh dump "$dump" "$scratch" >/dev/null
before="$(fingerprint "$scratch")"
base="$(DATABASE_URL="$scratch" deploy/backup.sh base "$work/base")"
# After the base backup: a change that only the WAL archive holds.
psqlq "$scratch" -c "INSERT INTO login_limits (key, fails, last_at, next_at, used_at, expires_at)
  VALUES ('\\x00ff'::bytea, 7, now(), now(), now(), now() + interval '1 day')" >/dev/null
seg="$(psqlq "$scratch" -c 'SELECT pg_walfile_name(pg_current_wal_lsn())')"
psqlq "$scratch" -c 'SELECT pg_switch_wal()' >/dev/null
for _ in $(seq 1 100); do [ -f "$work/archive/$seg" ] && break; sleep 0.1; done
[ -f "$work/archive/$seg" ] || { echo "FAIL: WAL segment $seg was not archived" >&2; exit 1; }
as_owner "$bindir/pg_ctl" -D "$work/scratch" stop -m immediate >/dev/null   # the machine is lost
rm -rf "$work/scratch"
mkdir -p "$work/restored"; chown "$owner" "$work/restored"
deploy/restore.sh base "$base" "$work/archive" "$work/restored"
chown -R "$owner" "$work/restored"
as_owner "$bindir/pg_ctl" -D "$work/restored" -l "$work/restored.log" -w -t 120 start >/dev/null
for _ in $(seq 1 300); do
  [ "$(psqlq "$scratch" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
  sleep 0.2
done
marker="$(psqlq "$scratch" -c "SELECT fails FROM login_limits WHERE key = '\\x00ff'::bytea")"
after="$(psqlq "$scratch" -c "DELETE FROM login_limits WHERE key = '\\x00ff'::bytea" >/dev/null; fingerprint "$scratch")"
if [ "$marker" != 7 ] || [ "$before" != "$after" ]; then
  echo "FAIL: point-in-time restore: marker '$marker' (want 7), tables equal: $([ "$before" = "$after" ] && echo yes || echo no)" >&2
  exit 1
fi
echo "   base backup $(du -sh "$base" | cut -f1), the row written after it replayed from the archive, every table equal; $(( $(date +%s) - t0 )) s"
echo "restore-test: ok"
