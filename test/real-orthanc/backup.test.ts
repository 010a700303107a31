/**
 * The Docker target's backup loop, as the program ships it (its script and environment), against
 * the index of a real Orthanc booted on the shipped documents.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { backupScript, keycloakDump } from "../../components/docker/containers";
import { ORTHANC_DUMP } from "../../components/shared/backup";
import { JsonObject } from "../../components/shared/orthancConfig";
import { makeInstance } from "./dicom";
import { chownToPostgres, pgBin, sleep, spawnAsPostgres } from "./lab";
import { suite, upload, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";

const execFileAsync = promisify(execFile);
const SCRIPT = "/usr/local/bin/orthanc-backup.sh";

suite("the shipped backup loop with a real Orthanc and PostgreSQL", () => {
  const lab = useLab("backup");

  test("the Docker target's backup loop writes a restorable pg_dump of the index and prunes old dumps", async () => {
    const shipped = await shippedDocuments({ target: "docker" }, "lab-backup");
    const containers = shipped.resources.filter(
      (r) =>
        r.type === "docker:index/container:Container" &&
        (r.inputs.uploads ?? []).some((u: JsonObject) => u.file === SCRIPT),
    );
    expect(containers).toHaveLength(1);
    const backup = containers[0].inputs;
    const script = backup.uploads.find((u: JsonObject) => u.file === SCRIPT).content as string;
    const shippedEnv = Object.fromEntries(
      (backup.envs as string[]).map((e) => [
        e.slice(0, e.indexOf("=")),
        e.slice(e.indexOf("=") + 1),
      ]),
    );
    const pgSection = shipped.credentialsJson.PostgreSQL as JsonObject;
    expect(shippedEnv).toMatchObject({
      PGUSER: pgSection.Username,
      PGDATABASE: pgSection.Database,
    });

    const b = await lab.boot(shipped);
    await upload(b.orthanc, makeInstance().file);
    const dir = join(lab.scratch, "backups");
    mkdirSync(dir);
    await chownToPostgres(dir);
    // A dump from long ago, past the 14-day retention, and a recent one that must stay.
    const old = join(dir, "orthanc-20000101T000000Z.dump");
    const recent = join(dir, "orthanc-recent.dump");
    writeFileSync(old, "old");
    writeFileSync(recent, "recent");
    utimesSync(old, new Date("2000-01-01"), new Date("2000-01-01"));
    const pg = lab.pg;
    const pgpass = join(lab.scratch, "pgpass");
    writeFileSync(
      pgpass,
      `127.0.0.1:${pg.port}:${b.database}:${pgSection.Username}:${pgSection.Password}\n`,
      { mode: 0o600 },
    );
    await chownToPostgres(pgpass);
    const scriptFile = join(lab.scratch, "orthanc-backup.sh");
    writeFileSync(scriptFile, script, { mode: 0o555 });
    // The shipped environment, with the lab's locations: the database, the pgpass file and the
    // backup directory.
    const loop = spawnAsPostgres("/bin/sh", [scriptFile], {
      ...shippedEnv,
      BACKUP_DIR: dir,
      PGHOST: "127.0.0.1",
      PGPORT: String(pg.port),
      PGDATABASE: b.database!,
      PGPASSFILE: pgpass,
      PATH: `${pgBin()}:/usr/bin:/bin`,
    });
    try {
      const deadline = Date.now() + 30_000;
      let dumps: string[] = [];
      while (Date.now() < deadline) {
        dumps = readdirSync(dir).filter(
          (f) => /^orthanc-\d{8}T\d{6}Z\.dump$/.test(f) && f !== "orthanc-20000101T000000Z.dump",
        );
        if (dumps.length && !existsSync(old)) break;
        await sleep(200);
      }
      expect(dumps).toHaveLength(1);
      expect(existsSync(old)).toBe(false);
      expect(existsSync(recent)).toBe(true);
      // The dump is a custom-format archive holding Orthanc's index tables.
      const { stdout } = await execFileAsync(join(pgBin(), "pg_restore"), [
        "--list",
        join(dir, dumps[0]),
      ]);
      expect(stdout).toMatch(/TABLE public resources /);
      expect(stdout).toMatch(/TABLE DATA public resources /);
    } finally {
      process.kill(-loop.pid!, "SIGTERM");
    }
  }, 90_000);

  test("under access control the loop also dumps Keycloak's database, each restorable, each pruned by its own prefix", async () => {
    const pg = lab.pg;
    // Two databases as the loop finds them: Orthanc's index (owned by its role) and Keycloak's.
    // The loop is the component's (containers.ts), with the lab's address for Keycloak's host.
    await pg.createDatabase("orthanc_ac", "orthanc_ac", "Orthanc-lab-pw-1");
    await pg.createDatabase("keycloak_ac", "keycloak_ac", "Keycloak-lab-pw-2");
    await pg.sql(
      "CREATE TABLE resources (id int); ALTER TABLE resources OWNER TO orthanc_ac",
      "orthanc_ac",
    );
    await pg.sql(
      "CREATE TABLE realm (id text); ALTER TABLE realm OWNER TO keycloak_ac",
      "keycloak_ac",
    );
    const script = backupScript(24, 14, [
      ORTHANC_DUMP,
      keycloakDump({ host: "127.0.0.1", database: "keycloak_ac", user: "keycloak_ac" }),
    ]);
    const dir = join(lab.scratch, "backups-ac");
    mkdirSync(dir);
    await chownToPostgres(dir);
    const oldKeycloak = join(dir, "keycloak-20000101T000000Z.dump");
    const oldOrthanc = join(dir, "orthanc-20000101T000000Z.dump");
    for (const f of [oldKeycloak, oldOrthanc]) {
      writeFileSync(f, "old");
      utimesSync(f, new Date("2000-01-01"), new Date("2000-01-01"));
    }
    // One line per server, as the component writes it (the lab has one server for both).
    const pgpass = join(lab.scratch, "pgpass-ac");
    writeFileSync(
      pgpass,
      `127.0.0.1:${pg.port}:orthanc_ac:orthanc_ac:Orthanc-lab-pw-1\n127.0.0.1:${pg.port}:keycloak_ac:keycloak_ac:Keycloak-lab-pw-2\n`,
      { mode: 0o600 },
    );
    await chownToPostgres(pgpass);
    const scriptFile = join(lab.scratch, "orthanc-backup-ac.sh");
    writeFileSync(scriptFile, script, { mode: 0o555 });
    const loop = spawnAsPostgres("/bin/sh", [scriptFile], {
      BACKUP_DIR: dir,
      PGHOST: "127.0.0.1",
      PGPORT: String(pg.port),
      PGUSER: "orthanc_ac",
      PGDATABASE: "orthanc_ac",
      PGPASSFILE: pgpass,
      PATH: `${pgBin()}:/usr/bin:/bin`,
    });
    try {
      const written = (prefix: string) =>
        readdirSync(dir).filter(
          (f) => new RegExp(`^${prefix}-\\d{8}T\\d{6}Z\\.dump$`).test(f) && !f.includes("20000101"),
        );
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (written("keycloak").length && !existsSync(oldKeycloak)) break;
        await sleep(200);
      }
      expect(written("orthanc")).toHaveLength(1);
      expect(written("keycloak")).toHaveLength(1);
      expect(existsSync(oldOrthanc)).toBe(false);
      expect(existsSync(oldKeycloak)).toBe(false);
      const list = async (f: string) =>
        (await execFileAsync(join(pgBin(), "pg_restore"), ["--list", join(dir, f)])).stdout;
      expect(await list(written("orthanc")[0])).toMatch(/TABLE public resources /);
      const keycloakDumpList = await list(written("keycloak")[0]);
      expect(keycloakDumpList).toMatch(/TABLE public realm /);
      expect(keycloakDumpList).not.toMatch(/resources/);
    } finally {
      process.kill(-loop.pid!, "SIGTERM");
    }
  }, 90_000);
});
