/**
 * The `k8s-basic` StatefulSet's PostgreSQL over TLS, for real: a PostgreSQL started with exactly
 * the arguments and pg_hba.conf the program ships (read from the plan; only the mounted files'
 * paths point into the lab), a certificate made here by openssl for the names the shipped
 * Certificate asks cert-manager for, and Debian's Orthanc booted on the shipped documents
 * (`EnableSsl` as shipped). Also the dump job's environment and the reload container's script.
 */
import { execFile } from "node:child_process";
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { JsonObject } from "../../components/shared/orthancConfig";
import { POSTGRES_TLS_FILES } from "../../components/kubernetes/manifests/postgres";
import { ORTHANC_POSTGRES_CA } from "../../components/kubernetes/manifests/workload";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import { makeInstance } from "./dicom";
import { freePort, isRoot, pgBin, sleep } from "./lab";
import { countInstances, suite, upload, useLab, waitForLog } from "./harness";
import { Shipped, shippedDocuments, ShippedResource } from "./shippedDocuments";

const run = promisify(execFile);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const postgresIds = async () => ({
  uid: Number((await run("id", ["-u", "postgres"])).stdout.trim()),
  gid: Number((await run("id", ["-g", "postgres"])).stdout.trim()),
});

/** Server tools refuse root: as `postgres` when we are root. */
async function asPostgres(bin: string, args: string[], env: Record<string, string> = {}) {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const [cmd, ...argv] = isRoot()
    ? ["runuser", "-u", "postgres", "--", "env", ...envArgs, bin, ...args]
    : ["env", ...envArgs, bin, ...args];
  return run(cmd, argv, { timeout: 60_000 });
}

/** A client command's exit code and output, never a throw. */
async function client(bin: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(join(pgBin(), bin), args, {
      timeout: 30_000,
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A self-signed CA, `<dir>/<name>.crt` and `.key`. */
async function makeCa(dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await run("openssl", [
    ...["req", "-x509", ...EC, "-keyout", join(dir, `${name}.key`)],
    ...["-out", join(dir, `${name}.crt`), "-days", "3650", "-subj", `/CN=${name}`],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign"],
  ]);
  return join(dir, `${name}.crt`);
}

/**
 * A CA and a server certificate for `dnsNames`, by openssl, written where the Secret volume would
 * put them. The key as the kubelet writes a Secret file with `defaultMode: 0o440` and the pod's
 * fsGroup: owned by root, group postgres, 0440 (when we are not root: ours, 0600).
 */
async function issue(dir: string, caName: string, dnsNames: string[]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  await makeCa(dir, caName);
  await run("openssl", [
    ...["req", ...EC, "-keyout", f("new.key"), "-out", f("server.csr")],
    ...["-subj", `/CN=${dnsNames[2]}`],
  ]);
  writeFileSync(
    f("ext.cnf"),
    `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  await run("openssl", [
    ...["x509", "-req", "-in", f("server.csr"), "-CA", f(`${caName}.crt`)],
    ...["-CAkey", f(`${caName}.key`), "-CAcreateserial", "-days", "90"],
    ...["-extfile", f("ext.cnf"), "-out", f("new.crt")],
  ]);
  // Each file replaced at once, as the kubelet swaps a Secret volume's files.
  renameSync(f("new.crt"), f("tls.crt"));
  if (isRoot()) {
    const { gid } = await postgresIds();
    chownSync(f("new.key"), 0, gid);
    chmodSync(f("new.key"), 0o440);
  } else chmodSync(f("new.key"), 0o600);
  renameSync(f("new.key"), f("tls.key"));
  return f(`${caName}.crt`);
}

/** `-c key=value` pairs of a `postgres` command line. */
function settingsOf(args: string[]): Record<string, string> {
  expect(args[0]).toBe("postgres");
  const out: Record<string, string> = {};
  for (let i = 1; i < args.length; i += 2) {
    expect(args[i]).toBe("-c");
    const at = args[i + 1].indexOf("=");
    out[args[i + 1].slice(0, at)] = args[i + 1].slice(at + 1);
  }
  return out;
}

const findResource = (shipped: Shipped, type: string, name: string): ShippedResource => {
  const found = shipped.resources.filter((r) => r.type === type && r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

const envOf = (c: Json): Record<string, string> =>
  Object.fromEntries((c.env ?? []).map((e: Json) => [e.name, e.value]));

suite("k8s-basic's PostgreSQL over TLS, with a real PostgreSQL and Orthanc", () => {
  const lab = useLab("pgtls");
  const STACK = "k8s-basic";
  let shipped: Shipped;
  let pgDir: string;
  let tlsDir: string;
  let caFile: string;
  let port: number;
  let dnsNames: string[];
  let stateful: { server: Json; reload: Json };
  let dumpJob: Json;
  let db: JsonObject;
  const superPassword = "lab-superuser-pw";

  /** psql over TCP as Orthanc's role, with `sslmode`. */
  const orthancPsql = (sslmode: string, sql: string, extra: Record<string, string> = {}) =>
    client("psql", ["-v", "ON_ERROR_STOP=1", "-tAc", sql], {
      PGHOST: "127.0.0.1",
      PGPORT: String(port),
      PGUSER: db.Username as string,
      PGPASSWORD: db.Password as string,
      PGDATABASE: db.Database as string,
      PGSSLMODE: sslmode,
      ...extra,
    });

  /** psql over the Unix socket as the superuser, with a password (the `local` rule). */
  const superSql = async (sql: string) => {
    const r = await client(
      "psql",
      [
        ...["-h", join(pgDir, "sock"), "-p", String(port), "-U", "postgres", "-d", "postgres"],
        ...["-v", "ON_ERROR_STOP=1", "-tAc", sql],
      ],
      { PGPASSWORD: superPassword },
    );
    if (r.code !== 0) throw new Error(`psql: ${r.output}`);
    return r.output.trim();
  };

  beforeAll(async () => {
    shipped = await shippedDocuments(readStackFile(stackFilePath(STACK)), STACK);
    db = shipped.credentialsJson.PostgreSQL as JsonObject;
    const ss = findResource(shipped, "kubernetes:apps/v1:StatefulSet", `orthanc-${STACK}-postgres`);
    const [server, reload] = ss.inputs.spec.template.spec.containers;
    stateful = { server, reload };
    dumpJob = findResource(
      shipped,
      "kubernetes:batch/v1:CronJob",
      `orthanc-${STACK}-postgres-backup`,
    ).inputs.spec.jobTemplate.spec.template.spec.containers[0];
    dnsNames = findResource(
      shipped,
      "kubernetes:cert-manager.io/v1:Certificate",
      `orthanc-${STACK}-postgres-tls`,
    ).inputs.spec.dnsNames;
    const hbaConf = findResource(
      shipped,
      "kubernetes:core/v1:ConfigMap",
      `orthanc-${STACK}-postgres-hba`,
    ).inputs.data["pg_hba.conf"] as string;

    // The shipped server settings; only the three mounted files' paths point into the lab.
    const settings = settingsOf(server.args);
    expect({
      certFile: settings.ssl_cert_file,
      keyFile: settings.ssl_key_file,
      hbaFile: settings.hba_file,
    }).toEqual(POSTGRES_TLS_FILES);
    pgDir = join(lab.scratch, "tlspg");
    tlsDir = join(pgDir, "tls");
    mkdirSync(join(pgDir, "sock"), { recursive: true });
    mkdirSync(join(pgDir, "hba"), { recursive: true });
    writeFileSync(join(pgDir, "hba", "pg_hba.conf"), hbaConf);
    writeFileSync(join(pgDir, "pwfile"), `${superPassword}\n`);
    caFile = await issue(tlsDir, "ca-1", dnsNames);
    if (isRoot()) {
      const { uid, gid } = await postgresIds();
      for (const p of [pgDir, join(pgDir, "sock"), join(pgDir, "pwfile")]) chownSync(p, uid, gid);
    }
    const lab_ = {
      ...settings,
      ssl_cert_file: join(tlsDir, "tls.crt"),
      ssl_key_file: join(tlsDir, "tls.key"),
      hba_file: join(pgDir, "hba", "pg_hba.conf"),
    };
    port = await freePort();
    // As the image's initdb: a superuser with a password, SCRAM.
    await asPostgres(join(pgBin(), "initdb"), [
      ...["-D", join(pgDir, "data"), "-U", "postgres", "--pwfile", join(pgDir, "pwfile")],
      ...["--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
    ]);
    await asPostgres(join(pgBin(), "pg_ctl"), [
      ...["-D", join(pgDir, "data"), "-l", join(pgDir, "log"), "-w", "-t", "30", "-o"],
      [
        `-p ${port} -k ${join(pgDir, "sock")} -c listen_addresses=127.0.0.1`,
        ...Object.entries(lab_).map(([k, v]) => `-c ${k}=${v}`),
      ].join(" "),
      "start",
    ]).catch((e) => {
      // The server's own reason (a refused key file, a bad setting) is in its log.
      throw new Error(`${e}\n${readFileSync(join(pgDir, "log"), "utf8").slice(-2000)}`);
    });
    // Orthanc's role and database, as the image's entrypoint makes them: over the socket.
    const pw = (db.Password as string).replace(/'/g, "''");
    await superSql(`CREATE ROLE "${db.Username}" LOGIN PASSWORD '${pw}'`);
    await superSql(`CREATE DATABASE "${db.Database}" OWNER "${db.Username}"`);
  }, 120_000);

  afterAll(async () => {
    if (pgDir)
      await asPostgres(join(pgBin(), "pg_ctl"), [
        ...["-D", join(pgDir, "data"), "-m", "fast", "-w", "stop"],
      ]).catch(() => undefined);
  }, 60_000);

  test("the server runs the shipped TLS settings and refuses TCP without TLS, whatever the password", async () => {
    expect(await superSql("SHOW ssl")).toBe("on");
    expect(await superSql("SHOW ssl_min_protocol_version")).toBe("TLSv1.2");
    const plain = await orthancPsql("disable", "SELECT 1");
    expect(plain.code).not.toBe(0);
    expect(plain.output).toMatch(/pg_hba\.conf rejects connection .*no encryption/);
    const tls = await orthancPsql(
      "require",
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    expect(tls).toEqual({ code: 0, output: "t\n" });
  });

  test("Orthanc on the shipped documents stores and serves over TLS; every one of its connections is encrypted", async () => {
    expect(db.EnableSsl).toBe(true);
    // libpq checks the server's chain against the mounted CA certificate: the lab's is here.
    expect(shipped.environment.PGSSLROOTCERT).toBe(ORTHANC_POSTGRES_CA);
    const b = await lab.boot(shipped, {
      database: db.Database as string,
      pgPort: port,
      pgTls: true,
      env: { PGSSLROOTCERT: caFile },
    });
    const o = b.orthanc;
    const system = (await o.request("GET", "/system")).json();
    expect(system.DatabaseBackendPlugin).toMatch(/libOrthancPostgreSQLIndex/);
    const instance = makeInstance();
    const stored = await upload(o, instance.file);
    expect(stored.Status).toBe("Success");
    const file = await fetch(`${o.url}/instances/${stored.ID}/file`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${b.admin.user}:${b.admin.password}`).toString("base64")}`,
      },
    });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(instance.file)).toBe(true);
    expect(await countInstances(o)).toBe(1);

    const rows = (
      await superSql(
        `SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.usename = '${db.Username}' AND a.datname = '${db.Database}'`,
      )
    )
      .split("\n")
      .filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^t\|TLSv1\.[23]$/);
  }, 90_000);

  test("Orthanc refuses a server whose certificate the mounted CA did not sign", async () => {
    const otherCa = await makeCa(join(lab.scratch, "other-ca"), "other-ca");
    const b = await lab.boot(shipped, {
      database: db.Database as string,
      pgPort: port,
      pgTls: true,
      env: { PGSSLROOTCERT: otherCa },
      wait: false,
    });
    await waitForLog(b.orthanc, /certificate verify failed/, 30_000);
    expect((await b.orthanc.request("GET", "/system").catch(() => undefined))?.status).not.toBe(
      200,
    );
  }, 60_000);

  test("the dump job's script, with its shipped environment, dumps over TLS and verifies the server's name against the CA", async () => {
    const env = envOf(dumpJob);
    expect(env).toMatchObject({ PGSSLMODE: "verify-full" });
    const dir = join(lab.scratch, "dumps");
    mkdirSync(dir);
    const passwordFile = join(lab.scratch, "dump-password");
    writeFileSync(passwordFile, db.Password as string, { mode: 0o600 });
    // The locations only: the dumps' directory, the password file, the CA file; the Service's
    // name resolved to the lab's server with PGHOSTADDR (libpq verifies PGHOST's name).
    const script = (dumpJob.command[2] as string)
      .replace("dir=/backups", `dir=${dir}`)
      .replace("/run/secrets/postgres/password", passwordFile);
    const labEnv = {
      ...env,
      PGSSLROOTCERT: caFile,
      PGHOSTADDR: "127.0.0.1",
      PGPORT: String(port),
      PATH: `${pgBin()}:/usr/bin:/bin`,
    };
    const dump = await run("/bin/sh", ["-c", script], { env: labEnv, timeout: 60_000 }).then(
      (r) => r.stdout + r.stderr,
    );
    expect(dump).toMatch(/backup orthanc-\d{8}T\d{6}Z\.dump written/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".dump"))).toHaveLength(1);
    // The check is real: a name the certificate does not carry is refused.
    const wrongName = await client("psql", ["-tAc", "SELECT 1"], {
      ...labEnv,
      PGHOST: "db.elsewhere.example",
      PGPASSWORD: db.Password as string,
    });
    expect(wrongName.code).not.toBe(0);
    expect(wrongName.output).toMatch(/does not match host name/);
  }, 90_000);

  test("the reload container's script: a renewed certificate (here from a new CA) is served without a restart", async () => {
    const env = envOf(stateful.reload);
    expect(stateful.reload.command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    const verify = (ca: string) =>
      orthancPsql("verify-full", "SELECT 1", {
        PGHOST: dnsNames[0],
        PGHOSTADDR: "127.0.0.1",
        PGSSLROOTCERT: ca,
      });
    expect((await verify(caFile)).code).toBe(0);
    const pidBefore = await superSql(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
    );
    const loopEnv = Object.entries({
      ...env,
      PGDATA: join(pgDir, "data"),
      TLS_DIR: tlsDir,
      HBA_FILE: join(pgDir, "hba", "pg_hba.conf"),
      CHECK_SECONDS: "1",
      PATH: `${pgBin()}:/usr/bin:/bin`,
    }).map(([k, v]) => `${k}=${v}`);
    const argv = ["env", ...loopEnv, "/bin/sh", "-c", stateful.reload.command[2]];
    const loop = spawn(
      isRoot() ? "runuser" : argv[0],
      isRoot() ? ["-u", "postgres", "--", ...argv] : argv.slice(1),
      {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    loop.stdout!.on("data", (d) => (output += d));
    loop.stderr!.on("data", (d) => (output += d));
    try {
      // Renew only once the loop has read the current files (it says so).
      for (let i = 0; i < 200 && !/watching/.test(output); i++) await sleep(50);
      expect(output).toMatch(/watching/);
      const newCa = await issue(tlsDir, "ca-2", dnsNames);
      const deadline = Date.now() + 30_000;
      let served = await verify(newCa);
      while (served.code !== 0 && Date.now() < deadline) {
        await sleep(250);
        served = await verify(newCa);
      }
      expect(served).toEqual({ code: 0, output: "1\n" });
      expect(output).toMatch(/server reloaded/);
      expect((await verify(caFile)).code).not.toBe(0);
      // Reloaded, not restarted: the same server processes.
      expect(
        await superSql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"),
      ).toBe(pidBefore);
    } finally {
      process.kill(-loop.pid!, "SIGTERM");
    }
  }, 90_000);
});
