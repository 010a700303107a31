/**
 * The apply side: creates on a real Docker engine what the provider would create for a plan, in
 * the provider's order (create, join networks, upload files, start, wait), and removes it again.
 * Everything created carries `RUN_LABEL=<run id>`.
 */
import Dockerode from "dockerode";
import * as tar from "tar-stream";
import {
  changedContainers,
  ContainerSpec,
  PlanContext,
  PlanResource,
  planSpecs,
  RUN_LABEL,
  Upload,
} from "./engineSpec";

/** The engine's socket; `DOCKER_SOCKET` points the harness at another one. */
export const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock";

/** A client pinned to Engine API 1.41 (Docker 20.10), whatever the engine speaks. */
export function connect(socketPath = DOCKER_SOCKET): Dockerode {
  return new Dockerode({ socketPath, version: "v1.41" });
}

export interface ApplyOptions extends PlanContext {
  docker?: Dockerode;
  log?: (line: string) => void;
}

export interface Applied {
  networks: string[];
  volumes: string[];
  containers: string[];
}

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One tar per upload, file entries only, as the provider sends them to `PUT /archive?path=/`. */
export async function uploadArchive(u: Upload): Promise<Buffer> {
  // No directory entries: the engine creates a missing parent as root:root 0755 and leaves an
  // existing one (the image's) as it is, which is what `docker cp` and the provider get.
  const pack = tar.pack();
  pack.entry(
    {
      name: u.path,
      mode: u.mode,
      uid: u.uid,
      gid: u.gid,
      mtime: new Date(0),
      size: u.content.length,
    },
    u.content,
  );
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The text of a non-TTY log or exec stream: 8-byte frame headers stripped. */
export function demux(raw: Buffer): string {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 8 <= raw.length && raw[pos] <= 2 && raw.readUIntBE(pos + 1, 3) === 0) {
    const size = raw.readUInt32BE(pos + 4);
    out.push(raw.subarray(pos + 8, pos + 8 + size));
    pos += 8 + size;
  }
  // Not framed (a TTY container): the bytes as they are.
  return pos === 0 ? raw.toString("utf8") : Buffer.concat(out).toString("utf8");
}

async function lastLogLines(docker: Dockerode, name: string, lines = 50): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(name)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return demux(raw).trimEnd();
  } catch (e) {
    return `(logs unavailable: ${(e as Error).message})`;
  }
}

/** Runs a command in a running container; its exit code and combined output. */
export async function execIn(
  name: string,
  cmd: string[],
  opts: { user?: string; docker?: Dockerode } = {},
): Promise<{ exitCode: number; output: string }> {
  const docker = opts.docker ?? connect();
  const exec = await docker
    .getContainer(name)
    .exec({ Cmd: cmd, User: opts.user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: demux(Buffer.concat(chunks)) };
}

/**
 * The provider's `mustRun`: after start, the container must reach "running" (15 s, the provider's
 * `containerReadRefreshTimeoutMilliseconds` default) and not be restarting.
 */
async function waitRunning(docker: Dockerode, name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State } = await docker.getContainer(name).inspect();
    if (State.Running && !State.Restarting) return;
    if (State.Status === "exited" || State.Status === "dead" || Date.now() > deadline)
      throw new Error(
        `container ${name} is not running (status ${State.Status}, exit code ${State.ExitCode})\n` +
          `Last 50 log lines:\n${await lastLogLines(docker, name)}`,
      );
    await sleep(100);
  }
}

/**
 * Waits until the container's healthcheck reports healthy. On timeout (or if the container stops)
 * it throws with the last health check's output and the container's last 50 log lines.
 */
export async function waitHealthy(
  containerName: string,
  timeoutMs: number,
  docker: Dockerode = connect(),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State } = await docker.getContainer(containerName).inspect();
    const health = (
      State as unknown as {
        Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] };
      }
    ).Health;
    if (!health) throw new Error(`container ${containerName} has no healthcheck to wait for`);
    if (health.Status === "healthy") return;
    const stopped = !State.Running;
    if (stopped || Date.now() > deadline) {
      const last = health.Log?.at(-1);
      throw new Error(
        `container ${containerName} is not healthy ${stopped ? `(it stopped: ${State.Status})` : `after ${timeoutMs} ms`}: ` +
          `health ${health.Status}\n` +
          `Last health check: ${last ? `exit ${last.ExitCode}: ${last.Output.trimEnd()}` : "none ran"}\n` +
          `Last 50 log lines:\n${await lastLogLines(docker, containerName)}`,
      );
    }
    await sleep(250);
  }
}

/** Create, join the other networks, upload, start, then wait as the provider would. */
async function createContainer(docker: Dockerode, spec: ContainerSpec): Promise<void> {
  // dockerode edits the options it is given; the spec stays as mapped.
  const container = await docker.createContainer(structuredClone(spec.create));
  for (const n of spec.extraNetworks)
    await docker
      .getNetwork(n.name)
      .connect({ Container: container.id, EndpointConfig: { Aliases: n.aliases } });
  for (const u of spec.uploads) await container.putArchive(await uploadArchive(u), { path: "/" });
  if (!spec.start) return;
  await container.start();
  await waitRunning(docker, spec.name);
  if (spec.waitHealthy) await waitHealthy(spec.name, spec.waitTimeoutSeconds * 1000, docker);
}

async function requireImages(docker: Dockerode, images: string[]): Promise<void> {
  for (const image of images) {
    try {
      await docker.getImage(image).inspect();
    } catch (e) {
      if (statusOf(e) === 404)
        throw new Error(`image ${image} is not on the engine: tag a stand-in image with that name`);
      throw e;
    }
  }
}

/**
 * Creates a plan's networks, volumes, then containers (in registration order, which is a
 * dependency order, waiting for health where `wait` is set). Everything is mapped before anything
 * is created, so a mapping error touches nothing. RemoteImages are resolved through `localImage`,
 * never pulled. On failure, what was created stays for `teardown(runId)`.
 */
export async function applyPlan(
  resources: readonly PlanResource[],
  opts: ApplyOptions,
): Promise<Applied> {
  const docker = opts.docker ?? connect();
  const log = opts.log ?? (() => {});
  const specs = planSpecs(resources, opts);
  await requireImages(docker, specs.images);
  for (const n of specs.networks) {
    log(`network ${n.Name}`);
    // The engine allows two networks of one name; a leftover must fail the run, not be joined.
    await docker.createNetwork({ ...n, CheckDuplicate: true });
  }
  for (const v of specs.volumes) {
    // Creating an existing volume succeeds and returns it: refuse to reuse another run's data.
    const existing = await docker
      .getVolume(v.Name!)
      .inspect()
      .catch((e) => (statusOf(e) === 404 ? undefined : Promise.reject(e)));
    if (existing) throw new Error(`volume ${v.Name} already exists: run teardown first`);
    log(`volume ${v.Name}`);
    await docker.createVolume(v);
  }
  for (const c of specs.containers) {
    log(`container ${c.name}${c.waitHealthy ? " (waiting until healthy)" : ""}`);
    await createContainer(docker, c);
  }
  return {
    networks: specs.networks.map((n) => n.Name),
    volumes: specs.volumes.map((v) => v.Name!),
    containers: specs.containers.map((c) => c.name),
  };
}

/**
 * A "day 2" update: the containers whose mapped spec (upload contents included) changed are
 * stopped (with their old `destroyGraceSeconds`), removed and recreated, as Pulumi replaces them;
 * volumes are never touched. Returns the names replaced.
 */
export async function replaceChanged(
  oldResources: readonly PlanResource[],
  newResources: readonly PlanResource[],
  opts: ApplyOptions,
): Promise<string[]> {
  const docker = opts.docker ?? connect();
  const before = planSpecs(oldResources, opts);
  const after = planSpecs(newResources, opts);
  const changed = changedContainers(before, after);
  await requireImages(docker, after.images);
  for (const name of changed) {
    const old = before.containers.find((c) => c.name === name)!;
    const container = docker.getContainer(name);
    opts.log?.(`replace container ${name}`);
    if (old.stopGraceSeconds !== undefined)
      await container
        .stop({ t: old.stopGraceSeconds })
        .catch((e) => (statusOf(e) === 304 ? undefined : Promise.reject(e)));
    // `v`: `removeVolumes` (the provider's default) drops anonymous volumes, never named ones.
    await container.remove({ force: true, v: old.removeVolumes });
    await createContainer(
      docker,
      after.containers.find((c) => c.name === name)!,
    );
  }
  return changed;
}

/** Removes everything labelled with the run id: containers (forced), then networks, then volumes. */
export async function teardown(runId: string, docker: Dockerode = connect()): Promise<Applied> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  // `v`: anonymous volumes of the images' VOLUME lines carry no label; remove them with the container.
  for (const c of containers) await docker.getContainer(c.Id).remove({ force: true, v: true });
  const networks = await docker.listNetworks({ filters });
  for (const n of networks) await docker.getNetwork(n.Id).remove();
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  for (const v of volumes) await docker.getVolume(v.Name).remove();
  return {
    containers: containers.map((c) => c.Names[0].replace(/^\//, "")),
    networks: networks.map((n) => n.Name),
    volumes: volumes.map((v) => v.Name),
  };
}

/** Whether a Docker engine answers on the socket within `timeoutMs`. */
export async function engineAnswers(docker: Dockerode = connect(), timeoutMs = 3000) {
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref());
  return Promise.race([
    docker.ping().then(
      () => true,
      () => false,
    ),
    timeout,
  ]);
}
