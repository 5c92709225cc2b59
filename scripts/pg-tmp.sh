#!/usr/bin/env bash
# scripts/pg-tmp.sh start|stop : a throwaway PostgreSQL cluster for a test or benchmark run.
# As root, initdb refuses to run, so only the server runs as an unprivileged OS user (STACK.md §10).
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PGROOT=${PGROOT:-/tmp/safepathways-pg}
PGPORT=${PGPORT:-54329}
PGUSER_OS=${PGUSER_OS:-postgres}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
      echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1
    fi
    if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
    fi
    if [ -f "$PGROOT/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$PGROOT"; mkdir -p "$PGROOT"
    if [ "$(id -u)" = 0 ]; then chown "$PGUSER_OS": "$PGROOT"; fi
    as_pg "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$PGROOT/initdb.log"
    as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w start \
      -o "-k $PGROOT -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PGEXTRA:-}" >/dev/null
    echo "PostgreSQL running on 127.0.0.1:$PGPORT (data in $PGROOT)"
    ;;
  stop)
    if [ -d "$PGROOT/data" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$PGROOT"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
