#!/usr/bin/env bash
# Local PostgreSQL for Ellity Webhooks (dev runs and test runs).
#
#   scripts/postgres.sh start <name> <port> [--throwaway]
#       Ensures a PostgreSQL server accepts connections on 127.0.0.1:<port> as user
#       "postgres" (trust auth, no password) and that database "ellity" exists, then
#       prints ONE line on stdout: the Npgsql connection string. Diagnostics go to stderr.
#       Idempotent: if something already answers on <port>, only the database is ensured.
#       Provisioning order: Docker (only when `docker info` works and docker-compose.yml
#       exists), else the Debian PostgreSQL binaries (apt-installed when missing).
#       --throwaway: a fresh, wiped cluster under /tmp with durability switched off (tests).
#
#   scripts/postgres.sh stop <name>
#       Stops the cluster(s) of that name started with the Debian binaries (a throwaway
#       cluster's data directory is deleted too). No-op when nothing of that name runs.
#
# Data directories: <repo>/.local/postgres/<name> (log: <repo>/.local/postgres/<name>.log).
# When running as root, initdb/pg_ctl run as the "postgres" user; if that user cannot reach
# the repo (e.g. a CI clone in a mode-700 `mktemp -d` folder), /var/tmp/ellity-postgres/<name>
# is used instead. Throwaway clusters live in /tmp/ellity-postgres-<user>/<name>.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly DB_NAME=ellity
readonly DB_USER=postgres
readonly FALLBACK_BASE=/var/tmp/ellity-postgres

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() {
  echo "usage: $0 start <name> <port> [--throwaway] | $0 stop <name>" >&2
  exit 2
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Newest /usr/lib/postgresql/<version>/bin that has initdb (empty when none).
find_bindir() {
  local d best="" best_ver=-1 ver
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb ]] || continue
    ver=${d#/usr/lib/postgresql/}; ver=${ver%%/*}; ver=${ver%%.*}
    [[ $ver =~ ^[0-9]+$ ]] || continue
    if (( ver > best_ver )); then best=$d; best_ver=$ver; fi
  done
  echo "$best"
}

# Client tool path: the version-specific binary if we have one, else whatever is on PATH.
pg_tool() {
  local bindir; bindir=$(find_bindir)
  if [[ -n $bindir && -x $bindir/$1 ]]; then echo "$bindir/$1"
  elif command -v "$1" >/dev/null 2>&1; then command -v "$1"
  fi
}

install_postgres() {
  log "PostgreSQL binaries not found under /usr/lib/postgresql; installing with apt-get"
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install the 'postgresql' package first"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  [[ -n $(find_bindir) ]] || die "apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/initdb"
}

# Runs a server-side command (initdb, pg_ctl) as the cluster owner, from a directory that
# user can read (the caller's cwd may be an inaccessible mode-700 folder).
as_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# True when the cluster owner can create files in directory $1 (and traverse to it).
owner_can_write() {
  if is_root; then (cd / && runuser -u postgres -- test -w "$1" -a -x "$1"); else [[ -w $1 && -x $1 ]]; fi
}

# Creates directory $1 (mode 700) owned by the cluster owner.
make_owned_dir() {
  [[ ! -L $1 ]] || die "$1 is a symlink; refusing to use it"
  mkdir -p "$1"
  if is_root; then chown postgres:postgres "$1"; fi
  chmod 700 "$1"
}

throwaway_base() { echo "/tmp/ellity-postgres-$(id -un)"; }

# The persistent (non-throwaway) data directory for cluster $1; creates its parent.
persistent_datadir() {
  local name=$1 base=$REPO_ROOT/.local/postgres
  if is_root; then
    # The postgres user must be able to traverse all the way into the repo.
    if (cd / && runuser -u postgres -- test -x "$REPO_ROOT") 2>/dev/null; then
      mkdir -p "$base"
      chmod o+x "$REPO_ROOT/.local" 2>/dev/null || true
      chown postgres:postgres "$base"
      if owner_can_write "$base" 2>/dev/null; then echo "$base/$name"; return; fi
    fi
    log "user 'postgres' cannot reach $REPO_ROOT; using $FALLBACK_BASE/$name instead"
    mkdir -p "$FALLBACK_BASE"
    chown postgres:postgres "$FALLBACK_BASE"
    chmod 755 "$FALLBACK_BASE"
    echo "$FALLBACK_BASE/$name"
  else
    mkdir -p "$base"
    echo "$base/$name"
  fi
}

is_ready() { # port
  local isready; isready=$(pg_tool pg_isready)
  [[ -n $isready ]] && "$isready" -h 127.0.0.1 -p "$1" -t 3 -q >/dev/null 2>&1
}

psql_cmd() { # port, args...
  local port=$1; shift
  PGCONNECT_TIMEOUT=10 "$(pg_tool psql)" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres "$@"
}

ensure_database() { # port
  local port=$1 exists
  if [[ -z $(pg_tool psql) ]]; then
    # Docker-only machine without client tools: the image created the database (POSTGRES_DB).
    log "no psql client available; assuming the container created database '$DB_NAME'"
    return
  fi
  exists=$(psql_cmd "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") \
    || die "cannot connect to 127.0.0.1:$port as '$DB_USER' without a password (is another server using that port?)"
  if [[ $exists != 1 ]]; then
    log "creating database '$DB_NAME' on port $port"
    psql_cmd "$port" -c "CREATE DATABASE $DB_NAME" >&2
  fi
}

connection_string() { echo "Host=127.0.0.1;Port=$1;Username=$DB_USER;Database=$DB_NAME"; }

docker_usable() {
  [[ -f $REPO_ROOT/docker-compose.yml ]] \
    && command -v docker >/dev/null 2>&1 \
    && docker info >/dev/null 2>&1 \
    && docker compose version >/dev/null 2>&1
}

start_docker() { # name port throwaway
  local name=$1 port=$2 throwaway=$3
  local compose=(docker compose -f "$REPO_ROOT/docker-compose.yml" -p "ellity-$name")
  if [[ $throwaway == 1 ]]; then
    log "docker: wiping throwaway project ellity-$name"
    "${compose[@]}" down -v >&2 || true
  fi
  log "docker: starting service postgres (project ellity-$name) on 127.0.0.1:$port"
  ELLITY_PG_PORT=$port "${compose[@]}" up -d --wait postgres >&2
  if [[ -z $(pg_tool psql) ]]; then
    ELLITY_PG_PORT=$port "${compose[@]}" exec -T postgres \
      sh -c "psql -U $DB_USER -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB_NAME'\" | grep -q 1 || createdb -U $DB_USER $DB_NAME" >&2
  fi
}

# "running" when a postmaster owns data dir $1.
cluster_running() {
  local pg_ctl=$1 datadir=$2
  [[ -f $datadir/postmaster.pid ]] && as_owner "$pg_ctl" -D "$datadir" status >/dev/null 2>&1
}

start_debian() { # name port throwaway
  local name=$1 port=$2 throwaway=$3 bindir datadir logfile opts
  bindir=$(find_bindir)
  if [[ -z $bindir ]]; then install_postgres; bindir=$(find_bindir); fi
  if is_root; then id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (is the postgresql package installed?)"; fi

  if [[ $throwaway == 1 ]]; then
    local base; base=$(throwaway_base)
    make_owned_dir "$base"
    datadir=$base/$name
  else
    datadir=$(persistent_datadir "$name")
  fi
  logfile=$(dirname "$datadir")/$name.log

  if cluster_running "$bindir/pg_ctl" "$datadir"; then
    if [[ $throwaway == 0 ]]; then
      local running_port; running_port=$(sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
      die "cluster '$name' ($datadir) already runs on port ${running_port:-?}, not $port; stop it first: $0 stop $name"
    fi
    log "stopping the previous throwaway cluster in $datadir"
    as_owner "$bindir/pg_ctl" -D "$datadir" -m immediate -w stop >&2 || true
  fi

  if [[ $throwaway == 1 ]]; then
    rm -rf "$datadir" "$logfile"
  fi
  if [[ ! -f $datadir/PG_VERSION ]]; then
    if [[ -d $datadir && -n $(ls -A "$datadir") ]]; then
      die "$datadir is not empty but holds no PostgreSQL cluster; move it away"
    fi
    make_owned_dir "$datadir"
    log "initdb $datadir ($(basename "$(dirname "$bindir")"))"
    as_owner "$bindir/initdb" -D "$datadir" -U "$DB_USER" -A trust \
      --encoding=UTF8 --no-locale >"$logfile.initdb" 2>&1 \
      || { cat "$logfile.initdb" >&2; die "initdb failed"; }
    rm -f "$logfile.initdb"
  fi

  # Unix socket in the data dir (handy for debugging) unless the path is too long for a
  # socket address; every client here uses TCP on 127.0.0.1 anyway.
  local sockdir="'$datadir'"
  (( ${#datadir} > 80 )) && sockdir="''"
  opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$sockdir"
  if [[ $throwaway == 1 ]]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  else
    opts+=" -c max_connections=200"
  fi

  log "starting PostgreSQL '$name' on 127.0.0.1:$port (data: $datadir, log: $logfile)"
  if ! as_owner "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 -o "$opts" start >&2; then
    tail -n 30 "$logfile" >&2 2>/dev/null || true
    die "pg_ctl start failed (port $port already in use?)"
  fi
}

cmd_start() {
  [[ $# -ge 2 && $# -le 3 ]] || usage
  local name=$1 port=$2 throwaway=0
  if [[ $# -eq 3 ]]; then [[ $3 == --throwaway ]] || usage; throwaway=1; fi
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "invalid cluster name '$name'"
  [[ $port =~ ^[0-9]+$ ]] || die "invalid port '$port'"

  if is_ready "$port"; then
    log "a server already accepts connections on 127.0.0.1:$port; reusing it"
  elif docker_usable; then
    start_docker "$name" "$port" "$throwaway"
  else
    start_debian "$name" "$port" "$throwaway"
  fi
  ensure_database "$port"
  connection_string "$port"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  local name=$1 bindir datadir stopped=0
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "invalid cluster name '$name'"
  bindir=$(find_bindir)
  [[ -n $bindir ]] || { log "no PostgreSQL binaries; nothing to stop"; return 0; }
  for datadir in "$REPO_ROOT/.local/postgres/$name" "$FALLBACK_BASE/$name" "$(throwaway_base)/$name"; do
    if cluster_running "$bindir/pg_ctl" "$datadir"; then
      log "stopping cluster '$name' ($datadir)"
      as_owner "$bindir/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >&2
      stopped=1
    fi
    if [[ $datadir == "$(throwaway_base)/$name" && -d $datadir ]]; then
      rm -rf "$datadir"   # throwaway: nothing worth keeping (the log stays next to it)
    fi
  done
  [[ $stopped == 1 ]] || log "no running cluster named '$name'"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
