/**
 * The mapping from one Docker provider Container's inputs to Engine API 1.41 requests: the exact
 * fragment per input, an error for anything unmapped, and Go durations in nanoseconds.
 */
import { containerSpec, ContainerSpec, goDurationNs, RUN_LABEL } from "./engineSpec";

const RUN = "run-1";
const IMAGE_ID = "sha256:img";
const ctx = {
  runId: RUN,
  resolveContainer: (id: string) => {
    if (id !== "files-id") throw new Error(`unexpected container id ${id}`);
    return "files";
  },
  resolveImage: (image: string) => {
    if (image !== IMAGE_ID) throw new Error(`unexpected image ${image}`);
    return "local/img:1";
  },
};
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});

/** Objects merged key by key; arrays and other values replaced. */
function merge(base: unknown, over: unknown): unknown {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
  if (!isObj(base) || !isObj(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** The spec of a container with only a name and an image. */
const BASE: Omit<ContainerSpec, "volumeNames" | "networkNames"> = {
  name: "c",
  create: {
    name: "c",
    Image: "local/img:1",
    Labels: { [RUN_LABEL]: RUN },
    HostConfig: { RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, Init: false },
  },
  extraNetworks: [],
  uploads: [],
  start: true,
  removeVolumes: true,
  volumesFrom: [],
  waitHealthy: false,
  waitTimeoutSeconds: 60,
  stopGraceSeconds: undefined,
};

/** The spec of a container with these inputs, less the reference lists (tested apart). */
const spec = (inputs: Record<string, unknown>): Partial<ContainerSpec> => {
  const all: Partial<ContainerSpec> = containerSpec(
    "c",
    { name: "c", image: IMAGE_ID, ...inputs },
    ctx,
  );
  delete all.volumeNames;
  delete all.networkNames;
  return all;
};

describe("containerSpec maps each provider input to its Engine API fragment", () => {
  const rows: [string, Record<string, unknown>, unknown][] = [
    ["only a name and an image", {}, {}],
    [
      "a port published on loopback",
      { ports: [{ internal: 4242, external: 4242, ip: "127.0.0.1", protocol: "tcp" }] },
      {
        create: {
          ExposedPorts: { "4242/tcp": {} },
          HostConfig: { PortBindings: { "4242/tcp": [{ HostIp: "127.0.0.1", HostPort: "4242" }] } },
        },
      },
    ],
    [
      "a port with the provider's defaults: all interfaces, tcp, a random host port",
      { ports: [{ internal: 80 }] },
      {
        create: {
          ExposedPorts: { "80/tcp": {} },
          HostConfig: { PortBindings: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }] } },
        },
      },
    ],
    [
      "one udp port bound twice",
      {
        ports: [
          { internal: 53, external: 5353, ip: "127.0.0.1", protocol: "udp" },
          { internal: 53, external: 5354, ip: "::1", protocol: "udp" },
        ],
      },
      {
        create: {
          ExposedPorts: { "53/udp": {} },
          HostConfig: {
            PortBindings: {
              "53/udp": [
                { HostIp: "127.0.0.1", HostPort: "5353" },
                { HostIp: "::1", HostPort: "5354" },
              ],
            },
          },
        },
      },
    ],
    [
      "capabilities dropped and added",
      { capabilities: { drops: ["ALL"], adds: ["CHOWN", "SETUID"] } },
      { create: { HostConfig: { CapDrop: ["ALL"], CapAdd: ["CHOWN", "SETUID"] } } },
    ],
    [
      "a healthcheck with Go durations in nanoseconds",
      {
        healthcheck: {
          tests: ["CMD", "pg_isready"],
          interval: "10s",
          timeout: "1m30s",
          startPeriod: "500ms",
          retries: 5,
        },
      },
      {
        create: {
          Healthcheck: {
            Test: ["CMD", "pg_isready"],
            Interval: 10_000_000_000,
            Timeout: 90_000_000_000,
            StartPeriod: 500_000_000,
            Retries: 5,
          },
        },
      },
    ],
    [
      "the restart policy",
      { restart: "unless-stopped" },
      {
        create: { HostConfig: { RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 } } },
      },
    ],
    [
      "on-failure with a retry count",
      { restart: "on-failure", maxRetryCount: 3 },
      { create: { HostConfig: { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 } } } },
    ],
    [
      "the log driver and its options",
      { logDriver: "json-file", logOpts: { "max-size": "20m", "max-file": "5" } },
      {
        create: {
          HostConfig: {
            LogConfig: { Type: "json-file", Config: { "max-size": "20m", "max-file": "5" } },
          },
        },
      },
    ],
    ["init", { init: true }, { create: { HostConfig: { Init: true } } }],
    [
      "security options, user, environment, entrypoint, command and stop timeout",
      {
        securityOpts: ["no-new-privileges:true"],
        user: "999:999",
        envs: ["A=1", "B=two words"],
        entrypoints: ["/bin/sh", "-c"],
        command: ["echo hi"],
        stopTimeout: 30,
      },
      {
        create: {
          User: "999:999",
          Env: ["A=1", "B=two words"],
          Entrypoint: ["/bin/sh", "-c"],
          Cmd: ["echo hi"],
          StopTimeout: 30,
          HostConfig: { SecurityOpt: ["no-new-privileges:true"] },
        },
      },
    ],
    [
      "named volumes, one read-only",
      {
        volumes: [
          { volumeName: "data", containerPath: "/data" },
          { volumeName: "backups", containerPath: "/backups", readOnly: true },
          { volumeName: "scratch", containerPath: "/scratch", readOnly: false },
        ],
      },
      {
        create: {
          HostConfig: { Binds: ["data:/data", "backups:/backups:ro", "scratch:/scratch"] },
        },
      },
    ],
    [
      "anonymous volumes, and another container's volumes by its id",
      { volumes: [{ containerPath: "/etc/orthanc" }, { fromContainer: "files-id" }] },
      {
        create: { Volumes: { "/etc/orthanc": {} }, HostConfig: { VolumesFrom: ["files"] } },
        volumesFrom: ["files"],
      },
    ],
    [
      "a read-only root with tmpfs folders",
      { readOnly: true, tmpfs: { "/tmp": "size=512m,mode=1777" } },
      {
        create: {
          HostConfig: { ReadonlyRootfs: true, Tmpfs: { "/tmp": "size=512m,mode=1777" } },
        },
      },
    ],
    [
      "a memory limit in MiB, swap equal to it (none)",
      { memory: 512, memorySwap: 512 },
      { create: { HostConfig: { Memory: 536_870_912, MemorySwap: 536_870_912 } } },
    ],
    [
      "unlimited swap",
      { memory: 64, memorySwap: -1 },
      { create: { HostConfig: { Memory: 67_108_864, MemorySwap: -1 } } },
    ],
    [
      "created, never started; its anonymous volumes kept on removal",
      { start: false, mustRun: false, removeVolumes: false },
      { start: false, removeVolumes: false },
    ],
    [
      "one network with aliases",
      { networksAdvanced: [{ name: "backend", aliases: ["postgres"] }] },
      {
        create: {
          HostConfig: { NetworkMode: "backend" },
          NetworkingConfig: { EndpointsConfig: { backend: { Aliases: ["postgres"] } } },
        },
      },
    ],
    [
      "several networks: the first at create, the others joined before start",
      {
        networksAdvanced: [
          { name: "backend" },
          { name: "frontend", aliases: ["orthanc"] },
          { name: "third", aliases: [] },
        ],
      },
      {
        create: {
          HostConfig: { NetworkMode: "backend" },
          NetworkingConfig: { EndpointsConfig: { backend: {} } },
        },
        extraNetworks: [
          { name: "frontend", aliases: ["orthanc"] },
          { name: "third", aliases: [] },
        ],
      },
    ],
    [
      "an upload with mode and numeric owner",
      {
        uploads: [
          {
            file: "/run/secrets/x",
            content: "s3cret",
            permissions: "0400",
            owner: "999",
            group: "998",
          },
        ],
      },
      {
        uploads: [
          {
            path: "/run/secrets/x",
            content: Buffer.from("s3cret"),
            mode: 0o400,
            uid: 999,
            gid: 998,
          },
        ],
      },
    ],
    [
      "uploads with the provider's default modes, root-owned, and base64 content",
      {
        uploads: [
          { file: "/a", content: "a" },
          { file: "/b", contentBase64: Buffer.from([0, 255]).toString("base64"), executable: true },
          { file: "/c", content: "c", executable: true, permissions: "555" },
        ],
      },
      {
        uploads: [
          { path: "/a", content: Buffer.from("a"), mode: 0o644, uid: 0, gid: 0 },
          { path: "/b", content: Buffer.from([0, 255]), mode: 0o744, uid: 0, gid: 0 },
          { path: "/c", content: Buffer.from("c"), mode: 0o555, uid: 0, gid: 0 },
        ],
      },
    ],
    [
      "secret-wrapped inputs, unwrapped",
      { envs: secret(["PASSWORD=x"]), uploads: [{ file: "/s", content: secret("x") }] },
      {
        create: { Env: ["PASSWORD=x"] },
        uploads: [{ path: "/s", content: Buffer.from("x"), mode: 0o644, uid: 0, gid: 0 }],
      },
    ],
    [
      "wait, its timeout and the destroy grace period",
      { wait: true, waitTimeout: 120, destroyGraceSeconds: 60 },
      { waitHealthy: true, waitTimeoutSeconds: 120, stopGraceSeconds: 60 },
    ],
  ];

  test.each(rows)("%s", (_, inputs, expected) => {
    expect(spec(inputs)).toEqual(merge(BASE, expected));
  });

  test("a container without `name` is named after its resource, as the mocks do", () => {
    expect(containerSpec("res", { image: IMAGE_ID }, ctx).create.name).toBe("res");
  });

  test("the networks and volumes a container references are listed", () => {
    const c = containerSpec(
      "c",
      {
        image: IMAGE_ID,
        networksAdvanced: [{ name: "a" }, { name: "b" }],
        volumes: [{ volumeName: "v", containerPath: "/v" }],
      },
      ctx,
    );
    expect([c.networkNames, c.volumeNames]).toEqual([["a", "b"], ["v"]]);
  });
});

describe("containerSpec refuses what it cannot map", () => {
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown top-level input", { shmSize: 512 }, /^container c: input `shmSize` is not mapped/],
    ["swap without memory", { memorySwap: 512 }, /`memorySwap` needs `memory`/],
    [
      "swap under memory",
      { memory: 512, memorySwap: 256 },
      /`memorySwap` must be -1 or at least memory \(512\), got 256/,
    ],
    ["a relative tmpfs path", { tmpfs: { tmp: "size=1m" } }, /`tmpfs\.tmp` must be an absolute/],
    [
      "a container never started that must run",
      { start: false },
      /`mustRun` must be false for a container created with `start: false`/,
    ],
    [
      "fromContainer with a path",
      { volumes: [{ fromContainer: "files-id", containerPath: "/x" }] },
      /`volumes\[0\]` `fromContainer` goes alone/,
    ],
    [
      "read-only on an anonymous volume",
      { volumes: [{ containerPath: "/x", readOnly: true }] },
      /`volumes\[0\]\.readOnly` the provider ignores it/,
    ],
    [
      "an unknown healthcheck key",
      { healthcheck: { tests: ["CMD", "true"], foo: 1 } },
      /input `healthcheck\.foo` is not mapped/,
    ],
    [
      "an unknown port key",
      { ports: [{ internal: 80, bogus: true }] },
      /`ports\[0\]\.bogus` is not/,
    ],
    [
      "an unknown key in a secret-wrapped list",
      { uploads: secret([{ file: "/a", content: "a", mode: "0400" }]) },
      /`uploads\[0\]\.mode` is not mapped/,
    ],
    [
      "healthcheck.startInterval (Engine API 1.44)",
      { healthcheck: { startInterval: "1s" } },
      /`healthcheck\.startInterval` needs Engine API 1\.44/,
    ],
    [
      "a network's gwPriority (Engine API 1.48)",
      { networksAdvanced: [{ name: "a" }, { name: "b", gwPriority: 1 }] },
      /`networksAdvanced\[1\]\.gwPriority` needs Engine API 1\.48/,
    ],
    [
      "an upload from a local file",
      { uploads: [{ file: "/a", source: "./a" }] },
      /`uploads\[0\]\.source` reads a file on the deploying machine/,
    ],
    [
      "an sctp port",
      { ports: [{ internal: 80, protocol: "sctp" }] },
      /`ports\[0\]\.protocol` must be "tcp" or "udp"/,
    ],
    ["a port out of range", { ports: [{ internal: 70000 }] }, /`ports\[0\]\.internal` must be/],
    [
      "a symbolic file mode",
      { uploads: [{ file: "/a", content: "a", permissions: "u+r" }] },
      /`uploads\[0\]\.permissions` must be an octal mode/,
    ],
    [
      "an owner by name",
      { uploads: [{ file: "/a", content: "a", owner: "postgres" }] },
      /`uploads\[0\]\.owner` must be a numeric id/,
    ],
    [
      "an upload with two contents",
      { uploads: [{ file: "/a", content: "a", contentBase64: "YQ==" }] },
      /`uploads\[0\]` needs exactly one of/,
    ],
    [
      "a relative upload path",
      { uploads: [{ file: "a", content: "a" }] },
      /`uploads\[0\]\.file` must be an absolute path/,
    ],
    ["an unknown restart policy", { restart: "sometimes" }, /`restart` must be one of/],
    [
      "a retry count without on-failure",
      { restart: "always", maxRetryCount: 2 },
      /`maxRetryCount` applies only with/,
    ],
    [
      "a duration without a unit",
      { healthcheck: { interval: "10" } },
      /`healthcheck\.interval` invalid Go duration "10"/,
    ],
    [
      "a duration under 1ms",
      { healthcheck: { timeout: "500us" } },
      /`healthcheck\.timeout` must be 0 or at least 1ms/,
    ],
    [
      "a healthcheck test without CMD",
      { healthcheck: { tests: ["pg_isready"] } },
      /`healthcheck\.tests` must start with one of CMD, CMD-SHELL, NONE/,
    ],
    [
      "a host path volume",
      { volumes: [{ hostPath: "/srv", containerPath: "/srv" }] },
      /`volumes\[0\]\.hostPath` binds a path of the engine's host/,
    ],
    ["a wrongly typed value", { init: "yes" }, /`init` must be a boolean, got "yes"/],
    [
      "a resource reference",
      {
        user: { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn: "u" },
      },
      /`user` is a Pulumi wire value/,
    ],
    [
      "a value unknown during preview",
      { user: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
      /`user` is unknown/,
    ],
  ];

  test.each(rows)("%s", (_, inputs, message) => {
    expect(() => spec(inputs)).toThrow(message);
  });
});

test.each([
  ["0", 0],
  ["30s", 30e9],
  ["1h30m", 5400e9],
  ["1.5s", 1.5e9],
  ["250ms", 250e6],
  ["10us", 10e3],
])("Go duration %s is %d ns", (text, ns) => {
  expect(goDurationNs(text)).toBe(ns);
});
