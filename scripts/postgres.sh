#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, in a folder of its own (Debian's postgresql package).
#
#   scripts/postgres.sh start [DIR]   install the package if missing, create the cluster in DIR (default
#                                     /tmp/kuaixun-pg), start it on a free loopback port, print its URL
#   scripts/postgres.sh stop [DIR]    stop it and remove DIR, but only a DIR this script created
#
# The URL (`postgresql+psycopg://kuaixun@127.0.0.1:PORT/postgres`) is what KUAIXUN_TEST_POSTGRES takes:
# the tests then create one database per test on that server. Trust authentication on loopback only:
# a test server, never a store.
set -euo pipefail

action=${1:-}
dir=${2:-/tmp/kuaixun-pg}
marker="$dir/.kuaixun-pg"

die() { echo "postgres.sh: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        die "need root (or sudo) for: $*"
    fi
}

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] && echo "$found"
}

# initdb refuses to run as root: the cluster belongs to the postgres system user then.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    if [ -z "$(bindir)" ]; then
        echo "postgres.sh: installing Debian's postgresql" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
    fi
    local bin port
    bin=$(bindir) || die "no PostgreSQL binaries under /usr/lib/postgresql after installing"
    if [ -e "$dir" ] && [ ! -e "$marker" ]; then
        die "$dir exists and was not made by this script; choose another folder"
    fi
    if [ -e "$dir/url" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        cat "$dir/url"
        return
    fi
    mkdir -p "$dir"
    touch "$marker"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -e "$dir/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir/data" -U kuaixun --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || die "initdb failed: see $dir/initdb.log"
    fi
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
        || die "the server did not start: see $dir/server.log"
    echo "postgresql+psycopg://kuaixun@127.0.0.1:$port/postgres" | tee "$dir/url"
}

stop() {
    [ -e "$marker" ] || die "$dir was not made by this script; not touching it"
    local bin
    bin=$(bindir) || die "no PostgreSQL binaries"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) die "usage: scripts/postgres.sh start|stop [DIR]" ;;
esac
