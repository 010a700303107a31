/**
 * `npm run bench`: (a) time and memory to evaluate each shipped stack under mocks (its own
 * process each, 3 runs, median), (b) ingest throughput of the `local` stack's rendered Orthanc
 * configuration on the real Orthanc with a PostgreSQL index: REST with 1 and 4 clients, and one
 * C-STORE association. Numbers are for this machine; treat +-20 % as noise.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../infra/config";
import { readStackFile, shippedStacks, stackFilePath } from "../infra/stackFiles";
import { makeInstance } from "../test/real-orthanc/dicom";
import { forDebian } from "../test/real-orthanc/debian";
import {
  dcmtk,
  freePorts,
  LabOrthanc,
  LabPostgres,
  orthancInstalled,
  removeDir,
  scratchDir,
  writeConfigDir,
} from "../test/real-orthanc/lab";
import { labSecrets, renderForLab } from "../test/real-orthanc/render";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = 3;

function planBench() {
  console.log("\n(a) Plan evaluation under mocks (median of 3 runs, each a fresh process)\n");
  console.log(
    "| stack | resources | evaluation ms (after module load) | RSS MiB at end | heap MiB at end |",
  );
  console.log("|---|---|---|---|---|");
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
      `| ${stack} | ${runs[0].resources} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.rssMiB)).toFixed(0)} | ${median(runs.map((r) => r.heapMiB)).toFixed(0)} |`,
    );
  }
}

async function ingestBench(n: number) {
  if (!orthancInstalled()) {
    console.log(
      "\n(b) skipped: Orthanc/PostgreSQL/dcmtk not installed (run ./scripts/setup.sh as root).",
    );
    return;
  }
  console.log(
    `\n(b) Ingest into the real Orthanc with the 'local' stack's rendered configuration (${n} instances of 16x16 px per run, PostgreSQL index, median of ${RUNS})\n`,
  );
  const scratch = scratchDir("bench");
  const pg = await LabPostgres.start(scratch);
  const cfg = parseConfig(readStackFile(stackFilePath("local")));
  const rows: Record<string, number[]> = {
    "REST, 1 client": [],
    "REST, 4 clients": [],
    "C-STORE, 1 association": [],
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const mode of Object.keys(rows)) {
        const secrets = labSecrets(cfg);
        const database = `bench_${run}_${mode.replace(/\W+/g, "_")}`;
        await pg.createDatabase(database, "orthanc", secrets.databasePassword);
        const [httpPort, dicomPort] = await freePorts(2);
        const rendered = renderForLab(
          cfg,
          { httpPort, dicomPort, pgPort: pg.port, database, serverIdentifier: "bench" },
          secrets,
        );
        const storage = join(scratch, `${database}-files`);
        mkdirSync(storage, { recursive: true });
        const deb = forDebian(rendered, storage);
        const dir = writeConfigDir(join(scratch, `${database}-config`), {
          "orthanc.json": deb.orthancJson,
          "credentials.json": deb.credentialsJson,
        });
        const o = new LabOrthanc(
          dir,
          httpPort,
          { user: cfg.orthanc.adminUser, password: secrets.users[cfg.orthanc.adminUser] },
          rendered.environment,
        );
        await o.start();
        const files = Array.from({ length: n }, (_, i) => makeInstance({}, i).file);
        const t0 = performance.now();
        if (mode.startsWith("C-STORE")) {
          const fdir = join(scratch, `${database}-dcm`);
          mkdirSync(fdir);
          files.forEach((f, i) => writeFileSync(join(fdir, `${i}.dcm`), f));
          const r = await dcmtk("storescu", [
            "+sd",
            "-aet",
            "BENCH",
            "-aec",
            cfg.orthanc.dicom.aet,
            "127.0.0.1",
            String(dicomPort),
            fdir,
          ]);
          if (r.code !== 0) throw new Error(r.output);
        } else {
          const clients = mode.includes("4") ? 4 : 1;
          let next = 0;
          await Promise.all(
            Array.from({ length: clients }, async () => {
              while (next < files.length) {
                const f = files[next++];
                const res = await o.request("POST", "/instances", { body: f });
                if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${res.text}`);
              }
            }),
          );
        }
        const seconds = (performance.now() - t0) / 1000;
        const count = (await o.request("GET", "/statistics")).json().CountInstances;
        if (count !== n) throw new Error(`${mode}: stored ${count} of ${n}`);
        rows[mode].push(n / seconds);
        await o.stop();
      }
    }
  } finally {
    await pg.stop();
    removeDir(scratch);
  }
  console.log("| path | instances/s (median) | runs |");
  console.log("|---|---|---|");
  for (const [mode, xs] of Object.entries(rows))
    console.log(
      `| ${mode} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(" / ")} |`,
    );
}

(async () => {
  planBench();
  await ingestBench(Number(process.env.BENCH_INSTANCES ?? 500));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
