#!/usr/bin/env bash
# Restores of a Lägesbild database (docs/operations.md, "Restore").
#
#   deploy/restore.sh dump FILE URL
#       Restores a dump of deploy/backup.sh into the database of URL (as its owner), which must
#       be new and empty: created here if missing. The roles must exist (roles-*.sql of the same
#       backup, applied with psql first). Then checks the schema is current (lagesbild migrate
#       must apply nothing, or applies what a newer binary adds).
#   deploy/restore.sh base BACKUP ARCHIVE PGDATA [TARGET]
#       Point-in-time restore: unpacks the base backup BACKUP (deploy/backup.sh base) into the
#       new, empty directory PGDATA and configures recovery from the WAL archive directory
#       ARCHIVE — to its end, or to TARGET (a timestamp, e.g. '2026-12-07 21:15:00+00').
#       Start the cluster afterwards (pg_ctl -D PGDATA start, or systemctl); it replays the
#       archive and opens for writes when done (recovery_target_action = promote).
set -euo pipefail

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
case "${1:-}" in
  dump)
    [ $# -eq 3 ] || usage
    file="$2"; url="$3"
    db="$(psql -X -qtA "$url" -c 'SELECT current_database()' 2>/dev/null || true)"
    if [ -z "$db" ]; then
      name="${url##*/}"; name="${name%%\?*}"
      admin="${url%/*}/postgres"; q="${url#*\?}"; [ "$q" != "$url" ] && admin="$admin?$q"
      psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "CREATE DATABASE \"$name\""
    fi
    if [ "$(psql -X -qtA "$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" != 0 ]; then
      echo "restore: the database of $url is not empty; restore into a new one" >&2
      exit 1
    fi
    # One transaction: a restore that fails leaves the database as empty as it found it.
    pg_restore --exit-on-error --single-transaction --dbname="$url" "$file"
    psql -X -q -v ON_ERROR_STOP=1 "$url" -c 'ANALYZE'
    if command -v lagesbild >/dev/null; then DATABASE_URL="$url" lagesbild migrate; fi
    ;;
  base)
    [ $# -ge 4 ] || usage
    backup="$2"; archive="$3"; pgdata="$4"; target="${5:-}"
    if [ -e "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
      echo "restore: $pgdata is not empty" >&2
      exit 1
    fi
    mkdir -p "$pgdata"; chmod 700 "$pgdata"
    tar -xzf "$backup/base.tar.gz" -C "$pgdata"
    if [ -f "$backup/pg_wal.tar.gz" ]; then tar -xzf "$backup/pg_wal.tar.gz" -C "$pgdata/pg_wal"; fi
    # A copy of the primary's configuration: it must not archive into the archive it restores
    # from, nor send WAL anywhere.
    {
      echo "# deploy/restore.sh: point-in-time restore"
      echo "restore_command = 'cp \"$archive/%f\" \"%p\"'"
      echo "archive_mode = off"
      [ -n "$target" ] && echo "recovery_target_time = '$target'"
      echo "recovery_target_action = 'promote'"
    } >> "$pgdata/postgresql.auto.conf"
    rm -f "$pgdata/standby.signal" "$pgdata/postmaster.pid"
    touch "$pgdata/recovery.signal"
    echo "restore: $pgdata is ready; start it and it recovers from $archive" >&2
    ;;
  *) usage ;;
esac
