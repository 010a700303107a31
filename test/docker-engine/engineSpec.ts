/**
 * The one place that maps the Docker provider's inputs (as the Pulumi mocks see them) to Docker
 * Engine API 1.41 requests, the way the provider (terraform-provider-docker under
 * `@pulumi/docker` v5) builds them. Pure: no I/O.
 *
 * Every input key must be known here. An unknown key, or a value the mapping cannot honour,
 * throws an error that names the resource and the input path, so a setting the program adds
 * later is never dropped silently. Reading the inputs strictly is in ./engineSpec/inputs.ts.
 */
import { isDeepStrictEqual } from "node:util";
import type Dockerode from "dockerode";
import { planMocks } from "../../infra/plan/mocks";
import {
  At,
  bool,
  child,
  duration,
  fail,
  fileMode,
  int,
  list,
  numericId,
  Obj,
  object,
  optional,
  str,
  stringMap,
  strings,
  unwrap,
  plainInputs,
} from "./engineSpec/inputs";

export { goDurationNs, plainInputs } from "./engineSpec/inputs";

/** Every object a run creates carries `RUN_LABEL=<run id>`, so teardown removes exactly those. */
export const RUN_LABEL = "org.orthanc-deploy.test";

export const TYPES = {
  container: "docker:index/container:Container",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  provider: "pulumi:providers:docker",
} as const;

/** One registered resource, as `runPlan`'s `observe` sees it (`pulumi.runtime.MockResourceArgs`). */
export interface PlanResource {
  type: string;
  name: string;
  /** Secret values may still be wrapped in Pulumi's secret signature: they are unwrapped here. */
  inputs: Record<string, unknown>;
}

/** A file the provider copies into the container after create, before start. */
export interface Upload {
  path: string;
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/** A network joined after create: Engine API 1.41 takes only one network at create. */
export interface ExtraNetwork {
  name: string;
  aliases: string[];
}

export interface ContainerSpec {
  name: string;
  create: Dockerode.ContainerCreateOptions;
  extraNetworks: ExtraNetwork[];
  uploads: Upload[];
  /** `wait: true`: the provider waits until healthy before creating dependents. */
  waitHealthy: boolean;
  waitTimeoutSeconds: number;
  /**
   * `destroyGraceSeconds`: on destroy or replace the provider stops the container with this
   * timeout, then removes it. Undefined: it is force-removed (SIGKILL) at once. Not a container
   * setting: `docker stop` and daemon shutdowns still use the engine's default.
   */
  stopGraceSeconds: number | undefined;
  /** `start: false`: created (and its files uploaded), never started. */
  start: boolean;
  /** `removeVolumes`: its anonymous volumes go with it when it is removed. */
  removeVolumes: boolean;
  /** Containers whose volumes it mounts (`volumesFrom`), by name. */
  volumesFrom: string[];
  /** Named volumes and networks the container references, to check they are in the plan. */
  volumeNames: string[];
  networkNames: string[];
}

export interface SpecContext {
  runId: string;
  /** Maps the container's `image` input (a RemoteImage's mock `imageId`) to the image to run. */
  resolveImage: (image: string) => string;
  /** Maps a container's mock `id` (what `volumes[].fromContainer` receives) to its name. */
  resolveContainer?: (id: string) => string;
}

// ---------------------------------------------------------------------------------------------
// Containers.

const CONTAINER_KEYS = [
  "name",
  "image",
  "restart",
  "maxRetryCount",
  "logDriver",
  "logOpts",
  "securityOpts",
  "capabilities",
  "init",
  "user",
  "envs",
  "entrypoints",
  "command",
  "uploads",
  "volumes",
  "networksAdvanced",
  "ports",
  "healthcheck",
  "wait",
  "waitTimeout",
  "destroyGraceSeconds",
  "stopTimeout",
  "readOnly",
  "tmpfs",
  "memory",
  "memorySwap",
  "removeVolumes",
  "start",
  "mustRun",
] as const;

const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"];
const HEALTH_TEST_KINDS = ["CMD", "CMD-SHELL", "NONE"];
/** The provider's defaults where the Engine's differ or the provider always sends a value. */
const PROVIDER_DEFAULTS = {
  restart: "no",
  init: false,
  waitTimeout: 60,
  ip: "0.0.0.0",
  start: true,
  removeVolumes: true,
};

/** The provider's memory inputs are in MB (MiB): the Engine API takes bytes; -1 is "unlimited". */
const MIB = 1024 * 1024;

function uploadSpec(value: unknown, at: At): Upload {
  const u = object(
    value,
    at,
    ["file", "content", "contentBase64", "executable", "permissions", "owner", "group"],
    {
      source: "reads a file on the deploying machine: not supported by this harness",
      sourceHash: "goes with `source`, which this harness does not support",
    },
  );
  const path = str(u.file, child(at, "file"));
  if (!path.startsWith("/")) fail(child(at, "file"), `must be an absolute path, got "${path}"`);
  const content = optional(u, "content", at, str);
  const base64 = optional(u, "contentBase64", at, str);
  if ((content === undefined) === (base64 === undefined))
    fail(at, "needs exactly one of `content` and `contentBase64`");
  const executable = optional(u, "executable", at, bool) ?? false;
  return {
    path,
    content: content !== undefined ? Buffer.from(content, "utf8") : Buffer.from(base64!, "base64"),
    // `permissions` wins over `executable`, as in the provider.
    mode: optional(u, "permissions", at, fileMode) ?? (executable ? 0o744 : 0o644),
    uid: optional(u, "owner", at, numericId) ?? 0,
    gid: optional(u, "group", at, numericId) ?? 0,
  };
}

function healthSpec(value: unknown, at: At): Dockerode.HealthConfig {
  const h = object(value, at, ["tests", "interval", "timeout", "startPeriod", "retries"], {
    startInterval: "needs Engine API 1.44 (HealthConfig.StartInterval); Docker 20.10 speaks 1.41",
  });
  const out: Dockerode.HealthConfig = {};
  const tests = optional(h, "tests", at, strings);
  if (tests !== undefined) {
    if (!HEALTH_TEST_KINDS.includes(tests[0]))
      fail(child(at, "tests"), `must start with one of ${HEALTH_TEST_KINDS.join(", ")}`);
    out.Test = tests;
  }
  const interval = optional(h, "interval", at, duration);
  if (interval !== undefined) out.Interval = interval;
  const timeout = optional(h, "timeout", at, duration);
  if (timeout !== undefined) out.Timeout = timeout;
  const startPeriod = optional(h, "startPeriod", at, duration);
  if (startPeriod !== undefined) out.StartPeriod = startPeriod;
  const retries = optional(h, "retries", at, int);
  if (retries !== undefined) out.Retries = retries;
  return out;
}

function networkRef(value: unknown, at: At): ExtraNetwork {
  const n = object(value, at, ["name", "aliases"], {
    gwPriority: "needs Engine API 1.48 (EndpointSettings.GwPriority)",
    macAddress: "needs Engine API 1.44 (per-endpoint MacAddress at create and connect)",
  });
  return {
    name: str(n.name, child(at, "name")),
    aliases: optional(n, "aliases", at, strings) ?? [],
  };
}

/** Maps one `docker.Container`'s inputs to the Engine API calls the provider makes. */
export function containerSpec(resource: string, inputs: Obj, ctx: SpecContext): ContainerSpec {
  const at: At = { resource: `container ${resource}`, path: "" };
  const c = object(unwrap(inputs, at), at, CONTAINER_KEYS);
  const get = <T>(key: string, check: (v: unknown, at: At) => T) => optional(c, key, at, check);

  // The mocks name a container after its resource when `name` is absent (the provider would
  // auto-name it with a random suffix).
  const name = get("name", str) ?? resource;
  const image = str(c.image, child(at, "image"));
  const create: Dockerode.ContainerCreateOptions = {
    name,
    Image: ctx.resolveImage(image),
    Labels: { [RUN_LABEL]: ctx.runId },
  };
  const host: Dockerode.HostConfig = {};

  const restart = get("restart", str) ?? PROVIDER_DEFAULTS.restart;
  if (!RESTART_POLICIES.includes(restart))
    fail(child(at, "restart"), `must be one of ${RESTART_POLICIES.join(", ")}, got "${restart}"`);
  const maxRetryCount = get("maxRetryCount", int) ?? 0;
  if (maxRetryCount !== 0 && restart !== "on-failure")
    fail(child(at, "maxRetryCount"), 'applies only with `restart: "on-failure"`');
  host.RestartPolicy = { Name: restart, MaximumRetryCount: maxRetryCount };
  // The provider always sends Init, so a daemon-wide `"init": true` does not apply.
  host.Init = get("init", bool) ?? PROVIDER_DEFAULTS.init;

  const logDriver = get("logDriver", str);
  const logOpts = get("logOpts", stringMap);
  if (logDriver !== undefined || logOpts !== undefined)
    host.LogConfig = { Type: logDriver ?? "", Config: logOpts ?? {} };

  const securityOpts = get("securityOpts", strings);
  if (securityOpts) host.SecurityOpt = securityOpts;
  const caps = get("capabilities", (v, a) => object(v, a, ["adds", "drops"]));
  if (caps) {
    const capsAt = child(at, "capabilities");
    const adds = optional(caps, "adds", capsAt, strings);
    const drops = optional(caps, "drops", capsAt, strings);
    if (adds) host.CapAdd = adds;
    if (drops) host.CapDrop = drops;
  }

  const user = get("user", str);
  if (user !== undefined) create.User = user;
  const envs = get("envs", strings);
  if (envs) create.Env = envs;
  const entrypoint = get("entrypoints", strings);
  if (entrypoint) create.Entrypoint = entrypoint;
  const command = get("command", strings);
  if (command) {
    if (command.includes("")) fail(child(at, "command"), "may not contain empty values");
    create.Cmd = command;
  }
  const stopTimeout = get("stopTimeout", int);
  if (stopTimeout !== undefined) create.StopTimeout = stopTimeout;

  const readOnly = get("readOnly", bool);
  if (readOnly !== undefined) host.ReadonlyRootfs = readOnly;
  const tmpfs = get("tmpfs", stringMap);
  if (tmpfs !== undefined) {
    for (const path of Object.keys(tmpfs))
      if (!path.startsWith("/")) fail(child(child(at, "tmpfs"), path), "must be an absolute path");
    host.Tmpfs = tmpfs;
  }
  const memory = get("memory", (v, a) => int(v, a, 6));
  if (memory !== undefined) host.Memory = memory * MIB;
  const memorySwap = get("memorySwap", (v, a) => (v === -1 ? -1 : int(v, a, 6)));
  if (memorySwap !== undefined) {
    if (memory === undefined) fail(child(at, "memorySwap"), "needs `memory`");
    if (memorySwap !== -1 && memorySwap < memory)
      fail(child(at, "memorySwap"), `must be -1 or at least memory (${memory}), got ${memorySwap}`);
    host.MemorySwap = memorySwap === -1 ? -1 : memorySwap * MIB;
  }

  const healthcheck = get("healthcheck", healthSpec);
  if (healthcheck) create.Healthcheck = healthcheck;

  // Ports: exposed, and bound as the provider does (ip defaults to 0.0.0.0, protocol to tcp).
  const ports = (get("ports", list) ?? []).map((p, i) => {
    const pAt = child(child(at, "ports"), i);
    const o = object(p, pAt, ["internal", "external", "ip", "protocol"]);
    const protocol = optional(o, "protocol", pAt, str) ?? "tcp";
    if (protocol !== "tcp" && protocol !== "udp")
      fail(child(pAt, "protocol"), `must be "tcp" or "udp", got "${protocol}"`);
    const external = optional(o, "external", pAt, (v, a) => int(v, a, 1, 65535));
    return {
      key: `${int(o.internal, child(pAt, "internal"), 1, 65535)}/${protocol}`,
      binding: {
        HostIp: optional(o, "ip", pAt, str) ?? PROVIDER_DEFAULTS.ip,
        HostPort: external === undefined ? "" : String(external),
      },
    };
  });
  if (ports.length) {
    create.ExposedPorts = Object.fromEntries(ports.map((p) => [p.key, {}]));
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of ports) (bindings[p.key] ??= []).push(p.binding);
    host.PortBindings = bindings;
  }

  // As the provider sends them: named volumes as binds `name:path[:ro]`, anonymous ones (a path
  // alone) as `Volumes`, another container's volumes as `VolumesFrom`.
  const volumeNames: string[] = [];
  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  const volumesFrom: string[] = [];
  (get("volumes", list) ?? []).forEach((v, i) => {
    const vAt = child(child(at, "volumes"), i);
    const o = object(v, vAt, ["volumeName", "containerPath", "readOnly", "fromContainer"], {
      hostPath: "binds a path of the engine's host: not supported by this harness",
      selinuxRelabel: "is not supported by this harness",
    });
    const from = optional(o, "fromContainer", vAt, str);
    if (from !== undefined) {
      if (Object.keys(o).length !== 1)
        fail(vAt, "`fromContainer` goes alone (the provider refuses it with a path)");
      if (!ctx.resolveContainer) fail(child(vAt, "fromContainer"), "no container to resolve");
      volumesFrom.push(ctx.resolveContainer(from));
      return;
    }
    const path = str(o.containerPath, child(vAt, "containerPath"));
    if (!path.startsWith("/"))
      fail(child(vAt, "containerPath"), `must be an absolute path, got "${path}"`);
    const volumeName = optional(o, "volumeName", vAt, str);
    if (volumeName === undefined) {
      if (o.readOnly !== undefined)
        fail(child(vAt, "readOnly"), "the provider ignores it for an anonymous volume");
      anonymous[path] = {};
      return;
    }
    volumeNames.push(volumeName);
    binds.push(`${volumeName}:${path}${optional(o, "readOnly", vAt, bool) ? ":ro" : ""}`);
  });
  if (binds.length) host.Binds = binds;
  if (Object.keys(anonymous).length) create.Volumes = anonymous;
  if (volumesFrom.length) host.VolumesFrom = volumesFrom;

  const networks = (get("networksAdvanced", list) ?? []).map((n, i) =>
    networkRef(n, child(child(at, "networksAdvanced"), i)),
  );
  const [first, ...extraNetworks] = networks;
  if (first) {
    host.NetworkMode = first.name;
    create.NetworkingConfig = {
      EndpointsConfig: { [first.name]: first.aliases.length ? { Aliases: first.aliases } : {} },
    };
  }

  const start = get("start", bool) ?? PROVIDER_DEFAULTS.start;
  // The provider's read fails on a container that is not running unless `mustRun` is false.
  if (!start && get("mustRun", bool) !== false)
    fail(child(at, "mustRun"), "must be false for a container created with `start: false`");
  if (!start && get("wait", bool))
    fail(child(at, "wait"), "cannot wait for a container never started");

  create.HostConfig = host;
  const uploads = (get("uploads", list) ?? []).map((u, i) =>
    uploadSpec(u, child(child(at, "uploads"), i)),
  );
  return {
    name,
    create,
    extraNetworks,
    uploads,
    start,
    removeVolumes: get("removeVolumes", bool) ?? PROVIDER_DEFAULTS.removeVolumes,
    volumesFrom,
    waitHealthy: get("wait", bool) ?? false,
    waitTimeoutSeconds: get("waitTimeout", (v, a) => int(v, a, 1)) ?? PROVIDER_DEFAULTS.waitTimeout,
    stopGraceSeconds: get("destroyGraceSeconds", int),
    volumeNames,
    networkNames: networks.map((n) => n.name),
  };
}

// ---------------------------------------------------------------------------------------------
// Networks, volumes, images.

export function networkSpec(
  resource: string,
  inputs: Obj,
  runId: string,
): Dockerode.NetworkCreateOptions {
  const at: At = { resource: `network ${resource}`, path: "" };
  const n = object(unwrap(inputs, at), at, ["name", "driver", "internal", "attachable", "options"]);
  const out: Dockerode.NetworkCreateOptions = {
    Name: optional(n, "name", at, str) ?? resource,
    Labels: { [RUN_LABEL]: runId },
  };
  const driver = optional(n, "driver", at, str);
  if (driver !== undefined) out.Driver = driver;
  const internal = optional(n, "internal", at, bool);
  if (internal !== undefined) out.Internal = internal;
  const attachable = optional(n, "attachable", at, bool);
  if (attachable !== undefined) out.Attachable = attachable;
  const options = optional(n, "options", at, stringMap);
  if (options !== undefined) out.Options = options;
  return out;
}

export function volumeSpec(
  resource: string,
  inputs: Obj,
  runId: string,
): Dockerode.VolumeCreateOptions {
  const at: At = { resource: `volume ${resource}`, path: "" };
  const v = object(unwrap(inputs, at), at, ["name", "driver", "driverOpts"]);
  const out: Dockerode.VolumeCreateOptions = {
    Name: optional(v, "name", at, str) ?? resource,
    Labels: { [RUN_LABEL]: runId },
  };
  const driver = optional(v, "driver", at, str);
  if (driver !== undefined) out.Driver = driver;
  const driverOpts = optional(v, "driverOpts", at, stringMap);
  if (driverOpts !== undefined) out.DriverOpts = driverOpts;
  return out;
}

/** A RemoteImage's reference (`name`); it is resolved, never pulled. */
export function remoteImageRef(resource: string, inputs: Obj): string {
  const at: At = { resource: `remote image ${resource}`, path: "" };
  const r = object(unwrap(inputs, at), at, ["name", "keepLocally"]);
  return str(r.name, child(at, "name"));
}

/**
 * The mock `imageId` of every RemoteImage (what containers receive as `image`) → its reference,
 * computed by the mocks themselves. Two images with one id would run the wrong image: that throws.
 */
export function mockImageIds(resources: readonly PlanResource[]): Map<string, string> {
  const ids = new Map<string, { ref: string; resource: string }>();
  for (const r of resources) {
    if (r.type !== TYPES.remoteImage) continue;
    const ref = remoteImageRef(r.name, r.inputs);
    const result = planMocks.newResource({ type: r.type, name: r.name, inputs: r.inputs });
    if (result instanceof Promise)
      throw new Error("planMocks.newResource must answer synchronously");
    const id = String(result.state.imageId);
    const seen = ids.get(id);
    if (seen && seen.ref !== ref)
      throw new Error(
        `remote images ${seen.resource} (${seen.ref}) and ${r.name} (${ref}) get the same mock ` +
          `imageId ${id} (see infra/plan/mocks.ts): their containers cannot be told apart`,
      );
    ids.set(id, { ref, resource: r.name });
  }
  return new Map([...ids].map(([id, { ref }]) => [id, ref]));
}

// ---------------------------------------------------------------------------------------------
// A whole plan.

export interface PlanSpecs {
  networks: Dockerode.NetworkCreateOptions[];
  volumes: Dockerode.VolumeCreateOptions[];
  /** The local images the containers run. */
  images: string[];
  /** In registration order, which is a dependency order: a resource depends only on earlier ones. */
  containers: ContainerSpec[];
}

export interface PlanContext {
  runId: string;
  /** The local image to run for a plan's image reference (a RemoteImage's `name`). */
  localImage: (ref: string) => string;
}

/**
 * Maps every Docker resource of a plan, in registration order. Non-Docker resources (random
 * passwords, components) are skipped, and so is the Docker provider: the harness picks the engine.
 * Any other Docker type throws, as does a container using a network or volume the plan lacks.
 */
/** The mock `id` of every container (what `fromContainer` receives) → its container name. */
function mockContainerIds(resources: readonly PlanResource[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== TYPES.container) continue;
    const result = planMocks.newResource({ type: r.type, name: r.name, inputs: r.inputs });
    if (result instanceof Promise)
      throw new Error("planMocks.newResource must answer synchronously");
    const name = (plainInputs(r.inputs, r.name) as { name?: string }).name ?? r.name;
    ids.set(String(result.id), name);
  }
  return ids;
}

export function planSpecs(resources: readonly PlanResource[], ctx: PlanContext): PlanSpecs {
  const imageIds = mockImageIds(resources);
  const containerIds = mockContainerIds(resources);
  const resolveContainer = (id: string) => {
    const name = containerIds.get(id);
    if (name === undefined) throw new Error(`${id} is the id of no container in this plan`);
    return name;
  };
  const resolveImage = (image: string) => {
    const ref = imageIds.get(image);
    if (ref === undefined)
      throw new Error(`image ${image} is the imageId of no RemoteImage in this plan`);
    return ctx.localImage(ref);
  };
  const specs: PlanSpecs = { networks: [], volumes: [], images: [], containers: [] };
  for (const r of resources) {
    switch (r.type) {
      case TYPES.network:
        specs.networks.push(networkSpec(r.name, r.inputs, ctx.runId));
        break;
      case TYPES.volume:
        specs.volumes.push(volumeSpec(r.name, r.inputs, ctx.runId));
        break;
      case TYPES.remoteImage:
        specs.images.push(ctx.localImage(remoteImageRef(r.name, r.inputs)));
        break;
      case TYPES.container:
        specs.containers.push(
          containerSpec(r.name, r.inputs, { runId: ctx.runId, resolveImage, resolveContainer }),
        );
        break;
      case TYPES.provider:
        break;
      default:
        if (r.type.startsWith("docker:"))
          throw new Error(
            `${r.type} ${r.name}: this resource type is not mapped to the Engine API`,
          );
    }
  }
  const names = (kind: string, all: string[]) => {
    const dup = all.find((n, i) => all.indexOf(n) !== i);
    if (dup) throw new Error(`two ${kind}s are named ${dup}`);
    return new Set(all);
  };
  const networks = names(
    "network",
    specs.networks.map((n) => n.Name),
  );
  const volumes = names(
    "volume",
    specs.volumes.map((v) => v.Name!),
  );
  names(
    "container",
    specs.containers.map((c) => c.name),
  );
  for (const c of specs.containers) {
    for (const n of c.networkNames)
      if (!networks.has(n))
        throw new Error(`container ${c.name} joins network ${n}, not in the plan`);
    // Registration order is creation order: the container lending its volumes comes first.
    for (const from of c.volumesFrom) {
      const lender = specs.containers.findIndex((x) => x.name === from);
      if (lender < 0 || lender > specs.containers.indexOf(c))
        throw new Error(`container ${c.name} mounts the volumes of ${from}, created after it`);
    }
    // The engine would silently create a missing volume, unlabelled and empty.
    for (const v of c.volumeNames)
      if (!volumes.has(v))
        throw new Error(`container ${c.name} mounts volume ${v}, not in the plan`);
  }
  specs.images = [...new Set(specs.images)];
  return specs;
}

/** What the engine sees of a container: a change here means the provider replaces it. */
const engineView = (c: ContainerSpec) => ({
  create: c.create,
  extraNetworks: c.extraNetworks,
  uploads: c.uploads,
});

/**
 * The containers a "day 2" update replaces, by name, in `after`'s order. Networks and volumes must
 * be unchanged, and no container added or removed: this harness never touches data volumes.
 */
export function changedContainers(before: PlanSpecs, after: PlanSpecs): string[] {
  if (!isDeepStrictEqual(before.networks, after.networks))
    throw new Error("the networks changed: replacing networks is not supported by this harness");
  if (!isDeepStrictEqual(before.volumes, after.volumes))
    throw new Error("the volumes changed: this harness never replaces or removes volumes");
  const old = new Map(before.containers.map((c) => [c.name, c]));
  const added = after.containers.filter((c) => !old.has(c.name)).map((c) => c.name);
  const kept = new Set(after.containers.map((c) => c.name));
  const removed = before.containers.filter((c) => !kept.has(c.name)).map((c) => c.name);
  if (added.length || removed.length)
    throw new Error(
      `containers added (${added.join(", ") || "none"}) or removed (${removed.join(", ") || "none"}): ` +
        "only changed containers are supported",
    );
  // A container mounting another's volumes takes its id: replacing that one replaces it too.
  const changed = new Set<string>();
  for (const c of after.containers)
    if (
      !isDeepStrictEqual(engineView(old.get(c.name)!), engineView(c)) ||
      c.volumesFrom.some((from) => changed.has(from))
    )
      changed.add(c.name);
  return [...changed];
}
