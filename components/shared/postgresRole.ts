/**
 * Orthanc's own database role, for a PostgreSQL this program runs or creates (the Docker
 * container, the Kubernetes StatefulSet, RDS): a LOGIN role without any administrative attribute
 * that owns Orthanc's database and everything in it. CloudNativePG makes its owner role itself.
 *
 * One idempotent script, run as the database's administrator at every start (Docker,
 * StatefulSet) or before every Orthanc task (RDS). It also converts a deployment made before the
 * role existed: the database and Orthanc's tables, created by the administrator, are handed to
 * the role with `ALTER ... OWNER` (catalog changes only: no row is copied or rewritten). Not
 * `REASSIGN OWNED`: it would also hand over every other database the administrator owns, and
 * PostgreSQL refuses it for the bootstrap superuser of the container images.
 *
 * The passwords never appear on a command line or in the script: the administrator's comes from
 * libpq's environment (PGPASSWORD or PGPASSFILE), the role's from ORTHANC_APP_PASSWORD or the
 * file named by ORTHANC_APP_PASSWORD_FILE, read by psql into a variable and sent as a quoted
 * literal (`:'app_password'`). It is sent only when the role is created or cannot log in with it
 * (a rotated password), and the session first turns statement logging off where it may. Pure.
 */

/** The role Orthanc logs in as. */
export const ORTHANC_APP_ROLE = "orthanc_app";

/** Where the role script sits in the postgres image: the image runs it on an empty volume too. */
export const ROLE_SCRIPT_PATH = "/docker-entrypoint-initdb.d/orthanc-db-role.sh";

function identifier(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new Error(`not a plain PostgreSQL role name: ${JSON.stringify(role)}`);
  return role;
}

/**
 * The SQL, for psql (it uses psql's `\gset`, `\if` and variables; `set_password` on or off is
 * decided by the script). Runs in the database Orthanc uses, as its administrator: a superuser,
 * or RDS's master user (a member of rds_superuser with CREATEROLE, not a superuser).
 */
export function roleSql(role: string = ORTHANC_APP_ROLE): string {
  const r = identifier(role);
  return `\\set ON_ERROR_STOP on
\\set VERBOSITY terse
SET client_min_messages = warning;
-- One run at a time (several Orthanc tasks may start together); released when psql exits.
SELECT pg_advisory_lock(hashtext('orthanc-db-role'));
-- Keep the statement that carries the password out of the server's log. Only a superuser may;
-- RDS's parameter group already logs no statements.
DO $$
BEGIN
  PERFORM set_config('log_statement', 'none', false);
  PERFORM set_config('log_min_duration_statement', '-1', false);
  PERFORM set_config('log_min_error_statement', 'panic', false);
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
\\set app_password \`printenv ORTHANC_APP_PASSWORD\`
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${r}') AS create_role \\gset
\\if :create_role
CREATE ROLE ${r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
\\elif :set_password
ALTER ROLE ${r} PASSWORD :'app_password';
\\endif
\\unset app_password
-- A role made by hand with more rights than Orthanc needs is corrected, or refused where only a
-- superuser could correct it.
DO $$
DECLARE
  a pg_roles;
BEGIN
  SELECT * INTO a FROM pg_roles WHERE rolname = '${r}';
  IF a.rolsuper OR a.rolreplication OR a.rolbypassrls THEN
    RAISE EXCEPTION 'role ${r} has SUPERUSER, REPLICATION or BYPASSRLS; as a superuser: ALTER ROLE ${r} NOSUPERUSER NOREPLICATION NOBYPASSRLS';
  END IF;
  IF a.rolcreatedb OR a.rolcreaterole OR NOT a.rolcanlogin THEN
    ALTER ROLE ${r} LOGIN NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
-- RDS: the master user may hand objects to the role only as a member of it.
SELECT NOT rolsuper AS needs_membership FROM pg_roles WHERE rolname = current_user \\gset
\\if :needs_membership
SELECT NOT pg_has_role(current_user, '${r}', 'USAGE') AS grant_membership \\gset
\\if :grant_membership
GRANT ${r} TO CURRENT_USER;
\\endif
\\endif
DO $$
DECLARE
  app CONSTANT regrole := '${r}'::regrole;
  o record;
BEGIN
  IF (SELECT datdba FROM pg_database WHERE datname = current_database()) <> app THEN
    EXECUTE format('ALTER DATABASE %I OWNER TO ${r}', current_database());
  END IF;
  -- Nobody else connects to Orthanc's database (superusers always can).
  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  -- The public schema: the role's (PostgreSQL 15+ makes it pg_database_owner's, which follows
  -- the database), and nobody else may create in it.
  IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public')
     NOT IN (app, 'pg_database_owner'::regrole) THEN
    BEGIN
      ALTER SCHEMA public OWNER TO ${r};
    EXCEPTION WHEN insufficient_privilege THEN
      GRANT USAGE, CREATE ON SCHEMA public TO ${r};
    END;
  END IF;
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  -- Orthanc's objects, whoever created them (extension members stay the extension's).
  FOR o IN
    SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relowner <> app
      AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${r}',
      CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, o.name);
  END LOOP;
  -- Sequences a table owns moved with it; these are the others.
  FOR o IN
    SELECT c.oid::regclass AS name FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relowner <> app AND c.relkind = 'S'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO ${r}', o.name);
  END LOOP;
  FOR o IN
    SELECT p.oid::regprocedure AS name FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> app
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO ${r}', o.name);
  END LOOP;
  -- Types of their own (a table's row type and the array types follow their owner).
  FOR o IN
    SELECT t.oid::regtype AS name FROM pg_type t
    WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> app
      AND (t.typtype IN ('d', 'e', 'r')
           OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                      AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO ${r}', o.name);
  END LOOP;
  FOR o IN SELECT oid FROM pg_largeobject_metadata WHERE lomowner <> app LOOP
    EXECUTE format('ALTER LARGE OBJECT %s OWNER TO ${r}', o.oid);
  END LOOP;
END $$;
`;
}

/**
 * The shell script around `roleSql`: the administrator's connection from libpq's environment
 * (PGUSER/PGDATABASE default to the postgres image's POSTGRES_USER/POSTGRES_DB, so the image can
 * run it as an init script), the role's password from ORTHANC_APP_PASSWORD(_FILE). Prints one
 * line, never a password. POSIX sh: the postgres image and RDS's init container run it.
 */
export function roleScript(role: string = ORTHANC_APP_ROLE): string {
  const r = identifier(role);
  return `#!/bin/sh
# Makes ${r} a LOGIN role without administrative rights owning Orthanc's database and everything
# in it, converting a database the administrator owned. Idempotent; prints no password.
set -eu
export PGUSER="\${PGUSER:-\${POSTGRES_USER:-postgres}}"
export PGDATABASE="\${PGDATABASE:-\${POSTGRES_DB:-$PGUSER}}"
if [ -n "\${ORTHANC_APP_PASSWORD_FILE:-}" ]; then
  ORTHANC_APP_PASSWORD=$(cat "$ORTHANC_APP_PASSWORD_FILE")
fi
if [ -z "\${ORTHANC_APP_PASSWORD:-}" ]; then
  echo "orthanc-db-role: no password for ${r} (ORTHANC_APP_PASSWORD or ORTHANC_APP_PASSWORD_FILE)" >&2
  exit 1
fi
export ORTHANC_APP_PASSWORD
# The password is sent only when the role cannot log in with it (new role, rotated password).
if PGUSER=${r} PGPASSWORD="$ORTHANC_APP_PASSWORD" PGPASSFILE=/dev/null \\
  psql -X -q -t -c 'SELECT 1' >/dev/null 2>&1; then
  set_password=off
else
  set_password=on
fi
psql -X -q -t -v set_password=$set_password -f - >/dev/null <<'SQL'
${roleSql(r).trimEnd()}
SQL
echo "orthanc-db-role: ${r} owns database $PGDATABASE"
`;
}

/**
 * The postgres container's entrypoint (Docker, StatefulSet): the image's own one, run twice. On
 * an empty volume the image's init runs the role script itself (ROLE_SCRIPT_PATH is in its init
 * folder). On an existing volume, whose init scripts never run again, the image's entrypoint
 * first serves the unix socket only (no network: nobody but this script connects), the role
 * script runs as the administrator, the server stops cleanly, and the image's entrypoint starts
 * it for real. A failure stops the container before the server ever listens on the network.
 * Started as root (Docker), it first drops to `postgres`, as the image's entrypoint would: root
 * keeps no CAP_KILL in the container, so only the server's own user may signal it.
 */
export function startScript(): string {
  return `#!/bin/bash
set -Eeuo pipefail
data="\${PGDATA:-/var/lib/postgresql/data}"
if [ -s "$data/PG_VERSION" ]; then
  if [ "$(id -u)" = 0 ]; then
    find "$data" \\! -user postgres -exec chown postgres: '{}' +
    exec gosu postgres "$BASH_SOURCE" "$@"
  fi
  docker-entrypoint.sh "$@" -c listen_addresses= &
  server=$!
  trap 'kill -INT "$server" 2>/dev/null; wait "$server"; exit 143' INT TERM
  until pg_isready -q -h /var/run/postgresql; do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "orthanc-db-role: PostgreSQL did not start" >&2
      exit 1
    fi
    sleep 1
  done
  PGHOST=/var/run/postgresql PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")" \\
    sh ${ROLE_SCRIPT_PATH}
  kill -INT "$server"
  wait "$server" || true
  trap - INT TERM
fi
exec docker-entrypoint.sh "$@"
`;
}
