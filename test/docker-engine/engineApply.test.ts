/**
 * Smoke check of the apply side on a real Docker engine: one container with every kind of setting
 * the program uses lands as mapped, becomes healthy, is replaced on a changed upload, and teardown
 * leaves nothing behind. Skipped (loudly) without an engine or busybox; with CI=true either fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import * as tar from "tar-stream";
import { connect, applyPlan, DOCKER_SOCKET, execIn, replaceChanged, teardown } from "./engine";
import { engineAnswers } from "./engineProbe";
import { mockImageIds, PlanResource, RUN_LABEL, TYPES } from "./engineSpec";

const BUSYBOX = "/bin/busybox";
const missing = !engineAnswers()
  ? `no Docker engine answers on ${DOCKER_SOCKET} (start one: dockerd)`
  : !existsSync(BUSYBOX)
    ? `${BUSYBOX} is missing (apt-get install -y busybox-static)`
    : undefined;

if (missing && process.env.CI === "true") {
  test("the Docker engine smoke check can run (required when CI=true)", () => {
    throw new Error(`engine smoke check cannot run: ${missing}`);
  });
} else if (missing) {
  console.warn(
    `\n${"!".repeat(80)}\n!! SKIPPED test/docker-engine/engineApply.test.ts: ${missing}\n${"!".repeat(80)}\n`,
  );
}

/** A one-binary image: busybox, imported from a tar; built once and kept. */
const IMAGE = "orthanc-deploy-test/busybox:1";

async function ensureImage(): Promise<void> {
  const docker = connect();
  if (
    await docker
      .getImage(IMAGE)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return;
  const pack = tar.pack();
  pack.entry({ name: "bin/", type: "directory", mode: 0o755 });
  pack.entry({ name: "bin/busybox", mode: 0o755 }, readFileSync(BUSYBOX));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  const [repo, tag] = IMAGE.split(":");
  const progress = await docker.importImage(Buffer.concat(chunks) as never, { repo, tag });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(progress, (err) => (err ? reject(err) : resolve(undefined))),
  );
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

(missing ? describe.skip : describe)("on a real Docker engine", () => {
  const docker = connect();
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const runId = `smoke-${id}`;
  const n = (s: string) => `odt-${id}-${s}`;
  const opts = { runId, localImage: () => IMAGE };
  const image: PlanResource = {
    type: TYPES.remoteImage,
    name: n("image"),
    inputs: { name: "example.org/orthanc-deploy/smoke:1", keepLocally: true },
  };
  const imageId = [...mockImageIds([image]).keys()][0];
  let port: number;

  const plan = (secret: string): PlanResource[] => [
    { type: TYPES.provider, name: n("engine"), inputs: {} },
    { type: TYPES.network, name: n("backend"), inputs: { name: n("backend"), internal: true } },
    { type: TYPES.network, name: n("frontend"), inputs: { name: n("frontend"), driver: "bridge" } },
    { type: TYPES.volume, name: n("data"), inputs: { name: n("data") } },
    image,
    {
      type: TYPES.container,
      name: n("app"),
      inputs: {
        name: n("app"),
        image: imageId,
        restart: "unless-stopped",
        logDriver: "json-file",
        logOpts: { "max-size": "1m", "max-file": "2" },
        securityOpts: ["no-new-privileges:true"],
        capabilities: { drops: ["ALL"] },
        init: true,
        user: "999:999",
        envs: ["SMOKE=1"],
        entrypoints: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
        uploads: [
          {
            file: "/run/secrets/x",
            content: secret,
            permissions: "0400",
            owner: "999",
            group: "999",
          },
          { file: "/www/index.html", content: "ok\n", permissions: "0444" },
        ],
        volumes: [{ volumeName: n("data"), containerPath: "/data", readOnly: true }],
        networksAdvanced: [
          { name: n("backend"), aliases: ["smoke"] },
          { name: n("frontend"), aliases: ["smoke-front"] },
        ],
        ports: [{ internal: 8080, external: port, ip: "127.0.0.1", protocol: "tcp" }],
        healthcheck: {
          tests: ["CMD", "/bin/busybox", "test", "-f", "/run/secrets/x"],
          interval: "1s",
          timeout: "2s",
          retries: 3,
        },
        wait: true,
        waitTimeout: 20,
        destroyGraceSeconds: 2,
      },
    },
  ];

  beforeAll(async () => {
    await ensureImage();
    port = await freeLoopbackPort();
    await applyPlan(plan("s3cret"), opts);
  }, 60_000);

  afterAll(async () => {
    await teardown(runId, docker);
  }, 30_000);

  test("the container is created as mapped and healthy", async () => {
    const info = await docker.getContainer(n("app")).inspect();
    expect(info.State.Health?.Status).toBe("healthy");
    expect(info.Config).toMatchObject({
      User: "999:999",
      Labels: { [RUN_LABEL]: runId },
      Healthcheck: {
        Test: ["CMD", "/bin/busybox", "test", "-f", "/run/secrets/x"],
        Interval: 1e9,
        Timeout: 2e9,
        Retries: 3,
      },
    });
    expect(info.Config.Env).toContain("SMOKE=1");
    expect(info.HostConfig).toMatchObject({
      CapDrop: ["ALL"],
      Init: true,
      SecurityOpt: ["no-new-privileges:true"],
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } },
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] },
      Binds: [`${n("data")}:/data:ro`],
    });
    expect(info.Mounts).toEqual([
      expect.objectContaining({ Type: "volume", Name: n("data"), Destination: "/data", RW: false }),
    ]);
  });

  test("both networks are joined with their aliases; the first is internal", async () => {
    const info = await docker.getContainer(n("app")).inspect();
    const networks = info.NetworkSettings.Networks;
    expect(Object.keys(networks).sort()).toEqual([n("backend"), n("frontend")]);
    expect(networks[n("backend")].Aliases).toContain("smoke");
    expect(networks[n("frontend")].Aliases).toContain("smoke-front");
    const backend = await docker.getNetwork(n("backend")).inspect();
    expect(backend).toMatchObject({ Internal: true, Labels: { [RUN_LABEL]: runId } });
  });

  test("uploads carry their mode and owner; missing parents are root-owned 0755", async () => {
    const stat = await execIn(
      n("app"),
      [
        "/bin/busybox",
        "stat",
        "-c",
        "%n %a %u:%g",
        "/run",
        "/run/secrets",
        "/run/secrets/x",
        "/www/index.html",
      ],
      { docker },
    );
    expect(stat.output.trim().split("\n")).toEqual([
      "/run 755 0:0",
      "/run/secrets 755 0:0",
      "/run/secrets/x 400 999:999",
      "/www/index.html 444 0:0",
    ]);
    const read = await execIn(n("app"), ["/bin/busybox", "cat", "/run/secrets/x"], { docker });
    expect(read).toEqual({ exitCode: 0, output: "s3cret" });
  });

  test("no capability is left and the volume is read-only even for root", async () => {
    const caps = await execIn(n("app"), ["/bin/busybox", "grep", "CapEff", "/proc/self/status"], {
      docker,
    });
    expect(caps.output.trim()).toBe("CapEff:\t0000000000000000");
    const touch = await execIn(n("app"), ["/bin/busybox", "touch", "/data/probe"], {
      user: "0:0",
      docker,
    });
    expect(touch.exitCode).not.toBe(0);
    expect(touch.output).toMatch(/Read-only file system/);
  });

  test("the loopback-published port answers although the first network is internal", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await res.text()).toBe("ok\n");
  });

  test("a day-2 change replaces only the changed container and keeps the volume", async () => {
    const before = await docker.getContainer(n("app")).inspect();
    const volume = await docker.getVolume(n("data")).inspect();
    expect(await replaceChanged(plan("s3cret"), plan("s3cret"), opts)).toEqual([]);
    expect(await replaceChanged(plan("s3cret"), plan("rotated"), opts)).toEqual([n("app")]);
    const after = await docker.getContainer(n("app")).inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(after.State.Health?.Status).toBe("healthy");
    const read = await execIn(n("app"), ["/bin/busybox", "cat", "/run/secrets/x"], { docker });
    expect(read.output).toBe("rotated");
    const createdAt = (v: object) => (v as { CreatedAt: string }).CreatedAt;
    expect(createdAt(await docker.getVolume(n("data")).inspect())).toBe(createdAt(volume));
  }, 30_000);

  test("a container that never gets healthy fails with its health output and logs", async () => {
    const failing: PlanResource = {
      type: TYPES.container,
      name: n("sick"),
      inputs: {
        name: n("sick"),
        image: imageId,
        entrypoints: ["/bin/busybox", "sh", "-c", "echo started-up; exec /bin/busybox sleep 600"],
        healthcheck: {
          tests: ["CMD", "/bin/busybox", "sh", "-c", "echo probe-failed; exit 1"],
          interval: "1s",
          retries: 1,
        },
        wait: true,
        waitTimeout: 3,
      },
    };
    const sickRun = { ...opts, runId: `${runId}-sick` };
    try {
      await expect(applyPlan([image, failing], sickRun)).rejects.toThrow(
        /not healthy after 3000 ms: health unhealthy\nLast health check: exit 1: probe-failed\nLast 50 log lines:\nstarted-up/,
      );
    } finally {
      await teardown(sickRun.runId, docker);
    }
  }, 20_000);

  test("teardown removes everything with the run label, and only that", async () => {
    const removed = await teardown(runId, docker);
    expect(removed).toEqual({
      containers: [n("app")],
      networks: expect.arrayContaining([n("backend"), n("frontend")]),
      volumes: [n("data")],
    });
    const filters = { label: [`${RUN_LABEL}=${runId}`] };
    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
    expect(await docker.listNetworks({ filters })).toEqual([]);
    expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
  });
});
