/**
 * `npm run bench`: (a) time and memory to evaluate each shipped stack under mocks (its own
 * process each, 3 runs, median), (b) ingest throughput of the documents the program ships for the
 * `local` stack (with the lab's locations only) on the real Orthanc with a PostgreSQL index: REST
 * with 1 and 4 clients, and one C-STORE association, (c) the `local` stack on the real Docker
 * engine as the program registers it (stand-in images): time to all-healthy and the same ingest
 * paths through the proxy and the published DICOM port, then (b) and (c) side by side, (d) the
 * shipped database settings (index connections, retry interval, PostgreSQL server settings)
 * against the alternatives, with the ratios (bench/dbSettings.ts). Numbers are for this machine;
 * treat +-20 % as noise. BENCH_INSTANCES sets the instances per path of (b) and (c) (500),
 * BENCH_DB_INSTANCES those of (d) (200).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../infra/config";
import { readStackFile, shippedStacks, stackFilePath } from "../infra/stackFiles";
import { teardown } from "../test/docker-engine/engine";
import { engineAnswers } from "../test/docker-engine/engineProbe";
import { makeInstance } from "../test/real-orthanc/dicom";
import {
  dcmtk,
  LabPostgres,
  orthancInstalled,
  OrthancUser,
  removeDir,
  scratchDir,
} from "../test/real-orthanc/lab";
import { bootOrthanc, dbSettingsBench, freshDatabase, shippedWith } from "./dbSettings";
import {
  BASE_URL,
  busyPorts,
  deployUntilHealthy,
  DICOM_PORT,
  HTTP_PORT,
  planLocal,
  standInImages,
  Startup,
} from "./dockerEngine";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = 3;
/** The `local` stack's configuration, as its stack file has it. */
const LOCAL = readStackFile(stackFilePath("local"));
const cfg = parseConfig(LOCAL);

function planBench() {
  console.log("\n(a) Plan evaluation under mocks (median of 3 runs, each a fresh process)\n");
  console.log(
    "| stack | resources | ms from process start | ms of the plan (targets' SDKs load in it) | RSS MiB at end | heap MiB at end | SDKs loaded besides @pulumi/pulumi |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const stack of shippedStacks()) {
    const runs = Array.from({ length: RUNS }, () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ["-r", "@swc-node/register", join(__dirname, "planOne.ts"), stack],
          { encoding: "utf8" },
        )
          .trim()
          .split("\n")
          .pop()!,
      ),
    );
    console.log(
      `| ${stack} | ${runs[0].resources} | ${median(runs.map((r) => r.totalMs)).toFixed(0)} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.rssMiB)).toFixed(0)} | ${median(runs.map((r) => r.heapMiB)).toFixed(0)} | ${runs[0].sdks.join(", ")} |`,
    );
  }
}

// ------------------------------------------------- ingest, measured the same way for (b) and (c)

const MODES = ["REST, 1 client", "REST, 4 clients", "C-STORE, 1 association"] as const;
type Mode = (typeof MODES)[number];
/** Instances/s of every run, per path. */
type Rates = Record<Mode, number[]>;
const noRates = (): Rates => ({
  "REST, 1 client": [],
  "REST, 4 clients": [],
  "C-STORE, 1 association": [],
});

/** An Orthanc to ingest into: its REST base URL (with the admin's credentials) and DICOM port. */
interface Target {
  url: string;
  auth: OrthancUser;
  dicomPort: number;
}

const basicAuth = (a: OrthancUser) =>
  `Basic ${Buffer.from(`${a.user}:${a.password}`).toString("base64")}`;

async function countInstances(t: Target): Promise<number> {
  const res = await fetch(`${t.url}/statistics`, { headers: { authorization: basicAuth(t.auth) } });
  if (res.status !== 200) throw new Error(`/statistics: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { CountInstances: number }).CountInstances;
}

/**
 * Sends `n` new instances over one path and returns instances/s. The stored count must grow by
 * exactly `n` (in (c) one deployment takes all three paths in turn, so it does not start at 0).
 */
async function ingest(mode: Mode, t: Target, n: number, scratch: string): Promise<number> {
  const files = Array.from({ length: n }, (_, i) => makeInstance({}, i).file);
  // storescu reads a folder: written before the clock starts.
  const dir = mkdtempSync(join(scratch, "dcm-"));
  if (mode.startsWith("C-STORE")) files.forEach((f, i) => writeFileSync(join(dir, `${i}.dcm`), f));
  const before = await countInstances(t);
  const t0 = performance.now();
  if (mode.startsWith("C-STORE")) {
    const args = ["+sd", "-aet", "BENCH", "-aec", cfg.orthanc.dicom.aet, "127.0.0.1"];
    const r = await dcmtk("storescu", [...args, String(t.dicomPort), dir]);
    if (r.code !== 0) throw new Error(r.output);
  } else {
    const clients = mode.includes("4") ? 4 : 1;
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < files.length) {
          const res = await fetch(`${t.url}/instances`, {
            method: "POST",
            headers: { authorization: basicAuth(t.auth) },
            body: files[next++],
          });
          const text = await res.text();
          if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${text}`);
        }
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const stored = (await countInstances(t)) - before;
  if (stored !== n) throw new Error(`${mode}: stored ${stored} of ${n}`);
  return n / seconds;
}

function printRates(rates: Rates) {
  console.log("| path | instances/s (median) | runs |");
  console.log("|---|---|---|");
  for (const mode of MODES)
    console.log(
      `| ${mode} | ${median(rates[mode]).toFixed(0)} | ${rates[mode].map((x) => x.toFixed(0)).join(" / ")} |`,
    );
}

// ------------------------------------------------------------------------ (b) the direct lab

async function ingestBench(n: number): Promise<Rates | undefined> {
  if (!orthancInstalled()) {
    console.log(
      "\n(b) skipped: Orthanc/PostgreSQL/dcmtk not installed (run ./scripts/setup.sh as root).",
    );
    return undefined;
  }
  console.log(
    `\n(b) Ingest into the real Orthanc with the documents the program ships for the 'local' stack (${n} instances of 16x16 px per run, PostgreSQL index, median of ${RUNS})\n`,
  );
  const shipped = await shippedWith(LOCAL, "local");
  const scratch = scratchDir("bench");
  const pg = await LabPostgres.start(scratch);
  const rates = noRates();
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const mode of MODES) {
        // A fresh database and Orthanc per path and run, on the shipped documents with the
        // lab's locations only (checked by bootOrthanc).
        const name = `bench_${run}_${mode.replace(/\W+/g, "_")}`;
        const db = await freshDatabase(shipped, pg, scratch, name);
        const b = await bootOrthanc(shipped, pg, scratch, db);
        try {
          const target = { url: b.orthanc.url, auth: b.auth, dicomPort: b.dicomPort };
          rates[mode].push(await ingest(mode, target, n, scratch));
        } finally {
          await b.orthanc.stop();
        }
      }
    }
  } finally {
    await pg.stop();
    removeDir(scratch);
  }
  printRates(rates);
  return rates;
}

// ------------------------------------------------------------------ (c) the real Docker engine

async function engineBench(n: number): Promise<Rates | undefined> {
  const skip = (why: string) => (console.log(`\n(c) skipped: ${why}`), undefined);
  if (!engineAnswers())
    return skip("no Docker engine answers on the socket (apt-get install docker.io; dockerd &).");
  const busy = await busyPorts([HTTP_PORT, DICOM_PORT]);
  if (busy.length)
    return skip(
      `127.0.0.1:${busy.join(" and ")} in use (the local stack publishes 8042 and 4242): ` +
        "another deployment or the docker-engine test suite? (docker ps) Retry when it is gone.",
    );
  console.log(
    `\n(c) The 'local' stack on the real Docker engine, created by the harness as the program registers it (stand-in images; fresh deployment per run, ${n} instances per path, paths in turn, median of ${RUNS})\n`,
  );
  const d = await planLocal();
  standInImages(d.images);
  const auth = { user: cfg.orthanc.adminUser, password: d.users[cfg.orthanc.adminUser] };
  const target = { url: BASE_URL, auth, dicomPort: DICOM_PORT };
  const startups: Startup[] = [];
  const rates = noRates();
  const scratch = mkdtempSync(join(tmpdir(), "bench-engine-"));
  try {
    for (let run = 0; run < RUNS; run++) {
      const runId = `bench-${process.pid}-${run}`;
      await teardown(runId); // a leftover of an interrupted run with this id
      try {
        startups.push(await deployUntilHealthy(d, runId, basicAuth(auth)));
        for (const mode of MODES) rates[mode].push(await ingest(mode, target, n, scratch));
      } finally {
        await teardown(runId);
      }
    }
  } finally {
    removeDir(scratch);
  }
  const row = (label: string, xs: number[]) =>
    console.log(
      `| ${label} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(" / ")} |`,
    );
  console.log("| from the start of applyPlan | seconds (median) | runs |");
  console.log("|---|---|---|");
  row(
    "to every healthcheck healthy",
    startups.map((s) => s.healthy),
  );
  row(
    "- of it inside applyPlan (incl. waiting for PostgreSQL: `wait`)",
    startups.map((s) => s.applied),
  );
  row(
    "- of it waiting for Orthanc and proxy health",
    startups.map((s) => s.healthy - s.applied),
  );
  row(
    "to the first 200 from /system through the proxy",
    startups.map((s) => s.firstAnswer),
  );
  console.log(
    "\nNote: Docker 20.10 runs a container's first health check only `interval` after start " +
      "(30 s for Orthanc and the proxy, 10 s for PostgreSQL; `start_interval` needs API 1.44), so " +
      "'healthy' trails the first answer by up to that interval.\n",
  );
  printRates(rates);
  return rates;
}

function compare(lab: Rates | undefined, engine: Rates | undefined) {
  console.log("\nDirect lab (b) vs Docker engine (c), instances/s (medians)\n");
  console.log("| path | direct lab (b) | Docker engine (c) | (c)/(b) |");
  console.log("|---|---|---|---|");
  for (const mode of MODES) {
    const b = lab && median(lab[mode]);
    const c = engine && median(engine[mode]);
    const ratio = b && c ? (c / b).toFixed(2) : "n/a";
    console.log(`| ${mode} | ${b?.toFixed(0) ?? "n/a"} | ${c?.toFixed(0) ?? "n/a"} | ${ratio} |`);
  }
}

// ------------------------------------------------------------------ (d) the database settings

async function dbBench(n: number): Promise<void> {
  if (!orthancInstalled()) {
    console.log(
      "\n(d) skipped: Orthanc/PostgreSQL/dcmtk not installed (run ./scripts/setup.sh as root).",
    );
    return;
  }
  const scratch = scratchDir("bench-db");
  try {
    await dbSettingsBench(LOCAL, "local", n, RUNS, scratch);
  } finally {
    removeDir(scratch);
  }
}

/** `BENCH_SECTIONS=ad` runs sections (a) and (d) only; all of them by default. */
const wanted = (section: string) => (process.env.BENCH_SECTIONS ?? "abcd").includes(section);

(async () => {
  if (wanted("a")) planBench();
  const n = Number(process.env.BENCH_INSTANCES ?? 500);
  const lab = wanted("b") || wanted("c") ? await ingestBench(n) : undefined;
  const engine = wanted("c") ? await engineBench(n) : undefined;
  if (wanted("c")) compare(lab, engine);
  if (wanted("d")) await dbBench(Number(process.env.BENCH_DB_INSTANCES ?? 200));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
