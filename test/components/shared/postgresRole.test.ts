/** The database role's SQL and scripts as rendered (they run for real in test/real-orthanc). */
import {
  ORTHANC_APP_ROLE,
  roleScript,
  roleSql,
  startScript,
} from "../../../components/shared/postgresRole";

test("the role is a plain identifier; anything else is refused before it reaches SQL", () => {
  expect(() => roleSql("orthanc_app")).not.toThrow();
  for (const bad of ['x"; DROP DATABASE orthanc; --', "Orthanc", "1role", "a b", ""])
    expect(() => roleScript(bad)).toThrow(/not a plain PostgreSQL role name/);
});

test("no administrative attribute; the password only through psql's quoted variable, read from the environment", () => {
  const sql = roleSql(ORTHANC_APP_ROLE);
  expect(sql).toContain(
    "CREATE ROLE orthanc_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';",
  );
  expect(sql).toContain("\\set app_password `printenv ORTHANC_APP_PASSWORD`");
  expect(sql.match(/PASSWORD :'app_password'/g)).toHaveLength(2);
  expect(sql).not.toMatch(/REASSIGN OWNED/);
  // The script prints one line of its own and hides psql's output.
  const script = roleScript(ORTHANC_APP_ROLE);
  expect(script).toContain("psql -X -q -t -v set_password=$set_password -f - >/dev/null <<'SQL'");
  // Never on a command line: psql's arguments name no password.
  expect(script).not.toMatch(/psql[^\n]*(app_password|ORTHANC_APP_PASSWORD|PGPASSWORD)/);
});

test("the wrapper serves the socket only while the role script runs, then execs the image's entrypoint", () => {
  const start = startScript();
  expect(start).toContain('docker-entrypoint.sh "$@" -c listen_addresses= &');
  expect(start.trimEnd().split("\n").pop()).toBe('exec docker-entrypoint.sh "$@"');
  expect(start).toContain('exec gosu postgres "$BASH_SOURCE" "$@"');
});
