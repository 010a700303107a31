/**
 * Helpers for `npm run bench` section (c): the `local` stack on the real Docker engine, created by
 * the test harness (test/docker-engine/engine.ts) exactly as the program registers it, from the
 * local stand-in images (test/docker-engine/images/: no registry is reachable here).
 */
import { createServer } from "node:net";
import { runPlan } from "../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../infra/stackFiles";
import { applyPlan, waitHealthy } from "../test/docker-engine/engine";
import { PlanResource, planSpecs } from "../test/docker-engine/engineSpec";
import { MIRROR, standInImages as buildStandIns } from "../test/docker-engine/standIns";

/** The suite's stand-ins, built quietly (a failure's error carries build.sh's output). */
export const standInImages = (refs: string[]) => buildStandIns(refs, "pipe");

/** What the `local` stack publishes on loopback: the proxy's HTTP and Orthanc's DICOM port. */
export const HTTP_PORT = 8042;
export const DICOM_PORT = 4242;
export const BASE_URL = `http://127.0.0.1:${HTTP_PORT}`;
/** Generous: the first health check only runs `interval` (30 s) after start, then retries. */
const HEALTHY_TIMEOUT_MS = 180_000;

export interface LocalDeployment {
  resources: PlanResource[];
  /** The image references the plan runs, to tag the stand-ins as. */
  images: string[];
  /** Containers with a healthcheck: "all healthy" means every one of these. */
  healthchecked: string[];
  /** The plan's generated passwords, by user, as uploaded to the Orthanc container. */
  users: Record<string, string>;
}

/** The `local` stack's plan with the stand-ins' mirror, and what the benchmark needs from it. */
export async function planLocal(): Promise<LocalDeployment> {
  const resources: PlanResource[] = [];
  await runPlan(
    { ...readStackFile(stackFilePath("local")), registry: { mirror: MIRROR } },
    "local",
    (args) => resources.push({ type: args.type, name: args.name, inputs: args.inputs }),
  );
  // The harness's own mapping, so the credentials are the bytes applyPlan uploads.
  const specs = planSpecs(resources, { runId: "plan", localImage: (ref) => ref });
  const credentials = specs.containers
    .find((c) => c.name.endsWith("-orthanc"))
    ?.uploads.find((u) => u.path === "/run/secrets/orthanc-credentials.json");
  if (!credentials) throw new Error("the local plan uploads no orthanc-credentials.json");
  return {
    resources,
    images: specs.images,
    healthchecked: specs.containers.filter((c) => c.create.Healthcheck).map((c) => c.name),
    users: JSON.parse(credentials.content.toString("utf8")).RegisteredUsers,
  };
}

/** The ports among `ports` that cannot be bound on 127.0.0.1 (a listener or a container holds them). */
export async function busyPorts(ports: number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds from the start of applyPlan. */
export interface Startup {
  /** applyPlan returned: everything created, uploaded and started (PostgreSQL healthy: `wait`). */
  applied: number;
  /** Every container with a healthcheck reports healthy. */
  healthy: number;
  /** The first 200 from `/system` through the proxy: when a client could start working. */
  firstAnswer: number;
}

/** Creates the deployment under `runId` and times it until every healthcheck reports healthy. */
export async function deployUntilHealthy(
  d: LocalDeployment,
  runId: string,
  auth: string,
): Promise<Startup> {
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  // Polled beside the health wait, to show how much of "healthy" is the health check's interval.
  let stop = false;
  let firstAnswer = NaN;
  const poll = (async () => {
    while (!stop && since() * 1000 < HEALTHY_TIMEOUT_MS) {
      const status = await fetch(`${BASE_URL}/system`, { headers: { authorization: auth } })
        .then(async (r) => (await r.arrayBuffer(), r.status))
        .catch(() => 0); // not published yet, or the proxy/Orthanc not up yet
      if (status === 200) {
        firstAnswer = since();
        return;
      }
      await sleep(100);
    }
  })();
  try {
    await applyPlan(d.resources, { runId, localImage: (ref) => ref });
    const applied = since();
    await Promise.all(d.healthchecked.map((name) => waitHealthy(name, HEALTHY_TIMEOUT_MS)));
    const healthy = since();
    await poll;
    return { applied, healthy, firstAnswer };
  } finally {
    stop = true;
    await poll;
  }
}
