/**
 * Boots the configuration the renderer produces in a real Orthanc (Debian's 1.10.1 with its
 * PostgreSQL and DICOMweb plugins) against a real PostgreSQL, and checks it over HTTP and DICOM.
 * Runs in CI (`CI=true`) or fails; elsewhere it skips loudly when Orthanc is not installed.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { parseConfig, OrthancConfig } from "../../infra/config";
import { HOSTNAME_PLACEHOLDER, PROBE_USER } from "../../components/shared/orthancConfig";
import { backupScript } from "../../components/docker/containers";
import { renderCaddyfile } from "../../components/docker/caddyfile";
import { makeInstance } from "./dicom";
import { documentedCoreKeys, forDebian, undocumentedKeys } from "./debian";
import {
  scu,
  freePort,
  freePorts,
  LabOrthanc,
  LabPostgres,
  orthancInstalled,
  removeDir,
  scratchDir,
  caddyInstalled,
  chownToPostgres,
  LabCaddy,
  pgBin,
  spawnAsPostgres,
  sleep,
  writeConfigDir,
} from "./lab";
import { labSecrets, LabSecrets, renderForLab } from "./render";
import { labStacks } from "./stacks";

const execFileAsync = promisify(execFile);
const installed = orthancInstalled();
if (!installed) {
  const msg =
    "Orthanc/PostgreSQL/dcmtk are not installed: the real-Orthanc suite cannot run (apt-get install orthanc orthanc-postgresql orthanc-dicomweb postgresql dcmtk).";
  if (process.env.CI === "true") throw new Error(msg);
  console.warn(`\n!!!!!!!! SKIPPING: ${msg}\n`);
}
const suite = installed ? describe : describe.skip;

let scratch: string;
let pg: LabPostgres;
let dbCounter = 0;
const started: LabOrthanc[] = [];

interface Booted {
  orthanc: LabOrthanc;
  dicomPort: number;
  secrets: LabSecrets;
  admin: { user: string; password: string };
  storageDir: string;
  omitted: string[];
}

/** Renders `cfg`, writes it as the image would mount it, and starts Orthanc on it. */
async function boot(
  cfg: OrthancConfig,
  opts: {
    database?: string;
    storageDir?: string;
    secrets?: LabSecrets;
    serverIdentifier?: string;
    wait?: boolean;
    pgPort?: number;
    clientAddressesPreserved?: boolean;
    /** Extra environment of the Orthanc process (as the container's). */
    env?: Record<string, string>;
    /** Keys changed in orthanc.json, for checks of a mechanism rather than of a stack. */
    orthancOverrides?: Record<string, unknown>;
  } = {},
): Promise<Booted> {
  const secrets = opts.secrets ?? labSecrets(cfg);
  const database = opts.database ?? `orthanc_${++dbCounter}`;
  if (!opts.database && cfg.database.engine === "postgresql") {
    await pg.createDatabase(database, "orthanc", secrets.databasePassword);
  }
  const [httpPort, dicomPort] = await freePorts(2);
  const rendered = renderForLab(
    cfg,
    {
      httpPort,
      dicomPort,
      pgPort: opts.pgPort ?? pg.port,
      database,
      serverIdentifier: opts.serverIdentifier ?? "lab-1",
      clientAddressesPreserved: opts.clientAddressesPreserved,
    },
    secrets,
  );
  const storageDir = opts.storageDir ?? join(scratch, `storage-${httpPort}`);
  mkdirSync(storageDir, { recursive: true });
  const debian = forDebian(rendered, storageDir);
  const configDir = writeConfigDir(join(scratch, `config-${httpPort}`), {
    "orthanc.json": { ...debian.orthancJson, ...opts.orthancOverrides },
    "credentials.json": debian.credentialsJson,
  });
  const admin = { user: cfg.orthanc.adminUser, password: secrets.users[cfg.orthanc.adminUser] };
  const orthanc = new LabOrthanc(configDir, httpPort, admin, {
    ...rendered.environment,
    ...opts.env,
  });
  started.push(orthanc);
  if (opts.wait === false) orthanc.launch();
  else await orthanc.start();
  return { orthanc, dicomPort, secrets, admin, storageDir, omitted: debian.omitted };
}

/** A new database owned by `orthanc`, with the secrets a stack would generate. */
async function freshDatabase(
  cfg: OrthancConfig,
): Promise<{ secrets: LabSecrets; database: string }> {
  const secrets = labSecrets(cfg);
  const database = `orthanc_${++dbCounter}`;
  await pg.createDatabase(database, "orthanc", secrets.databasePassword);
  return { secrets, database };
}

async function upload(o: LabOrthanc, file: Buffer) {
  const res = await o.request("POST", "/instances", {
    body: file,
    headers: { "content-type": "application/dicom" },
  });
  expect(res.status).toBe(200);
  return res.json() as { Status: string; ID: string };
}

async function countInstances(o: LabOrthanc): Promise<number> {
  const res = await o.request("GET", "/statistics");
  expect(res.status).toBe(200);
  return res.json().CountInstances;
}

function writeDicom(name: string, file: Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, file);
  return path;
}

async function stopAll() {
  await Promise.all(started.splice(0).map((o) => o.stop()));
}

suite("real Orthanc with the rendered configuration", () => {
  beforeAll(async () => {
    scratch = scratchDir("suite");
    pg = await LabPostgres.start(scratch);
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await pg?.stop();
    if (scratch) removeDir(scratch);
  }, 60_000);

  afterEach(async () => stopAll(), 60_000);

  describe.each(labStacks())("stack %s", (_name, raw) => {
    const cfg = parseConfig(raw);

    test("renders only keys that Orthanc documents (a typo would be ignored silently)", async () => {
      const secrets = labSecrets(cfg);
      const rendered = renderForLab(
        cfg,
        { httpPort: 1, dicomPort: 2, pgPort: 3, database: "d", serverIdentifier: "x" },
        secrets,
      );
      const core = documentedCoreKeys();
      expect(undocumentedKeys(rendered.orthancJson, core)).toEqual([]);
      expect(undocumentedKeys(rendered.credentialsJson, core)).toEqual([]);
    });

    test("boots, enforces auth, stores over REST and DICOM, serves QIDO, survives a restart", async () => {
      const b = await boot(cfg);
      if (b.omitted.length)
        console.info(
          `Not supported by Debian's Orthanc 1.10.1, left out:\n  ${b.omitted.join("\n  ")}`,
        );
      const o = b.orthanc;

      // Auth: nothing, a wrong password and an unknown user get 401; admin and probe users work.
      expect((await o.request("GET", "/system", { auth: null })).status).toBe(401);
      expect(
        (await o.request("GET", "/system", { auth: { user: b.admin.user, password: "wrong" } }))
          .status,
      ).toBe(401);
      expect(
        (await o.request("GET", "/system", { auth: { user: "orthanc", password: "orthanc" } }))
          .status,
      ).toBe(401);
      expect(
        (
          await o.request("GET", "/changes?last", {
            auth: { user: PROBE_USER, password: b.secrets.users[PROBE_USER] },
          })
        ).status,
      ).toBe(200);

      // What Orthanc actually loaded: a wrong plugin path would silently fall back to SQLite.
      const system = (await o.request("GET", "/system")).json();
      expect(system.Name).toBe(cfg.orthanc.name);
      expect(system.DicomAet).toBe(cfg.orthanc.dicom.aet);
      expect(system.HttpPort).toBe(o.httpPort);
      expect(system.DicomPort).toBe(b.dicomPort);
      if (cfg.database.engine === "postgresql")
        expect(system.DatabaseBackendPlugin).toMatch(/libOrthancPostgreSQLIndex/);
      else expect(system.DatabaseBackendPlugin).toBeNull();
      expect(system.StorageAreaPlugin).toBeNull();
      const plugins = (await o.request("GET", "/plugins")).json() as string[];
      expect(plugins.includes("dicom-web")).toBe(cfg.orthanc.plugins.dicomWeb);
      expect(plugins.includes("postgresql-index")).toBe(cfg.database.engine === "postgresql");

      // REST upload.
      const first = makeInstance();
      expect((await upload(o, first.file)).Status).toBe("Success");

      // DICOM: from an allowed AE (the allowlist's first modality, or any AE without a list).
      const modalities = Object.values(cfg.orthanc.dicom.modalities);
      const callingAet = modalities.find((m) => m.allowStore && m.allowEcho)?.aet ?? "LABSCU";
      const aec = cfg.orthanc.dicom.aet;
      const echo = await scu("echoscu", callingAet, aec, b.dicomPort);
      expect(echo.code).toBe(0);
      const second = makeInstance(
        { studyUid: first.ids.studyUid, patientId: first.ids.patientId },
        2,
      );
      const stored = await scu(
        "storescu",
        callingAet,
        aec,
        b.dicomPort,
        writeDicom("second.dcm", second.file),
      );
      expect(stored.output).not.toMatch(/error|fail/i);
      expect(stored.code).toBe(0);
      expect(await countInstances(o)).toBe(2);

      if (cfg.orthanc.dicom.checkCalledAet) {
        const wrongCalled = await scu("echoscu", callingAet, "NOTORTHANC", b.dicomPort);
        expect(wrongCalled.code).not.toBe(0);
      }

      if (modalities.length) {
        // An AE that is not on the allowlist is refused (the association is aborted) and
        // nothing is stored.
        const third = makeInstance({}, 3);
        const intruder = await scu(
          "storescu",
          "INTRUDER",
          aec,
          b.dicomPort,
          writeDicom("third.dcm", third.file),
        );
        expect(intruder.code).not.toBe(0);
        expect((await scu("echoscu", "INTRUDER", aec, b.dicomPort)).code).not.toBe(0);
        expect(await countInstances(o)).toBe(2);
      }

      // DICOMweb QIDO finds the study, and asks for credentials too.
      if (cfg.orthanc.plugins.dicomWeb) {
        const qido = await o.request(
          "GET",
          `/dicom-web/studies?StudyInstanceUID=${first.ids.studyUid}`,
          { headers: { accept: "application/dicom+json" } },
        );
        expect(qido.status).toBe(200);
        const studies = qido.json();
        expect(studies).toHaveLength(1);
        expect(studies[0]["0020000D"].Value[0]).toBe(first.ids.studyUid);
        expect((await o.request("GET", "/dicom-web/studies", { auth: null })).status).toBe(401);
      }

      // The data is still there after a restart.
      await o.stop();
      await o.start();
      expect(await countInstances(o)).toBe(2);
      const found = await o.request("POST", "/tools/lookup", { body: first.ids.sopUid });
      expect(found.json()).toHaveLength(1);
    }, 120_000);
  });

  test("two replicas on one PostgreSQL index both accept uploads and each sees every instance", async () => {
    const cfg = parseConfig({ target: "docker", orthanc: { replicas: 2 } });
    const { secrets, database } = await freshDatabase(cfg);
    const storageDir = join(scratch, "shared-storage");
    // As every target renders it for several writers: each replica names itself after HOSTNAME.
    const serverIdentifier = HOSTNAME_PLACEHOLDER;
    const a = await boot(cfg, { database, storageDir, secrets, serverIdentifier });
    const b = await boot(cfg, { database, storageDir, secrets, serverIdentifier });
    const perReplica = 20;
    const uploads: Promise<unknown>[] = [];
    for (let i = 0; i < perReplica; i++) {
      uploads.push(upload(a.orthanc, makeInstance({}, i).file));
      uploads.push(upload(b.orthanc, makeInstance({}, i).file));
    }
    const results = (await Promise.all(uploads)) as { Status: string }[];
    expect(results.every((r) => r.Status === "Success")).toBe(true);
    expect(await countInstances(a.orthanc)).toBe(2 * perReplica);
    expect(await countInstances(b.orthanc)).toBe(2 * perReplica);
  }, 120_000);

  test("`${HOSTNAME}` names each replica after its own container id", async () => {
    const cfg = parseConfig({ target: "docker", orthanc: { replicas: 2 } });
    const { secrets, database } = await freshDatabase(cfg);
    // Saved jobs are the one thing Orthanc 1.10 files under its server identifier: turned on
    // here only to see the identifiers (several writers ship with SaveJobs off).
    const opts = {
      database,
      secrets,
      serverIdentifier: HOSTNAME_PLACEHOLDER,
      orthancOverrides: { SaveJobs: true },
    };
    const a = await boot(cfg, { ...opts, storageDir: join(scratch, "ids-storage") });
    const b = await boot(cfg, { ...opts, storageDir: join(scratch, "ids-storage") });
    await Promise.all([a.orthanc.stop(), b.orthanc.stop()]);
    const servers = await pg.sql("SELECT DISTINCT server FROM serverproperties", database);
    expect(servers.trim().split("\n").sort()).toEqual(
      [a.orthanc.hostname, b.orthanc.hostname].sort(),
    );
  }, 60_000);

  test("`${HOSTNAME}` as the server identifier stops Orthanc with a clear message when HOSTNAME is empty", async () => {
    const cfg = parseConfig({ target: "docker", orthanc: { replicas: 2 } });
    const booted = await boot(cfg, {
      serverIdentifier: HOSTNAME_PLACEHOLDER,
      wait: false,
      env: { HOSTNAME: "" },
    });
    expect(await booted.orthanc.waitExit(30_000)).not.toBe("timeout");
    expect(booted.orthanc.logTail()).toMatch(/DatabaseServerIdentifier|cannot be empty/i);
  }, 60_000);

  test("where client addresses are preserved, a known AE title from another host is refused", async () => {
    const cfg = parseConfig({
      target: "docker",
      orthanc: {
        dicom: {
          modalities: {
            here: { aet: "CT01", host: "127.0.0.1" },
            elsewhere: { aet: "CT02", host: "10.9.9.9" },
          },
        },
      },
    });
    const { dicomPort } = await boot(cfg, { clientAddressesPreserved: true });
    expect((await scu("echoscu", "CT01", "ORTHANC", dicomPort)).code).toBe(0);
    // CT02 is known, but not at 127.0.0.1: without the host check it would be accepted.
    expect((await scu("echoscu", "CT02", "ORTHANC", dicomPort)).code).not.toBe(0);
  }, 60_000);

  test("supplied passwords with `$`, `$HOME`, quotes, a backslash and non-ASCII survive: the user logs in and Orthanc reaches its database", async () => {
    const cfg = parseConfig({ target: "docker", orthanc: { users: { reader: {} } } });
    // What the image's envsubst would cut if the `$` were written raw. (`${` is refused by the
    // schema: Orthanc expands it itself after the image has assembled the file.)
    const odd = `p$USER-$HOME-"q"-'-é-漢-$`;
    const secrets: LabSecrets = {
      users: { ...labSecrets(cfg).users, reader: `r${odd}-\\` },
      // No space or backslash: the schema refuses them for a database password (libpq).
      databasePassword: `d${odd}`,
    };
    const { orthanc } = await boot(cfg, { secrets });
    const as = (password: string) =>
      fetch(`${orthanc.url}/system`, {
        headers: {
          authorization: `Basic ${Buffer.from(`reader:${password}`).toString("base64")}`,
        },
      }).then((r) => r.status);
    expect(await as(`r${odd}-\\`)).toBe(200);
    expect(await as("r")).toBe(401);
    // The database password went through the same file: the index is PostgreSQL's.
    const system = await orthanc.request("GET", "/system");
    expect(system.json().DatabaseBackendPlugin).toMatch(/PostgreSQL/);
  }, 60_000);

  test("the Docker target's backup loop writes a restorable pg_dump of the index and prunes old dumps", async () => {
    const cfg = parseConfig({ target: "docker" });
    const { secrets, database } = await freshDatabase(cfg);
    const b = await boot(cfg, { database, secrets });
    await upload(b.orthanc, makeInstance().file);
    const dir = join(scratch, "backups");
    mkdirSync(dir);
    await chownToPostgres(dir);
    // A dump from long ago, past the 14-day retention, and a recent one that must stay.
    const old = join(dir, "orthanc-20000101T000000Z.dump");
    const recent = join(dir, "orthanc-recent.dump");
    writeFileSync(old, "old");
    writeFileSync(recent, "recent");
    utimesSync(old, new Date("2000-01-01"), new Date("2000-01-01"));
    const pgpass = join(scratch, "pgpass");
    writeFileSync(
      pgpass,
      `127.0.0.1:${pg.port}:${database}:orthanc:${secrets.databasePassword}\n`,
      { mode: 0o600 },
    );
    await chownToPostgres(pgpass);
    const script = join(scratch, "orthanc-backup.sh");
    writeFileSync(script, backupScript(24, 14), { mode: 0o555 });
    const loop = spawnAsPostgres("/bin/sh", [script], {
      BACKUP_DIR: dir,
      PGHOST: "127.0.0.1",
      PGPORT: String(pg.port),
      PGUSER: "orthanc",
      PGDATABASE: database,
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

  test("a single replica locks its database against a second Orthanc started by mistake", async () => {
    const cfg = parseConfig({ target: "docker" });
    const { secrets, database } = await freshDatabase(cfg);
    await boot(cfg, { database, secrets });
    const second = await boot(cfg, { database, secrets, wait: false });
    expect(await second.orthanc.waitExit(20_000)).not.toBe(0);
    expect(second.orthanc.log()).toMatch(/locked by another instance/i);
  }, 60_000);

  test("a wrong database password fails with PostgreSQL's own message and never serves", async () => {
    const cfg = parseConfig({ target: "docker" });
    const { secrets, database } = await freshDatabase(cfg);
    const b = await boot(cfg, {
      database,
      secrets: { ...secrets, databasePassword: "not-the-password" },
      wait: false,
    });
    await waitForLog(b.orthanc, /password authentication failed for user "orthanc"/, 20_000);
    expect(
      (await b.orthanc.request("GET", "/system").catch(() => ({ status: 0 }))).status,
    ).not.toBe(200);
  }, 60_000);

  test("an unreachable database fails with a clear message and never serves", async () => {
    const cfg = parseConfig({ target: "docker" });
    const deadPort = await freePort();
    const secrets = labSecrets(cfg);
    // The rendered configuration points at a port nobody listens on.
    const b = await boot(cfg, { database: "nowhere", secrets, wait: false, pgPort: deadPort });
    await waitForLog(b.orthanc, /Connection refused|could not connect/i, 20_000);
    expect(
      (await b.orthanc.request("GET", "/system").catch(() => ({ status: 0 }))).status,
    ).not.toBe(200);
  }, 60_000);
});

const proxySuite = installed && caddyInstalled() ? describe : describe.skip;
if (installed && !caddyInstalled()) {
  if (process.env.CI === "true")
    throw new Error("caddy is not installed: the proxy suite cannot run (apt-get install caddy).");
  console.warn(
    "\n!!!!!!!! SKIPPING the proxy checks: caddy is not installed (apt-get install caddy).\n",
  );
}

proxySuite("real Caddy with the rendered Caddyfile in front of the real Orthanc", () => {
  let proxyScratch: string;
  beforeAll(async () => {
    proxyScratch = scratchDir("proxy");
    // `boot` works in the shared scratch dir and cluster; this suite runs after the first one ended.
    scratch = proxyScratch;
    pg = await LabPostgres.start(proxyScratch);
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await pg?.stop();
    removeDir(proxyScratch);
  }, 60_000);

  test.each([
    [
      "with a domain (ACME, staging CA, CORS)",
      {
        domain: "pacs.example.org",
        acmeEmail: "ops@example.org",
        acmeStaging: true,
        upstream: "orthanc:8042",
        corsOrigins: ["https://viewer.example.org"],
      },
    ],
    [
      "without a domain",
      { acmeStaging: false, upstream: "orthanc:8042 orthanc-2:8042", corsOrigins: [] },
    ],
  ])("caddy validate accepts the Caddyfile %s", async (_name, settings) => {
    const result = await LabCaddy.validate(renderCaddyfile(settings), proxyScratch);
    expect(result.output).toContain("Valid configuration");
    expect(result.ok).toBe(true);
  });

  test("proxies auth, large uploads, DICOMweb links, CORS and health as configured", async () => {
    const cfg = parseConfig({ target: "docker" });
    const b = await boot(cfg);
    const [httpPort, healthPort] = await freePorts(2);
    const caddy = new LabCaddy(
      renderCaddyfile({
        acmeStaging: false,
        upstream: `127.0.0.1:${b.orthanc.httpPort}`,
        corsOrigins: ["https://viewer.example.org"],
        httpPort,
        healthPort,
      }),
      proxyScratch,
    );
    await caddy.start(`http://127.0.0.1:${healthPort}/healthz`);
    try {
      const url = `http://127.0.0.1:${httpPort}`;
      const auth = {
        authorization: `Basic ${Buffer.from(`${b.admin.user}:${b.admin.password}`).toString("base64")}`,
      };
      // Orthanc's own 401 and its challenge pass through.
      const anonymous = await fetch(`${url}/system`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/Basic realm=/);
      const system = await fetch(`${url}/system`, { headers: auth });
      expect(system.status).toBe(200);
      expect(system.headers.get("x-content-type-options")).toBe("nosniff");
      expect(system.headers.get("server")).toBeNull();
      // A 16 MB instance goes through unbuffered and unlimited.
      const big = makeInstance({}, 1, 4096);
      const stored = await fetch(`${url}/instances`, {
        method: "POST",
        headers: auth,
        body: big.file,
      });
      expect(stored.status).toBe(200);
      expect(((await stored.json()) as { Status: string }).Status).toBe("Success");
      // DICOMweb links follow the Host the client used (the proxy keeps it).
      const qido = await fetch(`${url}/dicom-web/studies/${big.ids.studyUid}/series`, {
        headers: { ...auth, accept: "application/dicom+json" },
      });
      expect(qido.status).toBe(200);
      const series = (await qido.json()) as Record<string, { Value: string[] }>[];
      const retrieve = series[0]["00081190"].Value[0] as string;
      expect(
        retrieve.startsWith(
          `http://127.0.0.1:${httpPort}/dicom-web/studies/${big.ids.studyUid}/series/`,
        ),
      ).toBe(true);
      // CORS: the preflight is answered by the proxy for allowed origins only.
      const preflight = await fetch(`${url}/dicom-web/studies`, {
        method: "OPTIONS",
        headers: { origin: "https://viewer.example.org", "access-control-request-method": "GET" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(
        "https://viewer.example.org",
      );
      const stranger = await fetch(`${url}/dicom-web/studies`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
      });
      expect(stranger.status).not.toBe(204);
      expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
      const cors = await fetch(`${url}/system`, {
        headers: { ...auth, origin: "https://viewer.example.org" },
      });
      expect(cors.headers.get("access-control-allow-origin")).toBe("https://viewer.example.org");
    } finally {
      await caddy.stop();
    }
  }, 120_000);
});

async function waitForLog(o: LabOrthanc, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(o.log())) return;
    await sleep(100);
  }
  throw new Error(`Orthanc's log never matched ${pattern}:\n${o.logTail()}`);
}
