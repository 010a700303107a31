#!/usr/bin/env bash
# STAND-IN for the entrypoint of the official postgres image (written for these tests from its
# documented contract; not the official script). Reproduced: POSTGRES_USER (default postgres),
# POSTGRES_DB (default the user), POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE (and *_FILE for the
# others; both set is an error), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default
# password_encryption, i.e. scram-sha-256), PGDATA; started as root it prepares PGDATA and the
# socket folder and re-executes itself as postgres with gosu; an empty PGDATA is initialised
# (initdb, pg_hba "host all all all <method>", a temporary socket-only server, CREATE DATABASE,
# /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz) before `exec postgres`.
# Not reproduced: POSTGRES_INITDB_WALDIR, nss_wrapper for arbitrary --user uids, *.sql.xz/zst.
set -Eeo pipefail

# VAR from VAR or from the file named by VAR_FILE, never both.
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-} value
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  value=$default
  if [[ -n ${!var:-} ]]; then
    value=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  : "${PGDATA:=/var/lib/postgresql/data}"
  DATABASE_ALREADY_EXISTS=""
  if [[ -s $PGDATA/PG_VERSION ]]; then DATABASE_ALREADY_EXISTS=true; fi
}

# As root (with CHOWN, DAC_OVERRIDE, FOWNER): PGDATA and the socket folder belong to postgres.
prepare_dirs() {
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 3775 /var/run/postgresql || :
  if [[ $(id -u) == 0 ]]; then
    find "$PGDATA" \! -user postgres -exec chown postgres: '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
  fi
}

verify_minimum_env() {
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value
       for the superuser, e.g. "-e POSTGRES_PASSWORD=password" on "docker run".

       POSTGRES_HOST_AUTH_METHOD=trust allows all connections without a password.
       This is *not* recommended.
EOF
    exit 1
  fi
  if [[ $POSTGRES_HOST_AUTH_METHOD == trust ]]; then
    echo "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every connection is accepted without a password." >&2
  fi
}

init_cluster() {
  # --pwfile rejects an empty file, hence the newline. POSTGRES_INITDB_ARGS splits on spaces.
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    $POSTGRES_INITDB_ARGS
}

setup_hba() {
  if [[ -z $POSTGRES_HOST_AUTH_METHOD ]]; then
    POSTGRES_HOST_AUTH_METHOD=$(postgres -C password_encryption -D "$PGDATA")
  fi
  {
    echo
    if [[ $POSTGRES_HOST_AUTH_METHOD == trust ]]; then echo '# warning trust is enabled for all connections'; fi
    echo "host all all all $POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"
}

sql() { # psql against the temporary server (unix socket only)
  PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password \
    --no-psqlrc "$@"
}

setup_db() {
  local exists
  exists=$(sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
  if [[ -z ${exists//[[:space:]]/} ]]; then
    sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
}

run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        echo "$0: running $f"
        # shellcheck disable=SC1090
        if [[ -x $f ]]; then "$f"; else . "$f"; fi
        ;;
      *.sql) echo "$0: running $f"; sql --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | sql --dbname "$POSTGRES_DB" ;;
      *) if [[ -e $f ]]; then echo "$0: ignoring $f"; fi ;;
    esac
  done
}

main() {
  # "docker run image -c foo=bar" means postgres options.
  if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi
  if [[ $1 == postgres ]]; then
    setup_env
    prepare_dirs
    if [[ $(id -u) == 0 ]]; then
      exec gosu postgres "${BASH_SOURCE[0]}" "$@"
    fi
    if [[ -z $DATABASE_ALREADY_EXISTS ]]; then
      verify_minimum_env
      init_cluster
      setup_hba
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      # Temporary server on the socket only: nobody can connect over the network during setup.
      PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" \
        -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
      setup_db
      run_init_files
      PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
      unset PGPASSWORD
      echo
      echo 'PostgreSQL init process complete; ready for start up.'
      echo
    else
      echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    fi
  fi
  exec "$@"
}

main "$@"
