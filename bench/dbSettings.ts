/**
 * `npm run bench` section (d): the shipped database settings against the alternatives, in one run,
 * on the real Orthanc (Debian's 1.10.1, PostgreSQL plugin 4.0) and PostgreSQL clusters of our own
 * that keep durability on (fsync, synchronous_commit: the lab's cluster turns both off, which
 * would hide what the server settings change), one started with the shipped server settings and
 * one with the defaults. One writer, the documents the program ships for the `local` stack (with
 * the lab's locations only, `forLab`), each variant on a fresh database: start-up time to the
 * first 200; ingest over REST (1 and 4 clients) and C-STORE; reads (8 clients) while 4 clients
 * upload; the client-visible errors and the longest stall while PostgreSQL restarts under upload.
 * Prints the medians and the ratios shipped/alternative, then crashes the shipped server under
 * upload and checks that no acknowledged instance is lost.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { JsonObject } from "../components/shared/orthancConfig";
import { postgresServerArgs, POSTGRES_SERVER_SETTINGS } from "../components/shared/postgresTuning";
import { makeInstance } from "../test/real-orthanc/dicom";
import {
  dcmtk,
  freePorts,
  LabOrthanc,
  LabPostgres,
  OrthancUser,
  pgBin,
  sleep,
  writeConfigDir,
} from "../test/real-orthanc/lab";
import { forLab, outsideLocations } from "../test/real-orthanc/location";
import { Shipped, shippedDocuments } from "../test/real-orthanc/shippedDocuments";

const run = promisify(execFile);

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * What Orthanc is told about its index, on top of the shipped documents. What the stack
 * configuration can express goes through the program (`connections`, `replicas`); the retry
 * settings are fixed in the renderer (orthancConfig.ts), so those alone are edits of the lab's
 * document (`DOCUMENT_EDITS`): the only keys besides the locations that the boot's check
 * (`outsideLocations`) lets differ from what the program ships.
 */
export interface ClientSettings {
  /**
   * `IndexConnectionsCount` per replica, as `orthanc:database.connectionsPerReplica`; the shipped
   * sizing when undefined.
   */
  connections?: number;
  /**
   * `orthanc:orthanc.replicas`: the documents of the first of that many writers (no `Lock`, the
   * connection budget split); 1 when undefined.
   */
  replicas?: number;
  /** `ConnectionRetryInterval` (s), a document edit; the shipped value when undefined. */
  retryInterval?: number;
  /** `MaximumConnectionRetries`, a document edit; the shipped value when undefined. */
  retries?: number;
}

/** The only keys the bench edits in the lab's documents: what no stack configuration sets. */
const DOCUMENT_EDITS = {
  retryInterval: "PostgreSQL.ConnectionRetryInterval",
  retries: "PostgreSQL.MaximumConnectionRetries",
} as const;

const shippedCache = new Map<string, Promise<Shipped>>();

/**
 * The program's documents for the stack configuration `raw` with the settings of `client` that
 * the configuration expresses (under mocks, secrets revealed; one plan per distinct overrides).
 * Await each before the next: the Pulumi runtime's mocks are process-wide.
 */
export function shippedWith(
  raw: Record<string, unknown>,
  stack: string,
  client: ClientSettings = {},
): Promise<Shipped> {
  const section = (key: string) => (raw[key] ?? {}) as Record<string, unknown>;
  const config = {
    ...raw,
    ...(client.replicas === undefined
      ? {}
      : { orthanc: { ...section("orthanc"), replicas: client.replicas } }),
    ...(client.connections === undefined
      ? {}
      : { database: { ...section("database"), connectionsPerReplica: client.connections } }),
  };
  const key = JSON.stringify([stack, config]);
  if (!shippedCache.has(key)) shippedCache.set(key, shippedDocuments(config, stack));
  return shippedCache.get(key)!;
}

export interface Booted {
  orthanc: LabOrthanc;
  auth: OrthancUser;
  dicomPort: number;
  /** Seconds from the process start to the first 200 from /system. */
  startup: number;
  /** The `PostgreSQL` section Orthanc was given. */
  postgres: JsonObject;
}

/**
 * Boots the first shipped Orthanc's documents against `pg`, with the lab's locations (`forLab`)
 * and the document edits of `client` only (checked with `outsideLocations`), and times it to the
 * first 200.
 */
export async function bootOrthanc(
  shipped: Shipped,
  pg: { port: number },
  scratch: string,
  db: { database: string; storage: string },
  client: ClientSettings = {},
): Promise<Booted> {
  const [httpPort, dicomPort] = await freePorts(2);
  const lab = forLab(shipped, {
    httpPort,
    dicomPort,
    storageDir: db.storage,
    postgres: { port: pg.port, database: db.database },
  });
  const postgres = lab.credentialsJson.PostgreSQL as JsonObject;
  if (client.retryInterval !== undefined) postgres.ConnectionRetryInterval = client.retryInterval;
  if (client.retries !== undefined) postgres.MaximumConnectionRetries = client.retries;
  const dir = writeConfigDir(join(scratch, `config-${httpPort}`), {
    "orthanc.json": lab.orthancJson,
    "credentials.json": lab.credentialsJson,
  });
  // What Orthanc will read, read back: only the locations and the named edits differ from what
  // the program would deploy.
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as JsonObject;
  const edited = Object.entries(DOCUMENT_EDITS)
    .filter(([setting]) => client[setting as keyof typeof DOCUMENT_EDITS] !== undefined)
    .map(([, key]) => key);
  const differ = outsideLocations(
    shipped,
    {
      orthancJson: read("orthanc.json"),
      credentialsJson: read("credentials.json"),
      environment: lab.environment,
    },
    edited,
  );
  if (differ.length)
    throw new Error(`the bench would boot what the program does not deploy:
${differ.join("\n")}`);
  const users = shipped.credentialsJson.RegisteredUsers as Record<string, string>;
  const auth = { user: shipped.adminUser, password: users[shipped.adminUser] };
  const orthanc = new LabOrthanc(dir, httpPort, auth, lab.environment);
  const t0 = performance.now();
  orthanc.launch();
  for (;;) {
    const res = await orthanc.request("GET", "/system").catch(() => undefined);
    if (res?.status === 200) break;
    if (!orthanc.running) throw new Error(`Orthanc exited:\n${orthanc.logTail()}`);
    if (performance.now() - t0 > 60_000) throw new Error(`no answer:\n${orthanc.logTail()}`);
    await sleep(5);
  }
  return { orthanc, auth, dicomPort, startup: (performance.now() - t0) / 1000, postgres };
}

/**
 * A fresh database for one measurement, owned by the shipped role with the shipped password (as
 * the targets create it), and a storage directory.
 */
export async function freshDatabase(
  shipped: Shipped,
  pg: LabPostgres,
  scratch: string,
  name: string,
) {
  const section = shipped.credentialsJson.PostgreSQL as JsonObject | undefined;
  if (!section) throw new Error("these documents do not use PostgreSQL");
  await pg.createDatabase(name, section.Username as string, section.Password as string);
  const storage = join(scratch, `${name}-files`);
  mkdirSync(storage, { recursive: true });
  return { database: name, storage };
}

const basicAuth = (a: OrthancUser) =>
  `Basic ${Buffer.from(`${a.user}:${a.password}`).toString("base64")}`;

export async function countInstances(o: LabOrthanc): Promise<number> {
  const res = await o.request("GET", "/statistics");
  if (res.status !== 200) throw new Error(`/statistics: ${res.status} ${res.text}`);
  return res.json().CountInstances;
}

/** One POST /instances: the status (0 when the connection failed) and its start and end (ms). */
interface Answer {
  status: number;
  start: number;
  end: number;
}

async function post(o: LabOrthanc, auth: OrthancUser, file: Buffer): Promise<Answer> {
  const start = performance.now();
  const status = await fetch(`${o.url}/instances`, {
    method: "POST",
    headers: { authorization: basicAuth(auth) },
    body: file,
  })
    .then(async (r) => (await r.arrayBuffer(), r.status))
    .catch(() => 0);
  return { status, start, end: performance.now() };
}

/**
 * `n` new instances over REST by `clients` concurrent clients, spread over `targets` in turn (a
 * client retries a refused instance, as a modality would). Instances/s and the refusals.
 */
export async function restIngest(
  targets: { orthanc: LabOrthanc; auth: OrthancUser }[],
  n: number,
  clients: number,
): Promise<{ rate: number; errors: number }> {
  const files = Array.from({ length: n }, (_, i) => makeInstance({}, i).file);
  const before = await countInstances(targets[0].orthanc);
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const t = targets[c % targets.length];
      while (next < files.length) {
        const file = files[next++];
        for (let attempt = 0; ; attempt++) {
          if ((await post(t.orthanc, t.auth, file)).status === 200) break;
          errors++;
          if (attempt > 20) throw new Error("an instance was refused 20 times");
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const stored = (await countInstances(targets[0].orthanc)) - before;
  if (stored !== n) throw new Error(`REST: stored ${stored} of ${n}`);
  return { rate: n / seconds, errors };
}

/** `n` new instances over one C-STORE association; instances/s. */
export async function cstoreIngest(b: Booted, aet: string, n: number, scratch: string) {
  const dir = mkdtempSync(join(scratch, "dcm-"));
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${i}.dcm`), makeInstance({}, i).file);
  const before = await countInstances(b.orthanc);
  const t0 = performance.now();
  const r = await dcmtk("storescu", [
    ...["+sd", "-aet", "BENCH", "-aec", aet, "127.0.0.1", String(b.dicomPort), dir],
  ]);
  const seconds = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(r.output);
  const stored = (await countInstances(b.orthanc)) - before;
  if (stored !== n) throw new Error(`C-STORE: stored ${stored} of ${n}`);
  return n / seconds;
}

export interface RestartTrial {
  /** Non-200 answers (and failed connections) while PostgreSQL restarted. */
  errors: number;
  /** Longest time a client waited for one answer, s. */
  longestRequest: number;
  /** Longest time without any successful upload, from before the restart to after it, s. */
  longestGap: number;
  /** pg_ctl restart's own duration, s. */
  restart: number;
  /** Acknowledged (200) instances not in the index afterwards (when verified): must be 0. */
  lost: number;
}

/**
 * `clients` upload continuously; after `warmupMs` PostgreSQL restarts (`pg_ctl restart -m fast`);
 * the upload goes on for `afterMs` once it is back, then every answer is counted. `verify` looks
 * up every acknowledged instance (by default after a crash only).
 */
export async function restartTrial(
  b: Booted,
  pg: LabPostgres,
  clients: number,
  warmupMs = 1500,
  afterMs = 5000,
  mode: "fast" | "immediate" = "fast",
  verify = mode === "immediate",
): Promise<RestartTrial> {
  const answers: Answer[] = [];
  const acknowledged: string[] = [];
  let stop = false;
  let i = 0;
  const uploaders = Array.from({ length: clients }, async () => {
    while (!stop) {
      const inst = makeInstance({}, i++);
      const a = await post(b.orthanc, b.auth, inst.file);
      answers.push(a);
      if (a.status === 200) acknowledged.push(inst.ids.sopUid);
    }
  });
  await sleep(warmupMs);
  const from = answers.length;
  const restart = await pg.restart(mode);
  await sleep(afterMs);
  stop = true;
  await Promise.all(uploaders);
  const during = answers.slice(from);
  // Every acknowledged instance must be in the index: Orthanc answers 200 only after the
  // commit, and synchronous_commit makes a commit survive a crash.
  let lost = 0;
  for (const sop of verify ? acknowledged : []) {
    const found = await b.orthanc.request("POST", "/tools/lookup", { body: sop });
    if (found.status !== 200 || found.json().length !== 1) lost++;
  }
  const okEnds = answers
    .filter((a) => a.status === 200)
    .map((a) => a.end)
    .sort((x, y) => x - y);
  let longestGap = 0;
  for (let k = 1; k < okEnds.length; k++)
    longestGap = Math.max(longestGap, okEnds[k] - okEnds[k - 1]);
  return {
    errors: during.filter((a) => a.status !== 200).length,
    longestRequest: Math.max(...during.map((a) => a.end - a.start)) / 1000,
    longestGap: longestGap / 1000,
    restart,
    lost,
  };
}

export interface ReadsUnderIngest {
  /** Instances/s stored by 4 writing clients while 8 clients read. */
  ingest: number;
  /** Answers/s to the readers. */
  reads: number;
  /** 95th percentile of a read's time, ms. */
  p95: number;
}

/**
 * 4 clients upload `n` instances while 8 read what is already stored, as viewers and DICOMweb
 * clients do next to modalities: an instance's tags and a QIDO-RS study search, in turn.
 */
export async function readsUnderIngest(b: Booted, n: number): Promise<ReadsUnderIngest> {
  const ids = (await b.orthanc.request("GET", "/instances")).json() as string[];
  if (!ids.length) throw new Error("nothing stored to read");
  let stop = false;
  const times: number[] = [];
  const readers = Array.from({ length: 8 }, async (_, r) => {
    for (let i = r; !stop; i += 8) {
      const path =
        i % 2
          ? `/instances/${ids[(i * 7) % ids.length]}/simplified-tags`
          : `/dicom-web/studies?PatientID=LAB-PATIENT&limit=20&offset=${i % 100}`;
      const t0 = performance.now();
      const res = await b.orthanc.request("GET", path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      times.push(performance.now() - t0);
    }
  });
  const t0 = performance.now();
  const written = await restIngest([b], n, 4);
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(readers);
  times.sort((x, y) => x - y);
  return {
    ingest: written.rate,
    reads: times.length / seconds,
    p95: times[Math.floor(times.length * 0.95)],
  };
}

// -------------------------------------------------------------------------- the bench section

/** Settings compared: Orthanc's side (as shipped, or varied: `ClientSettings`) and the server's. */
interface Variant {
  label: string;
  client: ClientSettings;
  server: "shipped" | "defaults";
}

const SHIPPED: Variant = { label: "shipped", client: {}, server: "shipped" };
/** The alternatives, each differing from the shipped settings in one respect, and the old ones. */
const ALTERNATIVES: Variant[] = [
  { label: "1 connection", client: { connections: 1 }, server: "shipped" },
  { label: "4 connections", client: { connections: 4 }, server: "shipped" },
  { label: "20 connections", client: { connections: 20 }, server: "shipped" },
  { label: "retry every 2 s", client: { retryInterval: 2, retries: 10 }, server: "shipped" },
  { label: "server: image defaults", client: {}, server: "defaults" },
  {
    label: "before (20 conn., 2 s, image defaults)",
    client: { connections: 20, retryInterval: 2, retries: 10 },
    server: "defaults",
  },
];

const MEASURES = [
  "start-up s",
  "REST 1 client /s",
  "REST 4 clients /s",
  "C-STORE /s",
  "reads/s under ingest",
  "read p95 ms",
  "errors in a restart",
  "longest stall s",
] as const;
type Measure = (typeof MEASURES)[number];
/** Higher is better for these; lower for the others. */
const HIGHER_IS_BETTER = new Set<Measure>([
  "REST 1 client /s",
  "REST 4 clients /s",
  "C-STORE /s",
  "reads/s under ingest",
]);

/**
 * One run of one variant on a fresh database. Orthanc is left stopping (`stopping`): it takes ~3 s
 * idle (open keep-alive connections), nothing to wait for before the next run.
 */
async function measureOnce(
  shipped: Shipped,
  pg: LabPostgres,
  v: Variant,
  scratch: string,
  name: string,
  n: number,
  stopping: Promise<void>[],
): Promise<{ values: Record<Measure, number>; postgres: JsonObject }> {
  const db = await freshDatabase(shipped, pg, scratch, name);
  const b = await bootOrthanc(shipped, pg, scratch, db, v.client);
  try {
    const rest1 = await restIngest([b], n, 1);
    const rest4 = await restIngest([b], n, 4);
    const cstore = await cstoreIngest(b, shipped.orthancJson.DicomAet as string, n, scratch);
    const mixed = await readsUnderIngest(b, n);
    const restart = await restartTrial(b, pg, 1, 500, 2500);
    return {
      values: {
        "start-up s": b.startup,
        "REST 1 client /s": rest1.rate,
        "REST 4 clients /s": rest4.rate,
        "C-STORE /s": cstore,
        "reads/s under ingest": mixed.reads,
        "read p95 ms": mixed.p95,
        "errors in a restart": restart.errors,
        "longest stall s": restart.longestGap,
      },
      postgres: b.postgres,
    };
  } finally {
    stopping.push(b.orthanc.stop());
  }
}

const shown = (m: Measure, x: number) =>
  HIGHER_IS_BETTER.has(m) || m.startsWith("errors") || m.endsWith("ms")
    ? x.toFixed(0)
    : x.toFixed(2);

/**
 * Section (d): every variant `runs` times, interleaved (the order reversed every other run), each
 * on a fresh database and Orthanc; medians, then shipped/alternative. Ends with a crash
 * (`pg_ctl restart -m immediate`) under upload on the shipped settings: no acknowledged instance
 * may be lost.
 */
export async function dbSettingsBench(
  raw: Record<string, unknown>,
  stack: string,
  n: number,
  runs: number,
  scratch: string,
): Promise<void> {
  console.log(
    `\n(d) Database settings, shipped vs alternatives: one writer, the documents the program ships for the '${stack}' stack on Debian's Orthanc 1.10.1 (PostgreSQL plugin 4.0), a durable PostgreSQL ${await pgVersion()} (fsync, synchronous_commit on); ${n} instances per path, median of ${runs}, interleaved\n`,
  );
  console.log(
    `Shipped server settings (-c): ${postgresServerArgs()
      .filter((a) => a !== "-c")
      .join(" ")}`,
  );
  const variants = [SHIPPED, ...ALTERNATIVES];
  // Each variant's documents from the program, one plan at a time; a configured connection count
  // must reach the document.
  const shipped: Shipped[] = [];
  for (const v of variants) {
    const docs = await shippedWith(raw, stack, v.client);
    const count = (docs.credentialsJson.PostgreSQL as JsonObject).IndexConnectionsCount;
    if (v.client.connections !== undefined && count !== v.client.connections)
      throw new Error(`${v.label}: the program ships IndexConnectionsCount ${count}`);
    shipped.push(docs);
  }
  const servers = {
    shipped: await LabPostgres.start(join(scratch, "shipped"), {
      settings: POSTGRES_SERVER_SETTINGS,
    }),
    defaults: await LabPostgres.start(join(scratch, "defaults"), { settings: {} }),
  };
  const values = variants.map(() => Object.fromEntries(MEASURES.map((m) => [m, [] as number[]])));
  const given: JsonObject[] = [];
  const stopping: Promise<void>[] = [];
  let crash: RestartTrial | undefined;
  try {
    let k = 0;
    for (let r = 0; r < runs; r++) {
      const order = variants.map((_, i) => i);
      for (const i of r % 2 ? order.reverse() : order) {
        const v = variants[i];
        const m = await measureOnce(
          shipped[i],
          servers[v.server],
          v,
          scratch,
          `d${++k}`,
          n,
          stopping,
        );
        for (const key of MEASURES) values[i][key].push(m.values[key]);
        given[i] = m.postgres;
      }
    }
    const db = await freshDatabase(shipped[0], servers.shipped, scratch, `crash${++k}`);
    const b = await bootOrthanc(shipped[0], servers.shipped, scratch, db);
    try {
      crash = await restartTrial(b, servers.shipped, 2, 1000, 3000, "immediate");
    } finally {
      await b.orthanc.stop();
    }
  } finally {
    await Promise.all(stopping);
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const med = variants.map((_, i) =>
    Object.fromEntries(MEASURES.map((m) => [m, median(values[i][m])])),
  ) as Record<Measure, number>[];

  console.log(
    `\nMedian (each run, in run order)\n\n| settings | IndexConnectionsCount | retry interval s x retries | server | ${MEASURES.join(" | ")} |`,
  );
  console.log(`|---|---|---|---|${MEASURES.map(() => "---").join("|")}|`);
  variants.forEach((v, i) => {
    const pgs = given[i];
    console.log(
      `| ${v.label} | ${pgs.IndexConnectionsCount} | ${pgs.ConnectionRetryInterval} x ${pgs.MaximumConnectionRetries} | ${v.server} | ${MEASURES.map((m) => `${shown(m, med[i][m])} (${values[i][m].map((x) => shown(m, x)).join("/")})`).join(" | ")} |`,
    );
  });
  console.log(
    `\nRatios shipped/alternative of the medians: for ${[...HIGHER_IS_BETTER].join(", ")} above 1 favours the shipped settings, for the others below 1 does; +-20 % is noise.\n`,
  );
  console.log(`| shipped / alternative | ${MEASURES.join(" | ")} |`);
  console.log(`|---|${MEASURES.map(() => "---").join("|")}|`);
  ALTERNATIVES.forEach((v, j) => {
    const alt = med[j + 1];
    const ratio = (m: Measure) => (alt[m] === 0 ? "n/a" : (med[0][m] / alt[m]).toFixed(2));
    console.log(`| ${v.label} | ${MEASURES.map(ratio).join(" | ")} |`);
  });
  console.log(
    `\nCrash under upload (pg_ctl restart -m immediate, shipped settings, 2 clients): ${crash!.errors} client-visible errors, longest stall ${crash!.longestGap.toFixed(2)} s, recovery ${crash!.restart.toFixed(2)} s, ${crash!.lost} acknowledged instances lost (must be 0).`,
  );
  if (crash!.lost) throw new Error("an acknowledged instance did not survive the crash");
}

async function pgVersion(): Promise<string> {
  const { stdout } = await run(join(pgBin(), "postgres"), ["--version"]);
  return /\d+(\.\d+)?/.exec(stdout)?.[0] ?? "?";
}
