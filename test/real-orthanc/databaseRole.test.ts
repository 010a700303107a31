/**
 * Orthanc's own database role (postgresRole.ts) on Debian's PostgreSQL and Orthanc: the role
 * script the Docker target's PostgreSQL container runs, taken from the program's plan, run by a
 * POSIX shell against a lab cluster as an administrator that is a superuser (as the image's is),
 * over password authentication. Orthanc boots on the shipped documents, which name the role.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { JsonObject } from "../../components/shared/orthancConfig";
import { ORTHANC_APP_ROLE, ROLE_SCRIPT_PATH } from "../../components/shared/postgresRole";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import { makeInstance } from "./dicom";
import { LabOrthanc } from "./lab";
import { countInstances, Lab, suite, upload, useLab } from "./harness";
import { Shipped, shippedDocuments } from "./shippedDocuments";

const execFileAsync = promisify(execFile);
const ADMIN = "dbadmin";
const ADMIN_PASSWORD = "admin-Pa55word-for-the-lab";
const APP_PASSWORD_FILE = "/run/secrets/orthanc-app-password";

interface Docker {
  shipped: Shipped;
  script: string;
  appPassword: string;
  /** ECS: the db-role container's command, run by `sh -c` as its entry point does. */
  command?: string;
}

/** The Docker target as shipped: its role script, the role's password, Orthanc's documents. */
async function docker(): Promise<Docker> {
  const shipped = await shippedDocuments({ target: "docker" }, "lab-dbrole");
  const uploads = shipped.resources
    .filter((r) => r.type === "docker:index/container:Container")
    .flatMap((r) => (r.inputs.uploads ?? []) as { file: string; content: string }[]);
  const file = (path: string) => uploads.find((u) => u.file === path)!.content;
  const pg = shipped.credentialsJson.PostgreSQL as JsonObject;
  expect(pg.Username).toBe(ORTHANC_APP_ROLE);
  expect(pg.Password).toBe(file(APP_PASSWORD_FILE));
  return { shipped, script: file(ROLE_SCRIPT_PATH), appPassword: file(APP_PASSWORD_FILE) };
}

/** A superuser with a password, as the postgres image's POSTGRES_USER, and its database. */
async function administrator(lab: Lab, database: string, rights = "SUPERUSER"): Promise<void> {
  await lab.pg.sql(`CREATE ROLE ${ADMIN} LOGIN ${rights} PASSWORD '${ADMIN_PASSWORD}'`);
  await lab.pg.sql(`CREATE DATABASE ${database} OWNER ${ADMIN}`);
  // Every statement logged: the password must still never reach the server's log.
  await lab.pg.sql("ALTER SYSTEM SET log_statement = 'all'");
  await lab.pg.sql("SELECT pg_reload_conf()");
}

/** psql over TCP with password authentication; never throws: exit code and output. */
async function psql(
  lab: Lab,
  user: string,
  password: string,
  database: string,
  sql: string,
): Promise<{ code: number; out: string }> {
  return run("psql", ["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    PGHOST: "127.0.0.1",
    PGPORT: String(lab.pg.port),
    PGUSER: user,
    PGPASSWORD: password,
    PGDATABASE: database,
  });
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** The shipped role script, by `sh` (dash, as in the postgres image), as the administrator. */
async function runScript(lab: Lab, d: Docker, database: string) {
  const script = join(lab.scratch, "orthanc-db-role.sh");
  writeFileSync(script, d.script, { mode: 0o555 });
  const passwordFile = join(lab.scratch, "app-password");
  writeFileSync(passwordFile, d.appPassword, { mode: 0o400 });
  const result = await run("sh", ["-c", d.command ?? `sh ${script}`], {
    PGHOST: "127.0.0.1",
    PGPORT: String(lab.pg.port),
    PGUSER: ADMIN,
    PGPASSWORD: ADMIN_PASSWORD,
    PGDATABASE: database,
    // The Docker container reads the role's password from a file, ECS passes it in `secrets`.
    ...(d.command
      ? { ORTHANC_APP_PASSWORD: d.appPassword }
      : { ORTHANC_APP_PASSWORD_FILE: passwordFile }),
  });
  expect(result.out).not.toContain(d.appPassword);
  expect(result.out).not.toContain(ADMIN_PASSWORD);
  return result;
}

/** What the script may change: the role, the database, the schema, every object's owner. */
async function state(lab: Lab, database: string): Promise<string> {
  return lab.pg.sql(
    `SELECT json_build_object(
       'role', (SELECT row_to_json(a) FROM pg_authid a WHERE rolname = '${ORTHANC_APP_ROLE}'),
       'database', (SELECT json_build_object('owner', datdba::regrole, 'acl', datacl)
                    FROM pg_database WHERE datname = current_database()),
       'schema', (SELECT json_build_object('owner', nspowner::regrole, 'acl', nspacl)
                  FROM pg_namespace WHERE nspname = 'public'),
       'relations', (SELECT json_agg(json_build_array(relname, relowner::regrole) ORDER BY relname)
                     FROM pg_class WHERE relnamespace = 'public'::regnamespace),
       'routines', (SELECT json_agg(json_build_array(oid::regprocedure, proowner::regrole)
                    ORDER BY oid::regprocedure::text)
                    FROM pg_proc WHERE pronamespace = 'public'::regnamespace))`,
    database,
  );
}

/**
 * Orthanc's objects (its schema's, but an extension's members: pg_trgm, which the plugin installs,
 * is trusted and owned by the bootstrap superuser) whose owner is not `owner`, or is `owner`.
 */
async function owners(lab: Lab, database: string, owner: string, is: boolean): Promise<string[]> {
  const op = is ? "=" : "<>";
  const own = (kind: string) => `NOT EXISTS (SELECT FROM pg_depend d
    WHERE d.classid = '${kind}'::regclass AND d.objid = o.oid AND d.deptype = 'e')`;
  const out = await lab.pg.sql(
    `SELECT relname FROM pg_class o WHERE relnamespace = 'public'::regnamespace
       AND relowner::regrole::text ${op} '${owner}' AND ${own("pg_class")}
     UNION ALL SELECT proname FROM pg_proc o WHERE pronamespace = 'public'::regnamespace
       AND proowner::regrole::text ${op} '${owner}' AND ${own("pg_proc")}`,
    database,
  );
  return out.split("\n").filter(Boolean);
}
const notOwned = (lab: Lab, database: string) => owners(lab, database, ORTHANC_APP_ROLE, false);

/** Every instance's file reads back through Orthanc. */
async function readAll(orthanc: LabOrthanc): Promise<number> {
  const ids = (await orthanc.request("GET", "/instances")).json() as string[];
  for (const id of ids)
    expect((await orthanc.request("GET", `/instances/${id}/file`)).status).toBe(200);
  return ids.length;
}

suite("Orthanc's own database role on a fresh cluster (the Docker container's script)", () => {
  const lab = useLab("dbrole-fresh");

  test("the script makes the role; Orthanc works as it; it cannot create roles or databases, nor read another database", async () => {
    const d = await docker();
    const database = "orthanc_fresh";
    await administrator(lab, database);
    const result = await runScript(lab, d, database);
    expect(result).toEqual({
      code: 0,
      out: `orthanc-db-role: ${ORTHANC_APP_ROLE} owns database ${database}\n`,
    });
    expect(
      await lab.pg.sql(
        `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
         FROM pg_roles WHERE rolname = '${ORTHANC_APP_ROLE}'`,
      ),
    ).toBe("t|f|f|f|f|f");

    const b = await lab.boot(d.shipped, { database });
    const { file } = makeInstance({ patientId: "ROLE-FRESH" });
    const { ID } = await upload(b.orthanc, file);
    const back = await b.orthanc.request("GET", `/instances/${ID}/file`);
    expect(back.status).toBe(200);
    expect(await countInstances(b.orthanc)).toBe(1);
    expect(await notOwned(lab, database)).toEqual([]);

    const app = (sql: string, db = database) => psql(lab, ORTHANC_APP_ROLE, d.appPassword, db, sql);
    expect(await app("CREATE ROLE intruder LOGIN")).toMatchObject({
      code: 1,
      out: expect.stringContaining("permission denied to create role"),
    });
    expect(await app("CREATE DATABASE another")).toMatchObject({
      code: 1,
      out: expect.stringContaining("permission denied to create database"),
    });
    await lab.pg.sql("CREATE DATABASE otherapp");
    await lab.pg.sql(
      "CREATE TABLE patients (name text); INSERT INTO patients VALUES ('x')",
      "otherapp",
    );
    expect(await app("SELECT * FROM patients", "otherapp")).toMatchObject({
      code: 1,
      out: expect.stringContaining("permission denied for table patients"),
    });
    // And nobody but the role (and superusers) connects to Orthanc's database.
    await lab.pg.sql("CREATE ROLE bystander LOGIN PASSWORD 'bystander-pw'");
    expect(await psql(lab, "bystander", "bystander-pw", database, "SELECT 1")).toMatchObject({
      code: 2,
      out: expect.stringContaining(`permission denied for database "${database}"`),
    });
  }, 120_000);
});

suite(
  "Orthanc's own database role converts a deployment made before it (the Docker container's script)",
  () => {
    const lab = useLab("dbrole-upgrade");

    test("Orthanc as the superuser stores instances; after the script, as the role, it sees every one and stores more; a second run changes nothing", async () => {
      const d = await docker();
      const database = "orthanc_upgrade";
      await administrator(lab, database);
      // Before: the program's earlier documents, Orthanc logging in as the administrator.
      const pg = d.shipped.credentialsJson.PostgreSQL as JsonObject;
      const asAdmin = (docs: Shipped["instances"][number]) => ({
        ...docs,
        credentialsJson: {
          ...docs.credentialsJson,
          PostgreSQL: { ...pg, Username: ADMIN, Password: ADMIN_PASSWORD },
        },
      });
      const before: Shipped = {
        ...d.shipped,
        ...asAdmin(d.shipped),
        instances: d.shipped.instances.map(asAdmin),
      };
      const storageDir = join(lab.scratch, "storage");
      const old = await lab.boot(before, { database, storageDir });
      for (let i = 0; i < 3; i++)
        await upload(old.orthanc, makeInstance({ patientId: `OLD-${i}` }, i).file);
      expect(await countInstances(old.orthanc)).toBe(3);
      await old.orthanc.stop();
      // Orthanc's tables, the administrator's.
      expect(await owners(lab, database, ADMIN, true)).toEqual(
        expect.arrayContaining(["resources", "maindicomtags"]),
      );

      expect((await runScript(lab, d, database)).code).toBe(0);
      expect(await notOwned(lab, database)).toEqual([]);
      expect(await owners(lab, database, ADMIN, true)).toEqual([]);
      expect(
        await lab.pg.sql(`SELECT datdba::regrole FROM pg_database WHERE datname = '${database}'`),
      ).toBe(ORTHANC_APP_ROLE);

      const now = await lab.boot(d.shipped, { database, storageDir });
      expect(await countInstances(now.orthanc)).toBe(3);
      expect(await readAll(now.orthanc)).toBe(3);
      for (let i = 3; i < 5; i++)
        await upload(now.orthanc, makeInstance({ patientId: `NEW-${i}` }, i).file);
      expect(await countInstances(now.orthanc)).toBe(5);
      await now.orthanc.stop();

      // Idempotent: a second run changes nothing, not even the password's salted verifier.
      const first = await state(lab, database);
      const again = await runScript(lab, d, database);
      expect(again.code).toBe(0);
      expect(await state(lab, database)).toBe(first);

      // A password changed behind its back is set back to the shipped one.
      await lab.pg.sql(`ALTER ROLE ${ORTHANC_APP_ROLE} PASSWORD 'drifted'`);
      expect((await runScript(lab, d, database)).code).toBe(0);
      expect(await psql(lab, ORTHANC_APP_ROLE, d.appPassword, database, "SELECT 1")).toEqual({
        code: 0,
        out: "1\n",
      });

      const log = readFileSync(join(lab.scratch, "pg", "log"), "utf8");
      expect(log).toContain("statement:"); // statements are logged...
      expect(log).not.toContain(d.appPassword); // ...but never the one with the password
    }, 180_000);
  },
);

suite("Orthanc's own database role as RDS makes it (the ECS db-role container's command)", () => {
  const lab = useLab("dbrole-rds");

  test("an administrator that is no superuser (CREATEROLE, owner of the database, as RDS's master user) converts a database Orthanc filled as it", async () => {
    const shipped = await shippedDocuments(
      readStackFile(stackFilePath("aws-fargate-efs")),
      "aws-fargate-efs",
    );
    const task = shipped.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
    const role = (
      JSON.parse(task.inputs.containerDefinitions) as { name: string; command: string[] }[]
    ).find((c) => c.name === "db-role")!;
    const pg = shipped.credentialsJson.PostgreSQL as JsonObject;
    expect(pg.Username).toBe(ORTHANC_APP_ROLE);
    const d: Docker = {
      shipped,
      script: "",
      appPassword: pg.Password as string,
      command: role.command[0],
    };
    const database = "orthanc_rds";
    await administrator(lab, database, "CREATEROLE CREATEDB");
    const asAdmin = (docs: Shipped["instances"][number]) => ({
      ...docs,
      credentialsJson: {
        ...docs.credentialsJson,
        PostgreSQL: { ...pg, Username: ADMIN, Password: ADMIN_PASSWORD },
      },
    });
    const before: Shipped = {
      ...shipped,
      ...asAdmin(shipped),
      instances: shipped.instances.map(asAdmin),
    };
    const storageDir = join(lab.scratch, "storage");
    const old = await lab.boot(before, { database, storageDir });
    await upload(old.orthanc, makeInstance({ patientId: "RDS-OLD" }).file);
    await old.orthanc.stop();
    expect(await owners(lab, database, ADMIN, true)).toEqual(
      expect.arrayContaining(["resources", "maindicomtags"]),
    );

    expect(await runScript(lab, d, database)).toEqual({
      code: 0,
      out: `orthanc-db-role: ${ORTHANC_APP_ROLE} owns database ${database}\n`,
    });
    expect(await notOwned(lab, database)).toEqual([]);
    // The master user became a member of the role, to hand it the objects.
    expect(
      await lab.pg.sql(`SELECT pg_has_role('${ADMIN}', '${ORTHANC_APP_ROLE}', 'MEMBER')`),
    ).toBe("t");
    const now = await lab.boot(shipped, { database, storageDir });
    expect(await readAll(now.orthanc)).toBe(1);
    await upload(now.orthanc, makeInstance({ patientId: "RDS-NEW" }).file);
    expect(await countInstances(now.orthanc)).toBe(2);
    await now.orthanc.stop();
    const first = await state(lab, database);
    expect((await runScript(lab, d, database)).code).toBe(0);
    expect(await state(lab, database)).toBe(first);
  }, 180_000);
});
