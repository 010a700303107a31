/**
 * The mapping from a whole plan to Engine API 1.41 requests: networks and volumes, images through
 * their mock ids to local stand-ins, references checked, day-2 replacements, and the shipped local
 * stack mapped without error.
 */
import { expectEverythingMapped, observedResources } from "./planResources";
import {
  changedContainers,
  mockImageIds,
  networkSpec,
  PlanResource,
  planSpecs,
  RUN_LABEL,
  TYPES,
  volumeSpec,
} from "./engineSpec";

const RUN = "run-1";

describe("networks and volumes", () => {
  test("a network maps to its create options, labelled", () => {
    expect(
      networkSpec("n", { name: "orthanc-backend", internal: true, driver: "bridge" }, RUN),
    ).toEqual({
      Name: "orthanc-backend",
      Driver: "bridge",
      Internal: true,
      Labels: { [RUN_LABEL]: RUN },
    });
    expect(networkSpec("n", { options: { "com.docker.network.bridge.name": "br0" } }, RUN)).toEqual(
      {
        Name: "n",
        Options: { "com.docker.network.bridge.name": "br0" },
        Labels: { [RUN_LABEL]: RUN },
      },
    );
  });

  test("a volume maps to its create options, labelled", () => {
    expect(volumeSpec("v", { name: "orthanc-pgdata" }, RUN)).toEqual({
      Name: "orthanc-pgdata",
      Labels: { [RUN_LABEL]: RUN },
    });
    expect(volumeSpec("v", { driver: "local", driverOpts: { type: "tmpfs" } }, RUN)).toEqual({
      Name: "v",
      Driver: "local",
      DriverOpts: { type: "tmpfs" },
      Labels: { [RUN_LABEL]: RUN },
    });
  });

  test.each([
    ["network", () => networkSpec("n", { name: "n", ipamConfigs: [] }, RUN), /`ipamConfigs`/],
    ["volume", () => volumeSpec("v", { name: "v", labels: [] }, RUN), /`labels`/],
    ["network option", () => networkSpec("n", { options: { a: 1 } }, RUN), /`options\.a` must/],
  ])("an unknown or mistyped %s input throws", (_, map, message) => {
    expect(map).toThrow(message);
  });
});

describe("planSpecs: a whole plan", () => {
  const image = (name: string, ref: string): PlanResource => ({
    type: TYPES.remoteImage,
    name,
    inputs: { name: ref, keepLocally: true },
  });
  const pg = image("pg-image", "postgres:16");
  const pgId = [...mockImageIds([pg]).keys()][0];
  const container = (inputs: Record<string, unknown>): PlanResource => ({
    type: TYPES.container,
    name: "db",
    inputs: { name: "db", image: pgId, ...inputs },
  });
  const plan: PlanResource[] = [
    { type: "random:index/randomPassword:RandomPassword", name: "pw", inputs: { length: 32 } },
    { type: TYPES.provider, name: "engine", inputs: { host: "ssh://admin@203.0.113.20" } },
    { type: TYPES.network, name: "net", inputs: { name: "net", internal: true } },
    { type: TYPES.volume, name: "vol", inputs: { name: "vol" } },
    pg,
    container({
      networksAdvanced: [{ name: "net" }],
      volumes: [{ volumeName: "vol", containerPath: "/data" }],
    }),
  ];
  const local = { runId: RUN, localImage: (ref: string) => `stand-in/${ref}` };

  test("images resolve through the RemoteImage's mock imageId to a local stand-in", () => {
    const specs = planSpecs(plan, local);
    expect(specs.images).toEqual(["stand-in/postgres:16"]);
    expect(specs.containers.map((c) => c.create.Image)).toEqual(["stand-in/postgres:16"]);
    expect(specs.networks.map((n) => n.Name)).toEqual(["net"]);
    expect(specs.volumes.map((v) => v.Name)).toEqual(["vol"]);
  });

  test.each([
    [
      "a volume the plan does not create",
      [...plan.slice(0, 3), pg, container({ volumes: [{ volumeName: "x", containerPath: "/x" }] })],
      /container db mounts volume x, not in the plan/,
    ],
    [
      "a network the plan does not create",
      [pg, container({ networksAdvanced: [{ name: "elsewhere" }] })],
      /container db joins network elsewhere, not in the plan/,
    ],
    [
      "an image no RemoteImage provides",
      [pg, container({ image: "sha256:other" })],
      /image sha256:other is the imageId of no RemoteImage/,
    ],
    [
      "two RemoteImages the mocks give one imageId",
      [pg, image("pg-image", "caddy:2")],
      /remote images pg-image \(postgres:16\) and pg-image \(caddy:2\) get the same mock imageId/,
    ],
    [
      "an unmapped Docker resource type",
      [{ type: "docker:index/service:Service", name: "svc", inputs: {} }],
      /docker:index\/service:Service svc: this resource type is not mapped/,
    ],
    ["a RemoteImage setting", [{ ...pg, inputs: { name: "x", platform: "arm64" } }], /`platform`/],
  ])("refuses %s", (_, resources, message) => {
    expect(() => planSpecs(resources as PlanResource[], local)).toThrow(message);
  });

  test("a day-2 change replaces only the containers whose engine view changed", () => {
    const withFile = (content: string) => [
      ...plan,
      {
        type: TYPES.container,
        name: "app",
        inputs: { name: "app", image: pgId, uploads: [{ file: "/f", content }] },
      },
    ];
    const before = planSpecs(withFile("one"), local);
    expect(changedContainers(before, planSpecs(withFile("one"), local))).toEqual([]);
    expect(changedContainers(before, planSpecs(withFile("two"), local))).toEqual(["app"]);
    // A container mounting the volumes of a replaced one (by its id) is replaced with it.
    const withBorrower = (content: string) => [
      ...withFile(content),
      {
        type: TYPES.container,
        name: "user",
        inputs: { name: "user", image: pgId, volumes: [{ fromContainer: "app-id" }] },
      },
    ];
    const lent = planSpecs(withBorrower("one"), local);
    expect(changedContainers(lent, planSpecs(withBorrower("one"), local))).toEqual([]);
    expect(changedContainers(lent, planSpecs(withBorrower("two"), local))).toEqual(["app", "user"]);
    const moreVolumes = [...withFile("one"), { type: TYPES.volume, name: "v2", inputs: {} }];
    expect(() => changedContainers(before, planSpecs(moreVolumes, local))).toThrow(
      /never replaces or removes volumes/,
    );
  });
});

/**
 * The local stack as the provider would see it (every resource, secrets included). One stack per
 * test file: a second `runPlan` in the same file races the first one's late registrations.
 */
describe("the shipped local stack", () => {
  let resources: PlanResource[];
  beforeAll(async () => {
    resources = await observedResources("local");
  });

  test("maps every Container, Network, Volume and RemoteImage without error", () => {
    expectEverythingMapped(resources);
  });

  test("the Orthanc credentials are uploaded readable by the orthanc uid only", () => {
    const specs = planSpecs(resources, { runId: RUN, localImage: (ref) => ref });
    const orthanc = specs.containers.find((c) => c.name === "orthanc-local-orthanc")!;
    // Into the volumes of the never-started files container, which Orthanc mounts.
    const files = specs.containers.find((c) => c.name === "orthanc-local-orthanc-files")!;
    expect(files.start).toBe(false);
    expect(orthanc.volumesFrom).toEqual(["orthanc-local-orthanc-files"]);
    expect(orthanc.uploads).toEqual([]);
    const file = files.uploads.find((u) => u.path === "/run/secrets/orthanc-credentials.json");
    expect(file).toMatchObject({ mode: 0o400, uid: 999, gid: 999 });
    expect(JSON.parse(file!.content.toString()).RegisteredUsers).toBeDefined();
    expect(orthanc.create.Image).toMatch(/^orthancteam\/orthanc:/);
    // Two networks: the backend at create, the frontend joined before start.
    expect(orthanc.create.HostConfig!.NetworkMode).toBe("orthanc-local-backend");
    expect(orthanc.extraNetworks).toEqual([
      { name: "orthanc-local-frontend", aliases: ["orthanc"] },
    ]);
  });

  test("the database is waited for before anything that depends on it is created", () => {
    const { containers } = planSpecs(resources, { runId: RUN, localImage: (ref) => ref });
    // (Orthanc's files container depends on nothing of the database's, so it may come first.)
    expect(containers.map((c) => [c.name, c.waitHealthy, c.waitTimeoutSeconds])).toEqual([
      ["orthanc-local-orthanc-files", false, 60],
      ["orthanc-local-postgres", true, 120],
      ["orthanc-local-backup", false, 60],
      ["orthanc-local-orthanc", false, 60],
      ["orthanc-local-proxy", false, 60],
    ]);
  });
});
