#!/usr/bin/env bash
# Backups of a Lägesbild database (docs/operations.md, "Backups").
#
#   deploy/backup.sh dump DIR
#       pg_dump of the database of $DATABASE_URL (the schema owner's URL) in the custom format,
#       to DIR/lagesbild-<UTC time>.dump, plus the cluster's roles to DIR/roles-<UTC time>.sql.
#       For a small installation: a nightly dump loses at most a day.
#   deploy/backup.sh base DIR
#       pg_basebackup of the whole cluster ($DATABASE_URL's server, a role with REPLICATION) as
#       compressed tar files in DIR/base-<UTC time>/, with the WAL needed to make it consistent.
#       With continuous WAL archiving (archive_command, see docs/operations.md) it is the start
#       of a point-in-time restore: deploy/restore.sh base.
#
# Prints the path it wrote. Keep backups on another machine; test them with deploy/restore.sh
# (.ci/restore-test.sh does both kinds end to end).
set -euo pipefail

mode="${1:-}"; dir="${2:-}"
if [ -z "$mode" ] || [ -z "$dir" ] || [ -z "${DATABASE_URL:-}" ]; then
  echo "usage: DATABASE_URL=postgres://owner@host/db deploy/backup.sh dump|base DIR" >&2
  exit 2
fi
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
case "$mode" in
  dump)
    out="$dir/lagesbild-$stamp.dump"
    # --no-owner is not used: the restore keeps owners, so row-level security and the
    # server role's grants come back as they were (the roles come from roles-*.sql).
    pg_dump --format=custom --compress=6 --file="$out.partial" "$DATABASE_URL"
    mv "$out.partial" "$out"
    # The roles (lagesbild_app, lagesbild_server, lagesbild_credentials and the owner) are the
    # cluster's, not the database's; without passwords (set them again on the new cluster).
    pg_dumpall --roles-only --no-role-passwords --dbname="$DATABASE_URL" > "$dir/roles-$stamp.sql"
    echo "$out"
    ;;
  base)
    out="$dir/base-$stamp"
    pg_basebackup --dbname="$DATABASE_URL" --pgdata="$out" --format=tar --gzip --wal-method=fetch --checkpoint=fast --label="lagesbild $stamp"
    echo "$out"
    ;;
  *)
    echo "backup: unknown mode $mode (dump or base)" >&2
    exit 2
    ;;
esac
